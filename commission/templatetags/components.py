"""DSFR components that need a little Python to be called from a template.

`{% breadcrumb current title url title url … %}`: django-dsfr's breadcrumb (its own template,
dsfr/breadcrumb.html) from the pairs a page writes inline; `{% dsfr_breadcrumb %}` itself takes a dict,
which a template cannot build. The first link, the home page, is django-dsfr's."""

from django import template
from django.urls import reverse

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
