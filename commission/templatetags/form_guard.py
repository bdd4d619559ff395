"""`{% form_guard %}` inside every <form method="post">: the hidden fields that keep a team's work safe.

- the form's one-time token (commission.idempotency): sent twice, the form does nothing the second time;
- with `{% form_guard form %}` and a versioned form (commission.versions), the version of the record it
  was shown with: a save over a colleague's newer change is refused.
"""

from django import template
from django.utils.html import format_html

from commission import idempotency, versions

register = template.Library()


@register.simple_tag
def form_guard(form=None):
    html = format_html(
        '<input type="hidden" name="{}" value="{}">', idempotency.FIELD, idempotency.new_token()
    )
    if form is not None and hasattr(form, "fields") and versions.FIELD in form.fields:
        html += format_html("{}", form[versions.FIELD])
    return html


@register.simple_tag
def version_field(form):
    """The version alone, for a form shown in parts inside one <form> (one line of a sheet)."""
    return form[versions.FIELD] if versions.FIELD in form.fields else ""
