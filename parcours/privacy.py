"""Retention and the right of access.

Retention: once a person has no open application and no pathway running, and the last of their
files ended more than settings.RETENTION_DAYS_AFTER_END days ago — or, for a person registered
without any application, once that delay has passed since the last change of their record and the
end of their last accompaniment —, their identity, contact and free-text fields are erased, their
documents and letters deleted; what the annual report needs stays (pseudonymous reference,
nationalities, sex, dates, states, decisions, employment and housing categories, terms).

The anonymisation reaches everything written about the person: the application's texts and events,
the values of their change history (django-auditlog), and, through the `person_anonymised` signal
that commission.seances connects (parcours knows nothing of the sessions), the vote comments,
dissent, postponement and urgency reasons of their sessions and the stored minutes, rendered again.
Private files that no row points to any more (a rollback after a write, a replaced file) are swept.

Right of access (RGPD art. 15): everything held on one person, in one PDF.
"""

import datetime
import logging
import time

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone

from beneficiaires.models import Accompagnement, Beneficiaire
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
    ParcoursEvenement,
    TitreSejour,
    TitreSejourEvenement,
)

logger = logging.getLogger(__name__)
ERASED = "[anonymisé]"
# The value the change history shows for an erased value (the same as commission.audit.mask_value).
HISTORY_MASK = "•••"

# Sent inside the anonymisation's transaction, before the identity is erased, with `person`: the apps
# above parcours (the sessions) mask what they wrote about the person while its names are known.
person_anonymised = Signal()

# The fields whose values the anonymisation erases, per model: their old values go from the history too.
ERASED_FIELDS = {
    Beneficiaire: [
        "last_name",
        "first_names",
        "usage_name",
        "birth_date",
        "birth_place",
        "languages",
        "phone",
        "address",
        "identity_key",
        "ressources_mensuelles",
    ],
    Demande: [
        "formation",
        "evaluation_association",
        "avis_association_motifs",
        "withdrawal_reason",
        "ressources_foyer",
    ],
    ObjectifInsertion: ["objectives", "actions", "progress"],
    Document: ["original_name"],
    Decision: ["motifs"],
    Message: ["body"],
    TitreSejour: ["number"],
}


def _limit(today):
    return (today or timezone.localdate()) - datetime.timedelta(days=settings.RETENTION_DAYS_AFTER_END)


def due_for_anonymisation(today=None):
    """Persons whose files are all closed, the last one ended before the retention limit, and persons
    registered without any application whose record rests since the retention limit."""
    limit = _limit(today)
    ids = set(_due_with_files(limit).values_list("pk", flat=True))
    ids |= set(_due_without_application(limit).values_list("pk", flat=True))
    return Beneficiaire.objects.filter(pk__in=ids).order_by("pk")


def _due_without_application(limit):
    """No application ever, no accompaniment still open, and neither the record (its creation and its
    last change in the history) nor the last accompaniment moved since `limit`."""
    content_type = ContentType.objects.get_for_model(Beneficiaire)
    last_change = (
        LogEntry.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        .order_by("-timestamp")
        .values("timestamp")[:1]
    )
    limit_start = timezone.make_aware(datetime.datetime.combine(limit, datetime.time.min))
    return (
        Beneficiaire.objects.filter(anonymised_at__isnull=True, created_at__lt=limit_start)
        .exclude(Exists(Demande.objects.filter(beneficiaire=OuterRef("pk"))))
        .exclude(Exists(Accompagnement.objects.filter(beneficiaire=OuterRef("pk"), end__isnull=True)))
        .exclude(Exists(Accompagnement.objects.filter(beneficiaire=OuterRef("pk"), end__gte=limit)))
        .annotate(last_change=Subquery(last_change))
        .filter(Q(last_change__isnull=True) | Q(last_change__lt=limit_start))
    )


def _due_with_files(limit):
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
    # First, while the names are known: the sessions mask what they wrote about the person.
    person_anonymised.send(sender=Beneficiaire, person=person)
    history = _history_of(person)
    files = list(Document.objects.filter(demande__beneficiaire=person).values_list("file_path", flat=True))
    # Decision letters, and the notices of a pathway's end (withdrawal, departure) that have no decision.
    letters = Courrier.objects.filter(
        Q(decision__demande__beneficiaire=person) | Q(parcours__beneficiaire=person)
    )
    files += list(letters.values_list("file_path", flat=True))
    Document.objects.filter(demande__beneficiaire=person, replaced_by__isnull=False).update(replaced_by=None)
    Document.objects.filter(demande__beneficiaire=person).delete()
    letters.delete()
    Message.objects.filter(demande__beneficiaire=person).delete()
    ObjectifInsertion.objects.filter(demande__beneficiaire=person).update(
        objectives="", actions="", progress=""
    )
    DemandeEvenement.objects.filter(demande__beneficiaire=person).update(reason="")
    ParcoursEvenement.objects.filter(parcours__beneficiaire=person).update(reason="")
    Demande.objects.filter(beneficiaire=person).update(
        formation="",
        evaluation_association="",
        avis_association_motifs="",
        withdrawal_reason="",
        ressources_foyer=None,
    )
    Decision.objects.filter(demande__beneficiaire=person).exclude(motifs="").update(motifs=ERASED)
    # A correcting decision must keep a reason (constraint): its text is erased, not emptied.
    Decision.objects.filter(demande__beneficiaire=person).exclude(correction_reason="").update(
        correction_reason=ERASED
    )
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
    for model, pks in history.items():
        mask_history(model, pks, ERASED_FIELDS[model])
    AccessLog.objects.create(
        user=user,
        action=AuditAction.ANONYMISE,
        object_type=person._meta.label,
        object_id=str(person.pk),
        person_id=person.pk,
    )
    # Files go once the rows are committed: a rollback must not leave rows pointing at nothing.
    transaction.on_commit(lambda: [private_files.delete(path) for path in files])


