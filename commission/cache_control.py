"""No page shown to a signed-in user is kept in a cache: not the browser's history on a shared
computer, not a proxy on the way. Every response to a user signed in (before the request or after
it: a login's answer, a logout's) says `Cache-Control: no-store`, downloads included. Static files
never reach this middleware: WhiteNoise answers them above it."""

from django.utils.cache import add_never_cache_headers


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in_before = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in_before or request.user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private, and an Expires in the past.
            add_never_cache_headers(response)
        return response
