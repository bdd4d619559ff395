"""The letters of a prefect's decision: rendered once as PDF, stored with their checksum, never edited.

- the notification to the person, sent through the association that accompanies them (every decision);
- the information of the foreigners' service, when a residence permit is at stake (a foreign person
  outside the EU/EEA/Switzerland whose pathway starts, is renewed, or ends);
- the certificate for the body that pays the AFIS (a right opened, or ended early with the pathway).

Idempotent by decision and kind of letter: an existing letter is returned as is; a new one is rendered
outside any transaction and stored; if another run stored it first (the unique constraint on
(decision, kind) answers), this run's file is deleted and theirs is kept. A job that runs twice, or is
redelivered after its worker died, therefore makes neither a missing nor a duplicated letter.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commission import private_files
from commission.pdf import html_to_pdf
from parcours import notifications
from parcours.enums import CourrierKind, DecisionKind, ProductionState, TexteCourrierKind
from parcours.models import (
    Courrier,
    Decision,
    Parcours,
    Periode,
    ProductionCourriers,
    RegleParcours,
    TexteCourrier,
)
from parcours.workflow import parcours as parcours_workflow
from parcours.workflow import titres

logger = logging.getLogger(__name__)

TEMPLATES = {
    CourrierKind.NOTIFICATION: "parcours/letters/notification.html",
    CourrierKind.INFORMATION_ETRANGERS: "parcours/letters/information_etrangers.html",
    CourrierKind.ATTESTATION_AFIS: "parcours/letters/attestation_afis.html",
    CourrierKind.FIN_AFIS: "parcours/letters/fin_afis.html",
}
# Decisions that change what the foreigners' service does: issue, renew, or no longer renew the APS.
PERMIT_AT_STAKE = (
    DecisionKind.AUTORISATION,
    DecisionKind.RENOUVELLEMENT,
    DecisionKind.NON_RENOUVELLEMENT,
    DecisionKind.FIN_ANTICIPEE,
)
# Negative decisions state their reasons and the appeal routes (domain: step 5 of the procedure).
WITH_APPEAL_ROUTES = (DecisionKind.REFUS, DecisionKind.NON_RENOUVELLEMENT, DecisionKind.FIN_ANTICIPEE)


class LetterConfigurationError(Exception):
    """Data the letters need is missing; the message is French and says what to enter."""


# --- what a decision's letters are -----------------------------------------------------------------


def load(decision_id) -> Decision:
    # Seven tables in one join, not nine: PostgreSQL took three times longer to plan the query with the
    # département and the pathway (measured by `make bench`), which two primary-key reads cost less than.
    return Decision.objects.select_related(
        "signataire", "demande__beneficiaire", "demande__association", "demande__commission"
    ).get(pk=decision_id)


def _periode_of(decision):
    """The term a positive decision granted, with its AFIS right (read once per loaded decision: every
    letter of the decision needs it)."""
    if not hasattr(decision, "_letters_periode"):
        decision._letters_periode = (
            Periode.objects.select_related("afis__bareme").filter(decision=decision).first()
        )
    return decision._letters_periode


def _afis_of(decision, periode):
    """(AFIS right the certificate is about, True when it ends early) or (None, False)."""
    if decision.kind in (DecisionKind.AUTORISATION, DecisionKind.RENOUVELLEMENT):
        droit = getattr(periode, "afis", None) if periode else None
        return (droit, False) if droit is not None and droit.eligible else (None, False)
    if decision.kind == DecisionKind.FIN_ANTICIPEE and decision.demande.parcours_id:
        last = (
            Periode.objects.select_related("afis__bareme")
            .filter(parcours_id=decision.demande.parcours_id, afis__eligible=True)
            .order_by("-number")
            .first()
        )
        return (last.afis, True) if last else (None, False)
    return None, False


def kinds_for(decision, periode=None) -> list[str]:
    periode = periode if periode is not None else _periode_of(decision)
    kinds = [CourrierKind.NOTIFICATION]
    if decision.kind in PERMIT_AT_STAKE and decision.demande.beneficiaire.needs_residence_permit():
        kinds.append(CourrierKind.INFORMATION_ETRANGERS)
    if _afis_of(decision, periode)[0] is not None:
        kinds.append(CourrierKind.ATTESTATION_AFIS)
    return kinds


def _appeal_routes(decision):
    if decision.kind not in WITH_APPEAL_ROUTES:
        return ""
    departement = decision.demande.commission.departement
    try:
        return TexteCourrier.in_force(TexteCourrierKind.VOIES_RECOURS, departement, decision.decided_on).text
    except ObjectDoesNotExist:
        raise LetterConfigurationError(
            _(
                "Aucun texte des voies et délais de recours n’est en vigueur à la date de la décision : "
                "saisissez-le dans l’administration (Textes des courriers), puis relancez la production."
            )
        ) from None


def context_for(decision, kind) -> dict:
    """What the letter of this kind shows. The part every letter of the decision shares is read once
    per loaded decision (a decision has up to three letters)."""
    if not hasattr(decision, "_letters_context"):
        decision._letters_context = _shared_context(decision)
    return {**decision._letters_context, "kind": kind, "generated_at": timezone.localtime()}


def _shared_context(decision) -> dict:
    demande = decision.demande
    parcours = demande.parcours
    periode = _periode_of(decision)
    afis, afis_ends = _afis_of(decision, periode)
    rule_day = periode.start if periode else decision.decided_on
    return {
        "decision": decision,
        "demande": demande,
        "person": demande.beneficiaire,
        "commission": demande.commission,
        "departement": demande.commission.departement,
        "association": notifications.current_association(demande),
        "parcours": parcours,
        "periode": periode,
        "months_authorised": parcours_workflow.months_authorised(parcours) if parcours else 0,
        "cap_months": RegleParcours.in_force(rule_day).cap_months,
        "permit_min_months": RegleParcours.in_force(rule_day).permit_min_months,
        "needs_permit": demande.beneficiaire.needs_residence_permit(),
        "titre": titres.current(parcours) if parcours else None,
        "afis": afis,
        "afis_ends": afis_ends,
        "afis_assessed": getattr(periode, "afis", None) if periode else None,
        "appeal_routes": _appeal_routes(decision),
    }


def render(decision, kind) -> bytes:
    # A job has no request: the letters are French whatever the worker's locale.
    with translation.override("fr"):
        return html_to_pdf(render_to_string(TEMPLATES[kind], context_for(decision, kind)))


def filename(courrier) -> str:
    """The name a download gets: the kind and the pseudonymous reference, never the person's name."""
    if courrier.decision_id is None:
        reference = courrier.parcours.beneficiaire.reference
        return f"{courrier.kind}-{reference}-{courrier.parcours.ended_on:%Y%m%d}.pdf"
    reference = courrier.decision.demande.beneficiaire.reference
    return f"{courrier.kind}-{reference}-{courrier.decision.decided_on:%Y%m%d}.pdf"


