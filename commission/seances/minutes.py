"""The minutes (procès-verbal) of a closed session, rendered as PDF (CRPA R133-13).

Every member of the session reads them: every free text in them (urgency reason, dissent, vote
comments, postponement reasons) goes through the pseudonymisation's masking function, built with every
person on the agenda. They are rendered once when the session closes, and again when a person on the
agenda is anonymised (`rerender`), so that no stored copy keeps what the anonymisation erased."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from commission import jobs, private_files
from commission.pdf import html_to_pdf
from commission.seances import counting
from commission.seances.enums import PresenceStatus, SeanceState
from commission.seances.models import ProcesVerbal, Seance, Vote
from parcours.pseudonymise import Redactor

logger = logging.getLogger(__name__)


def context_for(seance):
    presences = seance.presences.select_related(
        "mandat__user", "mandat__organisation", "proxy_to__user", "substitute__user"
    ).order_by("mandat__organisation__name")
    points = list(
        seance.points.select_related("demande__beneficiaire", "presenting_association", "avis")
        .prefetch_related(
            "interets__mandat__user",
            "interets__mandat__organisation",
            Prefetch("votes", queryset=Vote.objects.exclude(comment="").order_by("pk")),
        )
        .order_by("order")
    )
    redact = Redactor(*(point.demande.beneficiaire for point in points))
    items = [
        {
            "point": point,
            "dissent": redact(point.avis.dissent) if hasattr(point, "avis") else "",
            "postponement_reason": redact(point.postponement_reason),
            "comments": [redact(vote.comment) for vote in point.votes.all()],
        }
        for point in points
    ]
    return {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "quorum": counting.quorum(seance),
        "present": [p for p in presences if p.status in (PresenceStatus.PRESENT, PresenceStatus.VISIO)],
        "represented": [p for p in presences if p.status == PresenceStatus.REPRESENTE],
        "proxies": [p for p in presences if p.status == PresenceStatus.MANDAT],
        "excused": [p for p in presences if p.status in (PresenceStatus.EXCUSE, PresenceStatus.ABSENT)],
        "urgency_reason": redact(seance.urgency_reason),
        "items": items,
        "generated_at": timezone.localtime(),
    }


def render_pdf(seance) -> bytes:
    return html_to_pdf(render_to_string("commission/minutes/proces_verbal.html", context_for(seance)))


@transaction.atomic
def rerender(seance_id) -> int | None:
    """Render the stored minutes again from the texts as they are now (after an anonymisation): the
    row points to the new file, the old file goes once the transaction commits."""
    minutes = ProcesVerbal.objects.select_for_update().filter(seance_id=seance_id).first()
    if minutes is None:
        return None
    seance = Seance.objects.select_related("commission").get(pk=seance_id)
    old_path = minutes.file_path
    minutes.file_path, minutes.sha256 = private_files.write("minutes", render_pdf(seance), ".pdf")
    minutes.generated_at = timezone.now()
    minutes.save(update_fields=["file_path", "sha256", "generated_at"])
    # The old file goes once the row points to the new one; after a rollback the new file is an orphan
    # that the sweep of files no row points to (parcours.privacy.orphan_files) deletes.
    transaction.on_commit(lambda: private_files.delete(old_path))
    return minutes.pk


def render_and_store(seance_id) -> int | None:
    """Idempotent: the OneToOne on the session means one stored file, whatever the retries."""
    seance = Seance.objects.select_related("commission").get(pk=seance_id)
    if seance.state != SeanceState.CLOSE:
        logger.warning("Minutes not rendered for session %s: not closed", seance_id)
        return None
    existing = ProcesVerbal.objects.filter(seance=seance).first()
    if existing:
        return existing.pk
    relative, digest = private_files.write("minutes", render_pdf(seance), ".pdf")
    try:
        with transaction.atomic():
            minutes = ProcesVerbal.objects.create(seance=seance, file_path=relative, sha256=digest)
    except IntegrityError:
        # Another run stored them first: keep theirs, drop this copy.
        private_files.delete(relative)
        return ProcesVerbal.objects.get(seance=seance).pk
    return minutes.pk


# --- awaited minutes ---------------------------------------------------------------------------------

RENDER_TASK = "commission.tasks.render_minutes"


def awaited(seance) -> bool:
    """The session is closed and its minutes are not stored yet."""
    return seance.state == SeanceState.CLOSE and not ProcesVerbal.objects.filter(seance=seance).exists()


def is_stuck(seance) -> bool:
    """Closed longer ago than the job's hard time limit and still without minutes: the job never ran
    (broker down) or was killed. The session's page offers to produce them again."""
    return (
        awaited(seance) and seance.closed_at is not None and seance.closed_at < jobs.stuck_before(RENDER_TASK)
    )


def awaited_since_sweep_delay() -> list[int]:
    """The sessions closed before the sweep delay that still have no minutes."""
    return list(
        Seance.objects.filter(
            state=SeanceState.CLOSE, closed_at__lt=jobs.sweep_before(), proces_verbal__isnull=True
        ).values_list("pk", flat=True)
    )
