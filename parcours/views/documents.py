from django.http import Http404


def document_upload(request, pk):
    raise Http404  # built by the documents work of issue 4


def document_download(request, pk):
    raise Http404


def document_replace(request, pk):
    raise Http404
