from django.http import Http404


def beneficiaire_list(request):
    raise Http404  # built by the people work of issue 4


def beneficiaire_create(request):
    raise Http404


def beneficiaire_detail(request, pk):
    raise Http404


def beneficiaire_update(request, pk):
    raise Http404
