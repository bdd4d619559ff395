"""The daily reminders (Celery beat, parcours.tasks.daily_reminders) and each user's pending ones.

Who is reminded of what:
- the accompanying association, 60, 30 and 15 days before a pathway's term ends, to file the renewal
  (not when the renewal is filed or refused, nor when the pathway has reached its 24-month cap);
- the foreigners' service, of the residence permits to issue or renew, and of those expiring within
  30 days;
- the secretariat, of the admissible dossiers waiting for a session for more than the commission's
  `waiting_alert_days`.

The scan is one query per kind of reminder, on the indexed columns (pathway state and term end, permit
state and validity, application state), never a loop over the pathways (the waiting dossiers take a
second, tiny query: the distinct alert delays of the commissions). Each reminder has a key
(kind, object, and the date it is about) under a unique constraint: rows are inserted with
`ignore_conflicts`, so a second run the same day inserts nothing new.

Which rows a run must e-mail: `bulk_create(ignore_conflicts=True)` does not say which rows it inserted,
and under two overlapping runs either may have inserted any of them. So the e-mail is not tied to the
insertion but to `notified_at`: a run locks the unnotified rows of one recipient (`SELECT … FOR UPDATE
SKIP LOCKED`), writes the e-mails in the outbox (commission.outbox) and sets `notified_at` in the same
transaction. The other run skips the locked rows, or, once committed, finds them notified. A run that
died before committing leaves its rows unnotified, and the next run writes them. The outbox then sends
each e-mail once, retrying a mail server that is down.
"""

import datetime
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from beneficiaires.models import Accompagnement
from commission import outbox
from commission.access import association_of, departement_id_of
from commission.enums import Role
from commission.models import Commission, EmailKind
from parcours import access, notifications
from parcours.enums import DemandeKind, DemandeState, ParcoursState, RappelKind, TitreSejourState
from parcours.models import Demande, Parcours, Periode, Rappel, RegleParcours, TitreSejour
from parcours.models.courriers import PERMIT_KINDS, TERM_KINDS

logger = logging.getLogger(__name__)

# (kind, days before the term ends, the next lower threshold): each reminder has its window, so a day
# the job did not run is caught up the next day, and a pathway first seen 20 days before its term gets
# the 30-day reminder, then the 15-day one, never the three at once.
TERM_REMINDERS = (
    (RappelKind.ECHEANCE_60, 60, 30),
    (RappelKind.ECHEANCE_30, 30, 15),
    (RappelKind.ECHEANCE_15, 15, -1),
)
PERMIT_EXPIRY_DAYS = 30
PERMIT_TO_ISSUE = (TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER)
WAITING = (DemandeState.RECEVABLE, DemandeState.AJOURNEE)
# A renewal in these states leaves the association something to do: file it.
RENEWAL_NOT_FILED = (DemandeState.BROUILLON, DemandeState.RETIREE, DemandeState.ACCEPTEE)


# --- the scan --------------------------------------------------------------------------------------


def _term_rows(today):
    """Pathways whose term ends in each window, still renewable, with no renewal filed."""
    current_association = Accompagnement.objects.filter(
        beneficiaire=OuterRef("beneficiaire"), end__isnull=True
    ).values("association")[:1]
    last_renewal_state = (
        Demande.objects.filter(parcours=OuterRef("pk"), kind=DemandeKind.RENOUVELLEMENT)
        .order_by("-created_at", "-pk")
        .values("state")[:1]
    )
    months = (
        Periode.objects.filter(parcours=OuterRef("pk"))
        .values("parcours")
        .annotate(total=Sum("months"))
        .values("total")
    )
    cap = (
        RegleParcours.objects.filter(effective_from__lte=OuterRef("current_term_end"))
        .order_by("-effective_from")
        .values("cap_months")[:1]
    )
    for kind, days, lower in TERM_REMINDERS:
        rows = (
            Parcours.objects.active()
            .filter(
                current_term_end__gt=today + datetime.timedelta(days=lower),
                current_term_end__lte=today + datetime.timedelta(days=days),
            )
            .annotate(
                association_id=Subquery(current_association),
                last_renewal_state=Subquery(last_renewal_state),
                months=Subquery(months),
                cap=Subquery(cap),
            )
            .filter(association_id__isnull=False, months__lt=F("cap"))
            .filter(Q(last_renewal_state__isnull=True) | Q(last_renewal_state__in=RENEWAL_NOT_FILED))
            .values_list("pk", "commission_id", "association_id", "current_term_end")
        )
        for pk, commission_id, association_id, term_end in rows:
            yield Rappel(
                kind=kind,
                key=f"{kind}:parcours:{pk}:{term_end.isoformat()}",
                commission_id=commission_id,
                organisation_id=association_id,
                parcours_id=pk,
                due_on=term_end,
            )


def _of_parcours(field):
    """A column of the permit's pathway, read by primary key for each permit (an index probe per permit
    found, rather than a join that would read every pathway of the country)."""
    return Subquery(Parcours.objects.filter(pk=OuterRef("parcours_id")).values(field)[:1])


