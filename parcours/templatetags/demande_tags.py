"""`{% demande_badge demande %}`: the state of an application as a DSFR badge.

A tag rather than an included template (or django-dsfr's `{% dsfr_badge %}`, which renders one): the
lists show one per row, and an include costs a template render each time. Same markup as django-dsfr's
dsfr/badge.html; the badge shows the state's label."""

from django import template
from django.utils.html import format_html

from parcours.enums import DemandeState

register = template.Library()

BADGE_CLASSES = {
    DemandeState.ACCEPTEE: " fr-badge--success",
    DemandeState.REFUSEE: " fr-badge--error",
    DemandeState.COMPLEMENT_DEMANDE: " fr-badge--warning",
    DemandeState.AJOURNEE: " fr-badge--warning",
    DemandeState.BROUILLON: "",
    DemandeState.RETIREE: "",
}


@register.simple_tag
def demande_badge(demande):
    return format_html(
        '<span class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</span>',
        BADGE_CLASSES.get(demande.state, " fr-badge--info"),
        demande.get_state_display(),
    )
