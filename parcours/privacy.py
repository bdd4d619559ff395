"""Retention and the right of access.

Retention: once a person has no open application and no pathway running, and the last of their
files ended more than settings.RETENTION_DAYS_AFTER_END days ago, their identity, contact and
free-text fields are erased, their documents and letters deleted; what the annual report needs stays
(pseudonymous reference, nationalities, sex, dates, states, decisions, employment and housing
categories, terms). Right of access (RGPD art. 15): everything held on one person, in one PDF.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from beneficiaires.models import Beneficiaire
from commission import private_files
from commission.enums import AuditAction
from commission.models import AccessLog
from commission.pdf import html_to_pdf
from parcours.enums import ParcoursState, TitreSejourState
from parcours.models import (
    CLOSED_STATES,
    Courrier,
    Decision,
    Demande,
    DemandeEvenement,
    Document,
    Message,
    ObjectifInsertion,
    Parcours,
    TitreSejour,
    TitreSejourEvenement,
)

logger = logging.getLogger(__name__)
ERASED = "[anonymisé]"


def due_for_anonymisation(today=None):
    """Persons whose files are all closed, the last one ended before the retention limit."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=settings.RETENTION_DAYS_AFTER_END)
    open_demande = Demande.objects.filter(beneficiaire=OuterRef("pk")).exclude(state__in=CLOSED_STATES)
    running = Parcours.objects.filter(beneficiaire=OuterRef("pk"), state=ParcoursState.EN_COURS)
    return (
        Beneficiaire.objects.filter(anonymised_at__isnull=True)
        .exclude(Exists(open_demande))
        .exclude(Exists(running))
        .annotate(
            last_pathway_end=Max("parcours__ended_on"),
            last_decision=Max("demandes__decisions__decided_on"),
            last_withdrawal=Max("demandes__withdrawn_on"),
        )
        .filter(
            Q(last_pathway_end__lt=limit) | Q(last_pathway_end__isnull=True),
            Q(last_decision__lt=limit) | Q(last_decision__isnull=True),
            Q(last_withdrawal__lt=limit) | Q(last_withdrawal__isnull=True),
        )
        .filter(
            Q(last_pathway_end__isnull=False)
            | Q(last_decision__isnull=False)
            | Q(last_withdrawal__isnull=False)
        )
    )


@transaction.atomic
def anonymise(person, *, user=None) -> None:
    person = Beneficiaire.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at:
        return
    files = list(Document.objects.filter(demande__beneficiaire=person).values_list("file_path", flat=True))
    files += list(
        Courrier.objects.filter(decision__demande__beneficiaire=person).values_list("file_path", flat=True)
    )
    Document.objects.filter(demande__beneficiaire=person, replaced_by__isnull=False).update(replaced_by=None)
    Document.objects.filter(demande__beneficiaire=person).delete()
    Courrier.objects.filter(decision__demande__beneficiaire=person).delete()
    Message.objects.filter(demande__beneficiaire=person).delete()
    ObjectifInsertion.objects.filter(demande__beneficiaire=person).update(
        objectives="", actions="", progress=""
    )
    DemandeEvenement.objects.filter(demande__beneficiaire=person).update(reason="")
    Demande.objects.filter(beneficiaire=person).update(
        formation="",
        evaluation_association="",
        avis_association_motifs="",
        withdrawal_reason="",
        ressources_foyer=None,
    )
    Decision.objects.filter(demande__beneficiaire=person).exclude(motifs="").update(motifs=ERASED)
    TitreSejourEvenement.objects.filter(titre__parcours__beneficiaire=person).update(number="")
    TitreSejour.objects.filter(parcours__beneficiaire=person, state=TitreSejourState.DELIVRE).update(
        number=ERASED
    )
    TitreSejour.objects.filter(parcours__beneficiaire=person).exclude(state=TitreSejourState.DELIVRE).update(
        number=""
    )
    for field in ("first_names", "usage_name", "birth_place", "languages", "phone", "address"):
        setattr(person, field, "")
    person.last_name = ERASED
    person.birth_date = None
    person.ressources_mensuelles = None
    person.anonymised_at = timezone.now()
    person.save()
    AccessLog.objects.create(
        user=user,
        action=AuditAction.ANONYMISE,
        object_type=person._meta.label,
        object_id=str(person.pk),
        person_id=person.pk,
    )
    # Files go once the rows are committed: a rollback must not leave rows pointing at nothing.
    transaction.on_commit(lambda: [private_files.delete(path) for path in files])


def anonymise_due(today=None) -> list[int]:
    done = []
    for person in due_for_anonymisation(today):
        anonymise(person)
        done.append(person.pk)
    logger.info("Anonymised %d persons: %s", len(done), done)
    return done


def access_report_context(person):
    demandes = (
        Demande.objects.filter(beneficiaire=person)
        .select_related("association", "commission", "referent")
        .prefetch_related("objectifs", "documents", "messages__author", "evenements__user")
        .order_by("created_at")
    )
    return {
        "person": person,
        "accompagnements": person.accompagnements.select_related("association", "referent").order_by("start"),
        "demandes": demandes,
        "parcours": Parcours.objects.filter(beneficiaire=person)
        .prefetch_related("periodes__afis", "titres_sejour")
        .order_by("started_on"),
        "courriers": Courrier.objects.filter(decision__demande__beneficiaire=person).select_related(
            "decision"
        ),
        "accesses": AccessLog.objects.filter(person_id=person.pk).select_related("user").order_by("at"),
        "generated_at": timezone.localtime(),
    }


def access_report_pdf(person) -> bytes:
    return html_to_pdf(render_to_string("parcours/privacy/access_report.html", access_report_context(person)))