def _permit_to_issue_rows():
    """Permits to issue or renew on a pathway in progress: once per permit, state and term."""
    rows = (
        TitreSejour.objects.filter(state__in=PERMIT_TO_ISSUE)
        .annotate(
            parcours_state=_of_parcours("state"),
            commission_id=_of_parcours("commission_id"),
            started_on=_of_parcours("started_on"),
            term_end=_of_parcours("current_term_end"),
        )
        .filter(parcours_state=ParcoursState.EN_COURS)
        .values_list("pk", "state", "valid_until", "parcours_id", "commission_id", "started_on", "term_end")
    )
    for pk, state, valid_until, parcours_id, commission_id, started_on, term_end in rows:
        yield Rappel(
            kind=RappelKind.APS_A_DELIVRER,
            key=f"{RappelKind.APS_A_DELIVRER}:titre:{pk}:{state}:{term_end.isoformat()}",
            commission_id=commission_id,
            parcours_id=parcours_id,
            titre_sejour_id=pk,
            # A first permit is due from the start of the pathway; a renewal, when the current one ends.
            due_on=valid_until or started_on,
        )


def _permit_expiring_rows(today):
    rows = (
        TitreSejour.objects.expiring_within(PERMIT_EXPIRY_DAYS, today)
        .annotate(commission_id=_of_parcours("commission_id"))
        .values_list("pk", "valid_until", "parcours_id", "commission_id")
    )
    for pk, valid_until, parcours_id, commission_id in rows:
        yield Rappel(
            kind=RappelKind.APS_EXPIRE,
            key=f"{RappelKind.APS_EXPIRE}:titre:{pk}:{valid_until.isoformat()}",
            commission_id=commission_id,
            parcours_id=parcours_id,
            titre_sejour_id=pk,
            due_on=valid_until,
        )


def _waiting_rows(now):
    """Admissible dossiers waiting for a session longer than their commission's alert delay.

    The delay is per commission; rather than date arithmetic on a column (which SQLite cannot do), the
    few distinct delays in use are read first, and the dossiers come in one query with one condition
    per delay."""
    delays = Commission.objects.values_list("waiting_alert_days", flat=True).distinct()
    late = Q(pk__in=[])
    for days in delays:
        late |= Q(commission__waiting_alert_days=days, admissible_at__lte=now - datetime.timedelta(days=days))
    rows = Demande.objects.filter(late, state__in=WAITING).values_list(
        "pk", "commission_id", "admissible_at", "commission__waiting_alert_days"
    )
    for pk, commission_id, admissible_at, days in rows:
        admissible_on = timezone.localtime(admissible_at).date()
        yield Rappel(
            kind=RappelKind.DOSSIER_EN_ATTENTE,
            key=f"{RappelKind.DOSSIER_EN_ATTENTE}:demande:{pk}:{admissible_on.isoformat()}",
            commission_id=commission_id,
            demande_id=pk,
            due_on=admissible_on + datetime.timedelta(days=days),
        )


def scan(today=None, now=None) -> list[Rappel]:
    today = today or timezone.localdate()
    now = now or timezone.now()
    return [
        *_term_rows(today),
        *_permit_to_issue_rows(),
        *_permit_expiring_rows(today),
        *_waiting_rows(now),
    ]


# --- resolved reminders ----------------------------------------------------------------------------


def resolved(today) -> Q:
    """Reminders whose subject needs nothing more: the renewal is filed, the term moved or passed, the
    permit issued, the dossier on an agenda. Used by the daily job and by the home page alike."""
    filed_renewal = Demande.objects.filter(
        parcours=OuterRef("parcours"), kind=DemandeKind.RENOUVELLEMENT
    ).exclude(state__in=RENEWAL_NOT_FILED)
    return (
        Q(kind__in=TERM_KINDS)
        & (
            Q(parcours__state=ParcoursState.TERMINE)
            | ~Q(parcours__current_term_end=F("due_on"))
            | Q(due_on__lt=today)
            | Exists(filed_renewal)
        )
        | Q(kind=RappelKind.APS_A_DELIVRER) & ~Q(titre_sejour__state__in=PERMIT_TO_ISSUE)
        | Q(kind=RappelKind.APS_EXPIRE)
        & (
            ~Q(titre_sejour__state=TitreSejourState.DELIVRE)
            | ~Q(titre_sejour__valid_until=F("due_on"))
            | Q(due_on__lt=today)
        )
        | Q(kind=RappelKind.DOSSIER_EN_ATTENTE) & ~Q(demande__state__in=WAITING)
    )


def close_resolved(today) -> int:
    return Rappel.objects.filter(done_at__isnull=True).filter(resolved(today)).update(done_at=timezone.now())


# --- sending ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    reference: str
    due_on: datetime.date
    url: str


