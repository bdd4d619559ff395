"""`{{ text|masked_by:redact }}`: a session's free text as the reader may see it (see
commission.seances.privacy.redactor_for)."""

from django import template

register = template.Library()


@register.filter
def masked_by(text, redact):
    return redact(text or "")
