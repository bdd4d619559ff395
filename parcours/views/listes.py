from django.http import Http404


def dossier_list(request):
    raise Http404  # built by the dossier-list work of issue 4