def _audience(rappel):
    """(who, to whom): the recipients of a reminder, as a key to group one e-mail per recipient."""
    if rappel.kind in TERM_KINDS:
        return ("association", rappel.organisation_id)
    if rappel.kind in PERMIT_KINDS:
        return ("etrangers", rappel.commission.departement_id)
    return ("secretariat", rappel.commission_id)


def _recipients(audience, rappel):
    who, target = audience
    if who == "association":
        return notifications.association_users(rappel.organisation)
    if who == "etrangers":
        return notifications.etrangers_users(target)
    return notifications.secretariat_users(rappel.commission)


def _line(rappel) -> Line:
    return Line(
        label=rappel.get_kind_display(),
        reference=rappel.person.reference,
        due_on=rappel.due_on,
        url=settings.SITE_URL.rstrip("/") + rappel.get_absolute_url(),
    )


def _queue_group(audience, pks, today) -> tuple[int, list[int]]:
    """Lock the group's unnotified reminders, write one e-mail per recipient in the outbox, mark them,
    in one transaction. Returns (reminders notified, the outbox rows written)."""
    with transaction.atomic():
        rappels = list(
            Rappel.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=pks, notified_at__isnull=True)
            .select_related("commission", "organisation", "parcours__beneficiaire", "demande__beneficiaire")
            .order_by("due_on", "pk")
        )
        if not rappels:
            return 0, []
        recipients = sorted(_recipients(audience, rappels[0]).values_list("pk", "email"))
        context = {"lines": [_line(r) for r in rappels], "today": today}
        subject = render_to_string("parcours/emails/rappels_subject.txt", context)
        body = render_to_string("parcours/emails/rappels_body.txt", context)
        # The key names the recipient's account and the reminders, never an address or a name.
        digest = hashlib.sha256(",".join(str(r.pk) for r in rappels).encode()).hexdigest()[:32]
        # One e-mail per recipient: no one learns who else receives it. With no recipient (no active
        # account), the reminders are still marked: they wait on the home page.
        emails = [
            outbox.queue(
                email, subject, body, kind=EmailKind.RAPPELS, key=f"rappels:{pk}:{digest}", send=False
            )
            for pk, email in recipients
        ]
        Rappel.objects.filter(pk__in=[r.pk for r in rappels]).update(notified_at=timezone.now())
    return len(rappels), [row.pk for row in emails if row is not None]


def queue_pending(today) -> tuple[int, list[int]]:
    """Write in the outbox the e-mails of every reminder not yet notified, one per recipient and
    audience. Returns (reminders notified, the outbox rows written)."""
    waiting = Rappel.objects.filter(notified_at__isnull=True, done_at__isnull=True).select_related(
        "commission"
    )
    groups = defaultdict(list)
    for rappel in waiting:
        groups[_audience(rappel)].append(rappel.pk)
    notified, emails = 0, []
    for audience, pks in groups.items():
        group_notified, group_emails = _queue_group(audience, pks, today)
        notified += group_notified
        emails += group_emails
    return notified, emails


def _send(emails) -> int:
    """Send the reminders' e-mails now; a mail server that is down leaves them to the outbox's retrying
    task (and to its periodic run)."""
    try:
        return outbox.send_pending(emails)
    except OSError as error:
        logger.warning("Reminder e-mails not sent now (%s): left to the outbox", type(error).__name__)
        outbox.send_after_commit(emails)
        return 0


def run(today=None) -> dict:
    """The daily job: close what is resolved, record today's reminders, e-mail those not yet sent."""
    today = today or timezone.localdate()
    closed = close_resolved(today)
    rows = scan(today)
    Rappel.objects.bulk_create(rows, ignore_conflicts=True)
    notified, emails = queue_pending(today)
    sent = _send(emails) if emails else 0
    return {"scanned": len(rows), "closed": closed, "notified": notified, "emails": len(emails), "sent": sent}


# --- the home page ---------------------------------------------------------------------------------


def pending_for(user, today=None):
    """The reminders a user has to act on: the association, for the pathways of the persons it
    accompanies now; the foreigners' service and the secretariat, for their département."""
    today = today or timezone.localdate()
    if not user.is_authenticated:
        return Rappel.objects.none()
    scope = Q(pk__in=[])
    if association_of(user) is not None:
        scope |= Q(kind__in=TERM_KINDS, parcours__in=access.parcours_visible_to(user))
    service_departement = departement_id_of(user, Role.ETRANGERS)
    if service_departement:
        scope |= Q(kind__in=PERMIT_KINDS, commission__departement_id=service_departement)
    secretariat_departement = departement_id_of(user, Role.SECRETARIAT)
    if secretariat_departement:
        scope |= Q(kind=RappelKind.DOSSIER_EN_ATTENTE, commission__departement_id=secretariat_departement)
    return (
        Rappel.objects.filter(scope, done_at__isnull=True)
        .exclude(resolved(today))
        .select_related("parcours__beneficiaire", "demande__beneficiaire")
        .order_by("due_on", "pk")
    )
