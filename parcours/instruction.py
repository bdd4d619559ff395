"""The secretariat's completeness check (instruction): who instructs, the inbox, the checklist of each
kind of application, the probable duplicates across associations, and who speaks for which side of a
dossier's thread.

Completeness is the secretariat's judgement (domain step 3): the checklist shows what the dossier
holds; an unticked item does not forbid « recevable », it asks the secretariat to confirm.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours import access
from parcours.enums import Axe, DemandeKind, DemandeState, SituationEmploi
from parcours.models import Demande, DemandeEvenement
from parcours.models.demandes import REQUIRED_DOCUMENTS

# An organisational alert, not a legal time limit: a dossier waiting longer than this for its
# completeness check is highlighted in the inbox.
LONG_WAIT_DAYS = 15


# --- the inbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    demande: Demande
    waited_days: int | None
    long_wait: bool


def inbox(user, today: datetime.date | None = None) -> list[InboxRow]:
    """The submitted dossiers awaiting their check, oldest first, with the days each has waited.

    One query, whatever the number of rows: the person and the association are joined, the last
    resubmission and the probable-duplicate flag are subqueries."""
    today = today or timezone.localdate()
    last_resubmission = (
        DemandeEvenement.objects.filter(demande=OuterRef("pk"), transition="resubmit")
        .order_by("-at")
        .values("at")[:1]
    )
    demandes = (
        access.demandes_to_instruct(user)
        .filter(state=DemandeState.DEPOSEE)
        .select_related("beneficiaire", "association")
        .annotate(
            resubmitted_at=Subquery(last_resubmission),
            has_probable_duplicate=Exists(
                _same_person_elsewhere(
                    OuterRef("beneficiaire__identity_key"), OuterRef("beneficiaire"), OuterRef("commission")
                )
            ),
        )
        .order_by("submitted_at", "pk")
    )
    rows = []
    for demande in demandes:
        waited = None
        if demande.submitted_at:
            waited = (today - timezone.localtime(demande.submitted_at).date()).days
        rows.append(
            InboxRow(
                demande=demande, waited_days=waited, long_wait=waited is not None and waited > LONG_WAIT_DAYS
            )
        )
    return rows


# --- the checklist -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    group: str
    done: bool
    hint: str = ""  # what is missing, in the words the caseworker's form uses
    url: str = ""  # a present document: its download, so the secretariat reads what it ticks


@dataclass(frozen=True)
class ChecklistGroup:
    title: str
    items: list

    @property
    def done_count(self):
        return sum(item.done for item in self.items)


GROUP_DOSSIER = _("Engagement, évaluation et situation")
GROUP_PROJET = _("Projet d’insertion sociale et professionnelle")
GROUP_DOCUMENTS = _("Pièces justificatives")


def _parts(demande) -> list[tuple[str, str, str]]:
    """(key of `Demande.missing_parts`, label, group) of every part the kind of application needs."""
    if demande.kind == DemandeKind.FIN_ANTICIPEE:
        return [
            ("evaluation_association", _("Motifs de la proposition de fin anticipée"), GROUP_DOSSIER),
        ]
    parts = [
        ("engagement_signed_on", _("Date de l’engagement signé par la personne"), GROUP_DOSSIER),
        ("evaluation_association", _("Évaluation de l’association"), GROUP_DOSSIER),
        ("situation_emploi", _("Situation professionnelle"), GROUP_DOSSIER),
    ]
    if demande.situation_emploi == SituationEmploi.EN_EMPLOI:
        parts.append(("type_contrat", _("Type de contrat"), GROUP_DOSSIER))
    parts.append(("logement", _("Situation de logement"), GROUP_DOSSIER))
    for axe in Axe:
        parts.append((f"objectif_{axe.value}", _("Objectifs : %(axe)s") % {"axe": axe.label}, GROUP_PROJET))
        if demande.kind == DemandeKind.RENOUVELLEMENT:
            parts.append((f"progres_{axe.value}", _("Bilan : %(axe)s") % {"axe": axe.label}, GROUP_PROJET))
    return parts


def checklist(demande, documents=None) -> list[ChecklistGroup]:
    """What a complete dossier of this kind holds, each part ticked or not.

    Derived from `Demande.missing_parts()` (the same rule that guards the filing) and from the current
    version of each document; a part `missing_parts` reports that this list does not know is shown
    too, so that the checklist can never look complete while the filing rule says otherwise."""
    missing = demande.missing_parts()
    items = []
    known = set()
    for key, label, group in _parts(demande):
        known.add(key)
        items.append(ChecklistItem(key, label, group, done=key not in missing, hint=missing.get(key, "")))
    required = {f"document_{kind.value}": kind for kind in REQUIRED_DOCUMENTS[demande.kind]}
    for key, hint in missing.items():
        if key not in known and key not in required:
            items.append(ChecklistItem(key, hint, GROUP_DOSSIER, done=False, hint=hint))
    present = {}  # kind -> the latest current document of that kind
    for document in current_documents(demande) if documents is None else documents:
        present.setdefault(document.kind, document)
    for key, kind in required.items():
        document = present.get(kind.value)
        done = key not in missing
        items.append(
            ChecklistItem(
                key,
                kind.label,
                GROUP_DOCUMENTS,
                done=done,
                hint="" if done else _("Aucune pièce de ce type n’a été jointe."),
                url=reverse("parcours:document_download", args=[document.pk]) if document else "",
            )
        )
    groups = []
    for title in (GROUP_DOSSIER, GROUP_PROJET, GROUP_DOCUMENTS):
        group_items = [item for item in items if item.group == title]
        if group_items:
            groups.append(ChecklistGroup(title=title, items=group_items))
    return groups


def current_documents(demande):
    """The dossier's documents in their current version (a replaced one is history), newest first."""
    return demande.documents.filter(replaced_by__isnull=True).order_by("kind", "-uploaded_at", "-pk")


def is_checklist_complete(groups: list[ChecklistGroup]) -> bool:
    return all(item.done for group in groups for item in group.items)


# --- probable duplicates across associations -----------------------------------------------------


def _same_person_elsewhere(identity_key, beneficiaire, commission):
    """Submitted applications to the commission for another person record with the same identity key
    (names and birth date, accents and case aside: beneficiaires.identity). Drafts stay the
    association's; a person without a known birth date (empty key) matches nobody."""
    return (
        Demande.objects.submitted()
        .filter(commission=commission, beneficiaire__identity_key=identity_key)
        .exclude(beneficiaire=beneficiaire)
        .exclude(beneficiaire__identity_key="")
    )


def probable_duplicates(demande, user):
    """The secretariat's view of the applications that probably concern the same person through
    another person record (typically another association's). Only the secretariat sees them: the
    associations are never told of each other."""
    if not access.is_secretariat(user) or not demande.beneficiaire.identity_key:
        return Demande.objects.none()
    same_person = _same_person_elsewhere(
        demande.beneficiaire.identity_key, demande.beneficiaire_id, demande.commission_id
    )
    return (
        (access.demandes_to_instruct(user) & same_person)
        .select_related("beneficiaire", "association")
        .order_by("submitted_at", "pk")
    )
