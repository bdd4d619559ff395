"""The decision panel of the dossier page, and the French formats of the letters.

`templates/parcours/includes/decision_panel.html` needs only `demande` and the logged-in `user`: the
`decision_panel` tag reads the decision, the letters the user may download, the pathway, its residence
permit and its AFIS in a constant number of queries, so the including view prepares nothing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import template
from django.utils import timezone

from commission.templatetags.formats_fr import date_fr
from parcours import access
from parcours.enums import DemandeState
from parcours.models import Decision, Periode
from parcours.workflow import parcours as parcours_workflow
from parcours.workflow import titres

register = template.Library()


@register.filter
def date_longue(value):
    """« 1er mars 2026 », « 15 janvier 2027 »: the date as the letters and the pages write it
    (the builtin `date_fr`, one format for both)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    # A no-break space keeps the day with its month at the end of a printed line.
    return date_fr(value).replace(" ", "\u00a0", 1)


@register.filter
def montant(value):
    """« 1 234,56 € » (narrow no-break space between thousands, no-break space before the sign)."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


@dataclass
class Panel:
    demande: object
    decision: object = None
    can_decide: bool = False
    letters: list = field(default_factory=list)
    production: object = None
    can_relaunch: bool = False
    parcours: object = None
    periode: object = None
    afis: object = None
    months_authorised: int = 0
    cap_months: int = 0
    remaining_months: int = 0
    titre: object = None
    permit_details: bool = False
    permit_history: list = field(default_factory=list)
    can_reassess_afis: bool = False
    superseded: list = field(default_factory=list)
    can_correct: bool = False

    @property
    def visible(self):
        return bool(self.decision or self.can_decide or self.parcours)

    @property
    def awaiting_decision(self):
        return self.decision is None and self.demande.state == DemandeState.AVIS_RENDU


@register.simple_tag
def decision_panel(demande, user):
    """`{% decision_panel demande user as panel %}`"""
    panel = Panel(demande=demande)
    # The decision with what the panel shows of it, its term and AFIS included, in one query.
    # The decision in force and those it corrected, in one query: what the panel shows of them, their
    # term and AFIS included.
    decisions = list(
        Decision.objects.select_related("signataire", "production_courriers", "periode__afis", "supersedes")
        .filter(demande=demande)
        .order_by("pk")
    )
    panel.decision = next((d for d in decisions if d.superseded_at is None), None)
    # Decisions corrected since, with their letters, kept and shown as superseded.
    panel.superseded = [d for d in decisions if d.superseded_at is not None]
    if panel.superseded:
        letters = access.courriers_visible_to(user).filter(decision__in=panel.superseded).order_by("pk")
        for old in panel.superseded:
            old.visible_letters = [letter for letter in letters if letter.decision_id == old.pk]
    panel.can_decide = (
        panel.decision is None
        and demande.state == DemandeState.AVIS_RENDU
        and access.demandes_decidable_by(user).filter(pk=demande.pk).exists()
    )
    if panel.decision is not None:
        panel.letters = list(
            access.courriers_visible_to(user).filter(decision=panel.decision).order_by("generated_at", "pk")
        )
        panel.production = getattr(panel.decision, "production_courriers", None)
        panel.can_relaunch = access.produces_letters(user)
        panel.periode = getattr(panel.decision, "periode", None)
        panel.can_correct = (
            access.decides(user) and access.demandes_decidable_by(user).filter(pk=demande.pk).exists()
        )
    panel.parcours = demande.parcours
    if panel.parcours is not None:
        parcours = panel.parcours
        if panel.periode is None:
            panel.periode = (
                Periode.objects.select_related("afis").filter(parcours=parcours).order_by("-number").first()
            )
        panel.afis = getattr(panel.periode, "afis", None) if panel.periode else None
        panel.can_reassess_afis = bool(panel.afis and panel.afis.pending and access.is_secretariat(user))
        length = parcours_workflow.length_of(parcours)
        panel.months_authorised, panel.cap_months = length.months, length.cap
        panel.remaining_months = length.remaining
        panel.titre = titres.current(parcours)
        panel.permit_details = access.sees_permit_details(user)
        if panel.titre is not None and panel.permit_details:
            panel.permit_history = list(
                panel.titre.evenements.filter(transition="issue").order_by("-at", "-pk")[1:]
            )
    return panel
