"""Dates and times as the pages and the letters write them, one format for both.

- `{{ value|date_fr }}`: « 1er mars 2026 », « 22 décembre 2026 »; `{{ value|date_fr:"jour" }}` adds
  the day of the week: « jeudi 1er mars 2026 ». The letters' `date_longue` writes the same text with a
  no-break space after the day, which a printed page needs and a screen's layout does not.
- `{{ value|datetime_fr }}`: « 1er mars 2026 à 14:30 » (`datetime_fr:"jour"` as above).
- `{{ value|datetime_attr }}`: the machine-readable moment of `<time datetime="…">`, ISO 8601 to the
  second (HTML refuses Python's microseconds).
- `{{ value|depuis }}`: « il y a 3 jours », « il y a 1 heure », « à l’instant » under a minute.

The month's and the weekday's names are Django's own translations; a datetime is first put in local
time. Built directly rather than through the `date` filter, which parses its format on every call
(the lists paid it twice per row). A builtin of the template engine (settings.TEMPLATES), so no
`{% load %}`."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()

WITH_WEEKDAY = "jour"


@register.filter(expects_localtime=True)
def date_fr(value, arg=""):
    try:
        day = "1er" if value.day == 1 else str(value.day)
        text = f"{day} {MONTHS[value.month]} {value.year:04d}"
    except AttributeError:
        return ""  # None, "" or anything that is not a date, as Django's `date` filter answers
    if arg == WITH_WEEKDAY:
        text = f"{WEEKDAYS[value.weekday()]} {text}"
    return text


@register.filter(expects_localtime=True)
def datetime_fr(value, arg=""):
    if not isinstance(value, datetime.datetime):
        return ""
    return _("%(day)s à %(time)s") % {"day": date_fr(value, arg), "time": f"{value:%H:%M}"}


@register.filter
def datetime_attr(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""


@register.filter
def depuis(value, now=None):
    """How long ago, in words; `now` defaults to the current moment."""
    if not isinstance(value, datetime.date):
        return ""
    now = now or (timezone.now() if isinstance(value, datetime.datetime) else timezone.localdate())
    if isinstance(value, datetime.datetime) and (now - value) < datetime.timedelta(minutes=1):
        return _("à l’instant")
    if not isinstance(value, datetime.datetime) and value >= now:
        return _("aujourd’hui")
    # Django's timesince counts in French with its own plurals (« 1 jour », « 3 jours »).
    return _("il y a %(duree)s") % {"duree": timesince(value, now)}
