from django.http import Http404


def message_post(request, pk):
    raise Http404  # built by the secretariat work of issue 4
