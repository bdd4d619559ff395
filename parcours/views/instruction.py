from django.http import Http404


def inbox(request):
    raise Http404  # built by the secretariat work of issue 4


def instruction(request, pk):
    raise Http404
