"""DSFR components that need a little Python to be called from a template.

`{% breadcrumb current title url title url … %}`: django-dsfr's breadcrumb (its own template,
dsfr/breadcrumb.html) from the pairs a page writes inline; `{% dsfr_breadcrumb %}` itself takes a dict,
which a template cannot build. The first link, the home page, is django-dsfr's.

`{% error_links %}` and `{% site_title %}`: for the error pages (templates/components/error_layout.html)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.inclusion_tag("dsfr/breadcrumb.html")
def breadcrumb(current, *links):
    if len(links) % 2:
        raise template.TemplateSyntaxError("breadcrumb takes the current page, then pairs of title and url.")
    return {
        "self": {
            "id": "fil-ariane",  # one breadcrumb per page
            "root_dir": reverse("home"),
            "links": [
                {"title": title, "url": url} for title, url in zip(links[::2], links[1::2], strict=True)
            ],
            "current": current,
        }
    }


@register.inclusion_tag("components/error_links.html", takes_context=True)
def error_links(context):
    """The ways back from an error page: the home page, and the page the user came from when the
    browser named it and it is a page of this site. The 500 page renders without a request: then only
    the home page."""
    request = context.get("request")
    previous = ""
    if request is not None:
        referer = request.META.get("HTTP_REFERER", "")
        if referer and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            previous = referer
    return {"home": reverse("home"), "previous": previous}


@register.simple_tag
def site_title():
    """The site's name from the settings, for the pages rendered without the context processors (the
    500 page)."""
    return settings.SITE_TITLE
