"""The sessions' legal durations in templates, read from the dated rules (never written as literals)."""

from django import template
from django.utils import timezone

from commission.seances.workflow import required_notice_days

register = template.Library()


@register.simple_tag
def notice_days(on=None):
    """The convocation's notice in days (CRPA R133-8) in force on `on` (today by default)."""
    return required_notice_days(on or timezone.localdate())