def _history_of(person):
    """The rows of `person` whose history holds values the anonymisation erases (taken before the
    deletions: a deleted document's or message's history stays)."""
    of_person = {
        Beneficiaire: [person.pk],
        Demande: Demande.objects.filter(beneficiaire=person),
        ObjectifInsertion: ObjectifInsertion.objects.filter(demande__beneficiaire=person),
        Document: Document.objects.filter(demande__beneficiaire=person),
        Decision: Decision.objects.filter(demande__beneficiaire=person),
        Message: Message.objects.filter(demande__beneficiaire=person),
        TitreSejour: TitreSejour.objects.filter(parcours__beneficiaire=person),
    }
    return {
        model: list(rows if isinstance(rows, list) else rows.values_list("pk", flat=True))
        for model, rows in of_person.items()
    }


def mask_history(model, pks, fields) -> int:
    """Replace in the change history of `model` rows `pks` the values of `fields` by the mask.

    The history stays (who changed which field, when); the values go. On PostgreSQL the history table
    refuses updates (migration commission 0006); parcours 0010 lets through an update that changes only
    the values, asked for in this transaction with the `psp.masking_history` setting."""
    if not pks:
        return 0
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    entries = LogEntry.objects.filter(content_type=content_type, object_id__in=list(pks)).exclude(
        changes=None
    )
    masked = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('psp.masking_history', 'on', true)")
        for entry in entries.only("pk", "changes"):
            changes = entry.changes if isinstance(entry.changes, dict) else {}
            new = {
                field: [HISTORY_MASK if value not in (None, "", "None") else value for value in values]
                if field in fields and isinstance(values, list)
                else values
                for field, values in changes.items()
            }
            if new != changes:
                LogEntry.objects.filter(pk=entry.pk).update(changes=new, changes_text="")
                masked += 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('psp.masking_history', 'off', true)")
    return masked


def anonymise_due(today=None) -> list[int]:
    done = []
    for person in due_for_anonymisation(today):
        anonymise(person)
        done.append(person.pk)
    logger.info("Anonymised %d persons: %s", len(done), done)
    return done


# --- Private files no row points to ----------------------------------------------------------------

# A file written moments ago may be waiting for its row to commit: only older files are orphans.
ORPHAN_GRACE_SECONDS = 24 * 3600


def referenced_files() -> set[str]:
    """Every private file a row points to: the `file_path` of every model that has one (documents,
    letters, minutes, exports — found by the field, so that no app above parcours is imported)."""
    paths = set()
    for model in apps.get_models():
        if any(field.name == "file_path" for field in model._meta.concrete_fields):
            paths |= set(model._default_manager.exclude(file_path="").values_list("file_path", flat=True))
    return paths


def orphan_files(now=None) -> list[str]:
    """Private files no row points to, written more than a day ago (relative paths)."""
    now = now or time.time()
    root = private_files.root().resolve()
    referenced = referenced_files()
    orphans = []
    for path in private_files.all_files():
        relative = str(path.resolve().relative_to(root))
        if relative not in referenced and now - path.stat().st_mtime > ORPHAN_GRACE_SECONDS:
            orphans.append(relative)
    return orphans


def delete_orphan_files(now=None) -> list[str]:
    orphans = orphan_files(now)
    for relative in orphans:
        private_files.delete(relative)
    logger.info("Deleted %d private files no row pointed to", len(orphans))
    return orphans


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
        "courriers": Courrier.objects.filter(
            Q(decision__demande__beneficiaire=person) | Q(parcours__beneficiaire=person)
        ).select_related("decision"),
        "accesses": AccessLog.objects.filter(person_id=person.pk).select_related("user").order_by("at"),
        "generated_at": timezone.localtime(),
    }


def access_report_pdf(person) -> bytes:
    return html_to_pdf(render_to_string("parcours/privacy/access_report.html", access_report_context(person)))