# --- storing them once -----------------------------------------------------------------------------


def ensure(decision, kind) -> tuple[Courrier, bool]:
    """The letter of this kind for this decision, rendered and stored if it is not yet; (letter, created)."""
    existing = Courrier.objects.filter(decision=decision, kind=kind).first()
    if existing is not None:
        return existing, False
    # Rendering takes seconds: it happens outside any transaction, so no lock is held meanwhile.
    relative, digest = private_files.write(f"courriers/{decision.pk}", render(decision, kind), ".pdf")
    try:
        with transaction.atomic():
            courrier = Courrier.objects.create(
                decision=decision, kind=kind, file_path=relative, sha256=digest
            )
    except IntegrityError:
        # Another run stored this letter first: keep theirs, drop this copy.
        private_files.delete(relative)
        return Courrier.objects.get(decision=decision, kind=kind), False
    logger.info("Letter %s stored for decision %s (courrier %s)", kind, decision.pk, courrier.pk)
    return courrier, True


def produce(decision_id) -> list[Courrier]:
    """Every letter the decision calls for, each stored once."""
    decision = load(decision_id)
    stored = {courrier.kind: courrier for courrier in Courrier.objects.filter(decision=decision)}
    return [stored.get(kind) or ensure(decision, kind)[0] for kind in kinds_for(decision)]


# --- the end of a pathway no decision made (withdrawal, departure) -------------------------------------


def end_notice_context(parcours) -> dict:
    commission = parcours.commission
    return {
        "parcours": parcours,
        "person": parcours.beneficiaire,
        "commission": commission,
        "departement": commission.departement,
        "afis": parcours_workflow.current_afis(parcours),
        "kind": CourrierKind.FIN_AFIS,
        "generated_at": timezone.localtime(),
    }


