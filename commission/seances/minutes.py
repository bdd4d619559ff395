"""The minutes (procès-verbal) of a closed session, rendered once as PDF (CRPA R133-13)."""

import logging

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from commission import private_files
from commission.pdf import html_to_pdf
from commission.seances import counting
from commission.seances.enums import PresenceStatus, SeanceState
from commission.seances.models import ProcesVerbal, Seance

logger = logging.getLogger(__name__)


def context_for(seance):
    presences = seance.presences.select_related(
        "mandat__user", "mandat__organisation", "proxy_to__user", "substitute__user"
    ).order_by("mandat__organisation__name")
    points = (
        seance.points.select_related("demande__beneficiaire", "presenting_association", "avis")
        .prefetch_related("interets__mandat__user", "interets__mandat__organisation")
        .order_by("order")
    )
    return {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "quorum": counting.quorum(seance),
        "present": [p for p in presences if p.status in (PresenceStatus.PRESENT, PresenceStatus.VISIO)],
        "represented": [p for p in presences if p.status == PresenceStatus.REPRESENTE],
        "proxies": [p for p in presences if p.status == PresenceStatus.MANDAT],
        "excused": [p for p in presences if p.status in (PresenceStatus.EXCUSE, PresenceStatus.ABSENT)],
        "points": points,
        "generated_at": timezone.localtime(),
    }


def render_pdf(seance) -> bytes:
    return html_to_pdf(render_to_string("commission/minutes/proces_verbal.html", context_for(seance)))


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
