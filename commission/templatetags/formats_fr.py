"""`{{ value|date_fr }}`: a date as the pages write it, « 22 décembre 2026 ».

The same text as Django's `date:"j F Y"` (the month's name is Django's own translation, a datetime is
first put in local time), built directly: the `date` filter parses its format on every call, which the
lists paid twice per row. A builtin of the template engine (settings.TEMPLATES), so no `{% load %}`."""

from django import template
from django.utils.dates import MONTHS

register = template.Library()


@register.filter(expects_localtime=True)
def date_fr(value):
    try:
        return f"{value.day} {MONTHS[value.month]} {value.year:04d}"
    except AttributeError:
        return ""  # None, "" or anything that is not a date, as Django's `date` filter answers