def produce_end_notice(parcours_id) -> Courrier | None:
    """The notice to the AFIS paying body that the right ends with the pathway the person left; once
    per pathway (unique constraint), None when no right was open."""
    parcours = Parcours.objects.select_related("beneficiaire", "commission__departement").get(pk=parcours_id)
    existing = Courrier.objects.filter(parcours=parcours, kind=CourrierKind.FIN_AFIS).first()
    if existing is not None:
        return existing
    droit = parcours_workflow.current_afis(parcours)
    if parcours.ended_on is None or droit is None or not droit.eligible:
        return None
    with translation.override("fr"):
        content = html_to_pdf(
            render_to_string(TEMPLATES[CourrierKind.FIN_AFIS], end_notice_context(parcours))
        )
    relative, digest = private_files.write(f"courriers/parcours-{parcours.pk}", content, ".pdf")
    try:
        with transaction.atomic():
            courrier = Courrier.objects.create(
                parcours=parcours, kind=CourrierKind.FIN_AFIS, file_path=relative, sha256=digest
            )
    except IntegrityError:
        private_files.delete(relative)
        return Courrier.objects.get(parcours=parcours, kind=CourrierKind.FIN_AFIS)
    logger.info("End notice stored for pathway %s (courrier %s)", parcours.pk, courrier.pk)
    return courrier


# --- the job's progress, read by the batch page ----------------------------------------------------


def job_started(decision_id):
    job, _created = ProductionCourriers.objects.get_or_create(decision_id=decision_id)
    ProductionCourriers.objects.filter(pk=job.pk).update(
        state=ProductionState.EN_COURS, attempts=F("attempts") + 1, started_at=timezone.now()
    )


def job_failed(decision_id, error: Exception, *, final: bool):
    message = str(error) if isinstance(error, LetterConfigurationError) else type(error).__name__
    ProductionCourriers.objects.filter(decision_id=decision_id).update(
        state=ProductionState.ECHEC if final else ProductionState.EN_ATTENTE,
        error=message[:255],
        finished_at=timezone.now() if final else None,
    )


def job_done(decision_id):
    ProductionCourriers.objects.filter(decision_id=decision_id).update(
        state=ProductionState.TERMINEE, error="", finished_at=timezone.now()
    )


# --- telling the association -----------------------------------------------------------------------


def notify_association(decision_id) -> int:
    """E-mail the accompanying association's caseworkers that the decision and its notification are on
    the dossier. Once per decision: the job row is locked while the e-mail goes, and marked in the same
    transaction, so a second run finds it marked (a process killed between the two may send it again:
    at least once rather than never)."""
    with transaction.atomic():
        job = (
            ProductionCourriers.objects.select_for_update(skip_locked=True)
            .filter(decision_id=decision_id, association_notified_at__isnull=True)
            .first()
        )
        if job is None:
            return 0
        decision = load(decision_id)
        sent = notifications.notify_decision(decision)
        job.association_notified_at = timezone.now()
        job.save(update_fields=["association_notified_at"])
    return sent


# --- a session's batch -----------------------------------------------------------------------------


@dataclass
class Progress:
    """Where the letters of a set of decisions stand, read from the database (never from Celery)."""

    rows: list
    total: int = 0
    done: int = 0
    failed: int = 0
    waiting: int = 0
    # Awaited or running past the job's hard time limit: relaunched from the page, not polled for.
    stuck: int = 0
    letters: int = 0

    @property
    def running(self):
        return self.waiting > 0

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 100


@dataclass(frozen=True)
class Row:
    decision: Decision
    job: ProductionCourriers | None
    letters: int

    @property
    def state(self):
        return self.job.state if self.job else None


def progress_of(decisions) -> Progress:
    """`decisions`: a queryset; two queries whatever its size."""
    decisions = list(decisions.select_related("demande__beneficiaire", "production_courriers").order_by("pk"))
    counts = dict(
        Courrier.objects.filter(decision__in=decisions)
        .values("decision_id")
        .annotate(n=Count("pk"))
        .values_list("decision_id", "n")
    )
    rows = [Row(d, getattr(d, "production_courriers", None), counts.get(d.pk, 0)) for d in decisions]
    progress = Progress(rows=rows, total=len(rows), letters=sum(counts.values()))
    for row in rows:
        if row.state == ProductionState.TERMINEE:
            progress.done += 1
        elif row.state == ProductionState.ECHEC:
            progress.failed += 1
        elif row.job.is_stuck:
            progress.stuck += 1
        elif row.state in (ProductionState.EN_ATTENTE, ProductionState.EN_COURS):
            progress.waiting += 1
    return progress
