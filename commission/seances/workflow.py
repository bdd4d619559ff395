"""The commission's sessions: agenda, convocations, attendance, quorum, votes, opinions.

The only code that changes a session's or an agenda item's state. Rules (CRPA R133-3 to R133-15, by
way of CASF R121-12-6): convocation with the agenda at least 5 days before the meeting except in
urgency; substitutes and proxies (one proxy per holder); quorum when at least half of the members
entitled to sit are present (video counts), represented or have given a proxy, waived after a new
convocation on the same agenda; opinions by majority of the votes of the members present or
represented, the casting vote of the president who chairs in person deciding a tie; a member with a
personal interest in a matter takes no part in it (R133-12). Our stricter choice on conflicts of
interest: the association that presents a dossier does not vote on it. A session is held on its date:
opened that day only, otherwise rescheduled (and convened again) or cancelled.
"""

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission import outbox
from commission.enums import MandatRole, SeanceKind
from commission.models import Mandat
from commission.seances import notifications as seance_notifications
from commission.seances.counting import (
    IN_PERSON,
    Quorum,
    Tally,
    chair_seat,
    has_interest,
    is_recused,
    outcome,
    quorum,
    seats_cast_by,
    seats_without_vote,
    tally,
    voting_seats,
)
from commission.seances.enums import PointKind, PointState, PresenceStatus, SeanceState, VoteChoice
from commission.seances.models import (
    Avis,
    Convocation,
    InteretPersonnel,
    PointOrdreDuJour,
    Presence,
    Seance,
    Vote,
)
from commission.seances.tasks import schedule_minutes
from commission.transitions import UNCHANGED, Machine, Transition, WorkflowError
from parcours.enums import DemandeKind
from parcours.models import RegleParcours
from parcours.pseudonymise import Redactor
from parcours.workflow import demandes as demandes_workflow


def required_notice_days(on) -> int:
    """How many days before a session the convocation must reach the members (CRPA R133-8), as the
    dated rule in force on `on` says (parcours.RegleParcours.notice_days)."""
    return RegleParcours.in_force(on).notice_days


S = SeanceState
# A session: prepared (its agenda set), convened (5 days' notice, or urgency), opened on its day, closed
# with its minutes; rescheduled (convened again) or cancelled before it is held; ended without quorum
# when it is reconvened (CRPA R133-10).
# Acts that change no state (the agenda, the attendance) are recorded in the same history.
SEANCE = Machine(
    field="state",
    log_model="seances.SeanceEvenement",
    log_fk="seance",
    refusal=_("Impossible : la séance est « %(state)s »."),
    transitions=[
        Transition("create", (), S.PREPAREE, _("Création")),
        Transition("add_point", (S.PREPAREE, S.CONVOQUEE), UNCHANGED, _("Dossier inscrit à l’ordre du jour")),
        Transition(
            "remove_point", (S.PREPAREE, S.CONVOQUEE), UNCHANGED, _("Dossier retiré de l’ordre du jour")
        ),
        Transition("convene", (S.PREPAREE, S.CONVOQUEE), S.CONVOQUEE, _("Convocation")),
        Transition("reschedule", (S.PREPAREE, S.CONVOQUEE), UNCHANGED, _("Report à une autre date")),
        Transition("record_presence", (S.CONVOQUEE, S.OUVERTE), UNCHANGED, _("Présence relevée")),
        Transition("open", (S.CONVOQUEE,), S.OUVERTE, _("Ouverture")),
        Transition("close", (S.OUVERTE,), S.CLOSE, _("Clôture")),
        Transition("cancel", (S.PREPAREE, S.CONVOQUEE), S.ANNULEE, _("Annulation")),
        Transition(
            "reconvene",
            (S.CONVOQUEE, S.OUVERTE),
            (S.ANNULEE, S.CLOSE),
            _("Défaut de quorum : nouvelle convocation"),
        ),
    ],
)

P = PointState
# An agenda item: to examine, then the commission's opinion, or postponed to a later session.
POINT = Machine(
    field="state",
    log_model="seances.PointEvenement",
    log_fk="point",
    refusal=_("Ce point est « %(state)s »."),
    transitions=[
        Transition("add", (), P.A_EXAMINER, _("Inscription")),
        Transition("change_vote", (P.A_EXAMINER,), UNCHANGED, _("Vote modifié")),
        Transition("record_interest", (P.A_EXAMINER,), UNCHANGED, _("Intérêt personnel d’un membre")),
        Transition("give_opinion", (P.A_EXAMINER,), P.CLOS, _("Avis rendu")),
        Transition("postpone", (P.A_EXAMINER,), P.AJOURNE, _("Ajournement")),
    ],
)


def allowed_transitions(seance) -> list[str]:
    return SEANCE.allowed(seance)


def _locked(seance):
    return Seance.objects.select_for_update().select_related("commission").get(pk=seance.pk)


# --- Preparing -------------------------------------------------------------------------------------


@transaction.atomic
def create_seance(
    *,
    commission,
    starts_at,
    kind=SeanceKind.INDIVIDUELLE,
    place="",
    video_link="",
    urgent=False,
    urgency_reason="",
    reconvened_from=None,
    user=None,
) -> Seance:
    _check_schedule(starts_at, place, video_link, urgent, urgency_reason)
    seance = Seance(
        commission=commission,
        kind=kind,
        starts_at=starts_at,
        place=place,
        video_link=video_link,
        urgent=urgent,
        urgency_reason=urgency_reason if urgent else "",
        no_quorum_required=reconvened_from is not None,
        reconvened_from=reconvened_from,
    )
    return SEANCE.apply(seance, "create", user=user)


def _check_schedule(starts_at, place, video_link, urgent, urgency_reason):
    if starts_at <= timezone.now():
        raise WorkflowError(_("La séance doit avoir lieu dans le futur."))
    if not place.strip() and not video_link.strip():
        raise WorkflowError(_("Indiquez un lieu ou un lien de visioconférence."))
    if urgent and not urgency_reason.strip():
        raise WorkflowError(_("Indiquez le motif de l’urgence : il figurera au procès-verbal."))


def can_add_points(seance) -> bool:
    """The agenda takes new items until the session is opened, except after a lack of quorum: the new
    convocation is on the same agenda (CRPA R133-10)."""
    return SEANCE.can(seance, "add_point") and seance.reconvened_from_id is None


@transaction.atomic
def add_point(seance, *, demande, user) -> PointOrdreDuJour:
    """Put an admissible application on the agenda; the association that accompanies it presents it.
    A proposal to end a pathway early is examined as such; any other application is examined.
    A session reconvened without quorum keeps the agenda of the first one: nothing is added (R133-10)."""
    seance = _locked(seance)
    if not SEANCE.can(seance, "add_point"):
        raise WorkflowError(_("L’ordre du jour d’une séance ouverte ou close ne change plus."))
    if seance.reconvened_from_id is not None:
        raise WorkflowError(
            _(
                "Cette séance est une nouvelle convocation après un défaut de quorum : elle délibère sur le "
                "même ordre du jour, sans dossier nouveau (CRPA R133-10). Inscrivez ce dossier à une autre "
                "séance."
            )
        )
    return _add_point(seance, demande=demande, user=user)


def _add_point(seance, *, demande, user) -> PointOrdreDuJour:
    if seance.kind != SeanceKind.INDIVIDUELLE:
        raise WorkflowError(_("Une séance de politique départementale n’examine pas de dossier individuel."))
    if demande.commission_id != seance.commission_id:
        raise WorkflowError(_("Ce dossier relève d’une autre commission."))
    demandes_workflow.put_on_agenda(demande, user=user)
    order = (seance.points.aggregate(m=Max("order"))["m"] or 0) + 1
    point = PointOrdreDuJour(
        seance=seance,
        demande=demande,
        order=order,
        kind=point_kind_for(demande),
        presenting_association=demande.association,
    )
    POINT.apply(point, "add", user=user)
    SEANCE.apply(seance, "add_point", user=user, reason=_point_reason(point))
    return point


def point_kind_for(demande) -> str:
    return PointKind.FIN_ANTICIPEE if demande.kind == DemandeKind.FIN_ANTICIPEE else PointKind.EXAMEN


def _point_reason(point, reason=""):
    """How the session's history names an item: its order and application, never the person."""
    label = _("point %(order)s, demande %(demande)s") % {"order": point.order, "demande": point.demande_id}
    return f"{label} : {reason}" if reason else label


@transaction.atomic
def remove_point(point, *, user, reason=""):
    seance = _locked(point.seance)
    point = PointOrdreDuJour.objects.select_related("demande").get(pk=point.pk)
    if not SEANCE.can(seance, "remove_point"):
        raise WorkflowError(_("L’ordre du jour d’une séance ouverte ou close ne change plus."))
    if point.state != PointState.A_EXAMINER:
        raise WorkflowError(
            _("Ce point est déjà réglé (avis rendu ou ajourné) : il reste à l’ordre du jour.")
        )
    demandes_workflow.remove_from_agenda(point.demande, user=user, reason=reason)
    SEANCE.apply(seance, "remove_point", user=user, reason=_point_reason(point, reason))
    point.delete()


def members_to_convene(seance):
    """Titular members entitled to sit in this kind of session on its date, and their substitutes."""
    on = timezone.localdate(seance.starts_at)
    titulaires = (
        Mandat.objects.filter(commission=seance.commission, role=MandatRole.TITULAIRE)
        .active(on)
        .sitting_in(seance.kind)
    )
    substitutes = Mandat.objects.filter(titulaire__in=titulaires).active(on)
    return (titulaires | substitutes).select_related("user", "organisation")


def notice_days(seance, sent_at) -> int:
    return (timezone.localdate(seance.starts_at) - timezone.localdate(sent_at)).days


@transaction.atomic
def convene(seance, *, user, now=None) -> list[Convocation]:
    """Send the convocation with the pseudonymised agenda to each member and substitute (CRPA R133-8).

    Refused less than five days before the meeting unless the session is marked urgent with a reason.
    Sending again (agenda changed) re-sends to everyone and records the new date.
    """
    seance = _locked(seance)
    if not SEANCE.can(seance, "convene"):
        raise WorkflowError(SEANCE.refusal_of(seance))
    now = now or timezone.now()
    if seance.starts_at <= now:
        raise WorkflowError(
            _(
                "La date de la séance est passée : reportez-la à une nouvelle date, puis convoquez les membres."
            )
        )
    required = required_notice_days(timezone.localdate(seance.starts_at))
    if notice_days(seance, now) < required and not seance.urgent:
        raise WorkflowError(
            _(
                "La convocation doit parvenir aux membres au moins %(days)s jours avant la séance. "
                "Reportez la séance, ou déclarez l’urgence en indiquant son motif."
            )
            % {"days": required}
        )
    mandats = list(members_to_convene(seance))
    if not mandats:
        raise WorkflowError(
            _("Aucun membre en fonction à convoquer : vérifiez les mandats de la commission.")
        )
    # Members whose mandate ended before the session are no longer convened (CRPA R133-4).
    seance.convocations.exclude(mandat__in=mandats).delete()
    convocations = []
    for mandat in mandats:
        # sent_at is stamped when the e-mail leaves (commission.outbox), not now.
        convocation, _created = Convocation.objects.update_or_create(
            seance=seance, mandat=mandat, defaults={"sent_at": None}
        )
        convocations.append(convocation)
    SEANCE.apply(
        seance, "convene", user=user, reason=_("%(count)s membres convoqués") % {"count": len(mandats)}
    )
    version = now.strftime("%Y%m%dT%H%M%S%f")
    emails = [seance_notifications.queue_convocation(c, version) for c in convocations]
    outbox.send_after_commit(row.pk for row in emails if row is not None)
    return convocations


@transaction.atomic
def reschedule(
    seance, *, user, starts_at, place="", video_link="", urgent=False, urgency_reason="", reason=""
) -> Seance:
    """Move a session not yet opened to a new date, place or link. A convened session is convened again
    at once, and the notice rule applies again: five days before the new date, unless urgency is
    declared with its reason (CRPA R133-8). The history keeps both dates."""
    seance = _locked(seance)
    if not SEANCE.can(seance, "reschedule"):
        raise WorkflowError(_("Seule une séance qui n’est pas encore ouverte peut être reportée."))
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif du report : il figure dans l’historique de la séance."))
    _check_schedule(starts_at, place, video_link, urgent, urgency_reason)
    previous = seance.starts_at
    seance.starts_at, seance.place, seance.video_link = starts_at, place, video_link
    seance.urgent, seance.urgency_reason = urgent, urgency_reason.strip() if urgent else ""
    label = _("Séance reportée du %(before)s au %(after)s : %(reason)s") % {
        "before": timezone.localtime(previous).strftime("%d/%m/%Y %H:%M"),
        "after": timezone.localtime(starts_at).strftime("%d/%m/%Y %H:%M"),
        "reason": reason.strip(),
    }
    SEANCE.apply(
        seance,
        "reschedule",
        user=user,
        reason=label,
        extra_fields=["starts_at", "place", "video_link", "urgent", "urgency_reason"],
        previous_starts_at=previous,
        new_starts_at=starts_at,
    )
    if seance.state == SeanceState.CONVOQUEE:
        convene(seance, user=user)
    return seance


@transaction.atomic
def cancel(seance, *, user, reason: str):
    """Cancel a session not yet held, with its reason; its items go back to the admissible list."""
    seance = _locked(seance)
    if not SEANCE.can(seance, "cancel"):
        raise WorkflowError(SEANCE.refusal_of(seance))
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de l’annulation."))
    # Items already postponed belong to their dossier's history (the dossier may be on a later agenda).
    pending = seance.points.filter(state=PointState.A_EXAMINER).select_related("demande")
    # Members read the reason in their e-mail: masked while the agenda's persons are still known.
    persons = [point.demande.beneficiaire for point in seance.points.select_related("demande__beneficiaire")]
    members_reason = Redactor(*persons)(reason.strip())
    for point in pending:
        demandes_workflow.remove_from_agenda(point.demande, user=user, reason=reason)
        SEANCE.apply(seance, "remove_point", user=user, reason=_point_reason(point, reason.strip()))
    pending.delete()
    convened = list(seance.convocations.select_related("mandat__user")) if seance.is_convened else []
    cancelled = SEANCE.apply(seance, "cancel", user=user, reason=reason.strip())
    # The members already convened are told, by e-mail written with the cancellation (it says why).
    emails = [seance_notifications.queue_cancellation(c, members_reason) for c in convened]
    outbox.send_after_commit(row.pk for row in emails if row is not None)
    return cancelled


# --- Attendance and quorum -------------------------------------------------------------------------


@transaction.atomic
def record_presence(seance, *, mandat, status, proxy_to=None, substitute=None, user=None) -> Presence:
    """Attendance of a titular member: present (room or video), represented by their substitute, proxy
    given to another member (one proxy per holder, CRPA R133-7), excused or absent. A member replaced
    by their substitute gives no proxy (R133-7: only a member who is not replaced may give one)."""
    seance = _locked(seance)
    if substitute is not None and proxy_to is not None:
        raise WorkflowError(
            _(
                "Un membre remplacé par son suppléant ne donne pas de mandat (CRPA R133-7) : indiquez soit "
                "le suppléant qui siège, soit le membre qui reçoit le mandat, pas les deux."
            )
        )
    if not SEANCE.can(seance, "record_presence"):
        raise WorkflowError(_("La présence se relève pour une séance convoquée ou ouverte."))
    if mandat.role != MandatRole.TITULAIRE or not seance.convocations.filter(mandat=mandat).exists():
        raise WorkflowError(_("Seuls les membres titulaires convoqués figurent sur la feuille de présence."))
    if status not in PresenceStatus.values:
        raise WorkflowError(_("Statut de présence inconnu."))
    if status == PresenceStatus.REPRESENTE:
        if substitute is None or substitute.titulaire_id != mandat.pk:
            raise WorkflowError(
                _("Indiquez le suppléant ou la suppléante de ce membre qui siège à sa place.")
            )
    else:
        substitute = None
    if status == PresenceStatus.MANDAT:
        _check_proxy(seance, mandat, proxy_to)
    else:
        proxy_to = None
    if seance.presences.filter(proxy_to=mandat).exists() and status not in IN_PERSON:
        raise WorkflowError(
            _("Ce membre détient un mandat : il doit être présent pour l’exercer. Retirez d’abord ce mandat.")
        )
    presence, _created = Presence.objects.update_or_create(
        seance=seance,
        mandat=mandat,
        defaults={"status": status, "proxy_to": proxy_to, "substitute": substitute},
    )
    SEANCE.apply(seance, "record_presence", user=user, reason=f"mandat {mandat.pk} : {status}")
    return presence


# Present members first (a proxy can only go to someone present), then proxies given, then the rest
# (a member who held a proxy may be marked absent once the proxy has moved to someone else).
_RECORDING_ORDER = {PresenceStatus.PRESENT: 0, PresenceStatus.VISIO: 0, PresenceStatus.MANDAT: 1}


def recording_order(status) -> int:
    """Where a line of the attendance sheet comes when the whole sheet is recorded at once."""
    return _RECORDING_ORDER.get(status, 2)


def _check_proxy(seance, giver, holder):
    if holder is None:
        raise WorkflowError(_("Indiquez le membre qui reçoit le mandat."))
    if holder.pk == giver.pk:
        raise WorkflowError(_("Un membre ne peut pas se donner mandat à lui-même."))
    if holder.role != MandatRole.TITULAIRE or not seance.convocations.filter(mandat=holder).exists():
        raise WorkflowError(_("Le mandat ne peut être donné qu’à un autre membre convoqué à la séance."))
    holder_presence = seance.presences.filter(mandat=holder).first()
    if holder_presence is None or holder_presence.status not in IN_PERSON:
        raise WorkflowError(
            _("Le membre qui reçoit le mandat doit être présent (en salle ou en visioconférence).")
        )
    if seance.presences.filter(proxy_to=holder).exclude(mandat=giver).exists():
        raise WorkflowError(_("Ce membre détient déjà un mandat : nul ne peut en détenir plus d’un."))


def default_chair(seance) -> Mandat | None:
    """The president if present in person (room or video), or the substitute who sits in their place."""
    presence = (
        seance.presences.filter(mandat__is_president=True).select_related("mandat", "substitute").first()
    )
    if presence is None:
        return None
    if presence.status in IN_PERSON:
        return presence.mandat
    if presence.status == PresenceStatus.REPRESENTE:
        return presence.substitute
    return None


def opening_refusal(seance, today=None) -> str:
    """Why the session cannot be opened today, or "": a session is held on its date."""
    today = today or timezone.localdate()
    day = timezone.localdate(seance.starts_at)
    if today < day:
        return _(
            "La séance est fixée au %(date)s : elle ne peut être ouverte que ce jour-là. Pour la tenir "
            "plus tôt, reportez-la (la convocation repart ; déclarez l’urgence si le délai de %(days)s jours "
            "ne peut pas être tenu)."
        ) % {"date": day.strftime("%d/%m/%Y"), "days": required_notice_days(day)}
    if today > day:
        return _(
            "La séance était fixée au %(date)s, date passée : elle ne peut plus être ouverte. Reportez-la "
            "à une nouvelle date (les membres sont convoqués de nouveau) ou annulez-la."
        ) % {"date": day.strftime("%d/%m/%Y")}
    return ""


@transaction.atomic
def open_seance(seance, *, user) -> Seance:
    """Open the session on its day (CRPA R133-8: the members are convened for that date), recording
    who chairs: the president present in person (room or video), or the substitute who sits in their
    place (R133-3). The casting vote is theirs (R133-11); a member holding the absent president's
    proxy does not chair and has no casting vote."""
    seance = _locked(seance)
    if not SEANCE.can(seance, "open"):
        raise WorkflowError(SEANCE.refusal_of(seance))
    refusal = opening_refusal(seance)
    if refusal:
        raise WorkflowError(refusal)
    seance.chaired_by = default_chair(seance)
    reason = (
        _("présidée par le mandat %(pk)s") % {"pk": seance.chaired_by.pk}
        if seance.chaired_by
        else _("sans présidence en personne : pas de voix prépondérante")
    )
    return SEANCE.apply(seance, "open", user=user, reason=reason, extra_fields=["chaired_by"])


# --- Votes -----------------------------------------------------------------------------------------


def _check_can_deliberate(point):
    seance = point.seance
    if seance.state != SeanceState.OUVERTE:
        raise WorkflowError(_("Les votes ne sont ouverts que pendant la séance."))
    if not POINT.can(point, "give_opinion"):
        raise WorkflowError(_("Ce point est clos : le vote n’est plus possible."))
    if not quorum(seance).reached:
        raise WorkflowError(
            _(
                "Le quorum n’est pas atteint : la commission ne peut pas rendre d’avis. Convoquez une nouvelle "
                "séance sur le même ordre du jour, qui pourra délibérer sans condition de quorum."
            )
        )


@transaction.atomic
def cast_vote(point, *, caster: Mandat, seat: Mandat, choice: str, comment: str = "") -> Vote:
    """One vote per seat and item, changeable until the item is closed."""
    point = PointOrdreDuJour.objects.select_for_update().select_related("seance", "demande").get(pk=point.pk)
    _check_can_deliberate(point)
    if choice not in VoteChoice.values:
        raise WorkflowError(_("Choisissez favorable, défavorable ou abstention."))
    if seat.pk not in {s.pk for s in seats_cast_by(point, caster)}:
        raise WorkflowError(
            _(
                "Vous ne pouvez voter que pour votre siège, si vous êtes présent, ou pour le membre que vous représentez."
            )
        )
    if not seat.voting:
        raise WorkflowError(_("Ce siège n’a pas voix délibérative."))
    if is_recused(point, seat) or is_recused(point, caster):
        raise WorkflowError(
            _("L’association qui présente ce dossier ne prend pas part au vote : elle donne son propre avis.")
        )
    if has_interest(point, seat) or has_interest(point, caster):
        raise WorkflowError(
            _(
                "Un intérêt personnel à ce dossier est enregistré : ce membre ne prend part ni à la "
                "délibération ni au vote sur ce point (CRPA R133-12)."
            )
        )
    previous = Vote.objects.filter(point=point, mandat=seat).values_list("choice", flat=True).first()
    vote, _created = Vote.objects.update_or_create(
        point=point,
        mandat=seat,
        defaults={"cast_by": caster, "choice": choice, "comment": comment.strip(), "cast_at": timezone.now()},
    )
    if previous is not None and previous != choice:
        POINT.apply(point, "change_vote", user=caster.user, reason=f"siège {seat.pk} : {previous} → {choice}")
    return vote


_NO_CHAIR_ON_TIE = gettext_lazy(
    "Partage des voix et personne ne préside la séance en personne : il n’y a pas de voix prépondérante "
    "(la personne qui détient le mandat du président ne l’exerce pas). Ajournez le point."
)


@transaction.atomic
def close_point(
    point, *, user, dissent: str = "", hands: Tally | None = None, president_choice=None, confirmed=False
) -> Avis:
    """Close the vote: the opinion follows the majority of the votes of the members present or
    represented (CRPA R133-11), recorded on the application (CASF L121-9).

    `hands`: in a room that votes partly online, the show of hands of the seats that did not vote
    online completes the count; it cannot exceed those seats. Seats left without a vote need
    `confirmed` (the screen lists them first). On a tie, the vote of the member who chairs in person
    decides: their online vote, or `president_choice` when they voted by show of hands."""
    point = PointOrdreDuJour.objects.select_for_update().select_related("seance", "demande").get(pk=point.pk)
    _check_can_deliberate(point)
    hands = hands or Tally(0, 0, 0)
    if min(hands.favorable, hands.defavorable, hands.abstentions) < 0:
        raise WorkflowError(_("Les nombres de voix ne peuvent pas être négatifs."))
    missing = seats_without_vote(point)
    if hands.total > len(missing):
        raise WorkflowError(
            _(
                "%(total)s voix à main levée saisies, mais %(missing)s siège(s) présent(s) ou représenté(s) "
                "seulement n’ont pas voté en ligne : corrigez le décompte."
            )
            % {"total": hands.total, "missing": len(missing)}
        )
    if hands.total < len(missing) and not confirmed:
        raise WorkflowError(
            _("%(count)s siège(s) pouvant voter n’ont pas voté : confirmez la clôture du vote.")
            % {"count": len(missing) - hands.total},
            details={"missing": missing},
        )
    counts = tally(point) + hands
    chair = chair_seat(point)
    chair_choice = None
    if chair is not None:
        chair_vote = point.votes.filter(mandat=chair).first()
        chair_choice = chair_vote.choice if chair_vote else president_choice
    if counts.expressed and counts.favorable == counts.defavorable and chair is None:
        raise WorkflowError(_NO_CHAIR_ON_TIE)
    favorable, casting = outcome(counts, chair_choice)
    return _give_opinion(
        point,
        user,
        counts,
        favorable,
        casting,
        by_show_of_hands=False,
        dissent=dissent,
        hand_counted=hands.total,
    )


@transaction.atomic
def record_show_of_hands(
    point, *, user, favorable: int, defavorable: int, abstentions: int, president_choice=None, dissent=""
) -> Avis:
    """The secretariat enters the tally of a vote by show of hands, checked against the seats present
    or represented that may vote on the item."""
    point = PointOrdreDuJour.objects.select_for_update().select_related("seance", "demande").get(pk=point.pk)
    _check_can_deliberate(point)
    if min(favorable, defavorable, abstentions) < 0:
        raise WorkflowError(_("Les nombres de voix ne peuvent pas être négatifs."))
    seats = len(voting_seats(point))
    if favorable + defavorable + abstentions > seats:
        raise WorkflowError(
            _(
                "%(total)s voix saisies pour %(seats)s membres présents ou représentés pouvant voter sur ce point."
            )
            % {"total": favorable + defavorable + abstentions, "seats": seats}
        )
    if point.votes.exists():
        raise WorkflowError(
            _(
                "Des membres ont déjà voté en ligne sur ce point : clôturez ce vote, en saisissant à la "
                "clôture le décompte à main levée des sièges qui n’ont pas voté en ligne."
            )
        )
    counts = Tally(favorable, defavorable, abstentions)
    chair = chair_seat(point)
    if counts.favorable == counts.defavorable and chair is None and counts.expressed:
        raise WorkflowError(_NO_CHAIR_ON_TIE)
    result, casting = outcome(counts, president_choice)
    return _give_opinion(
        point,
        user,
        counts,
        result,
        casting,
        by_show_of_hands=True,
        dissent=dissent,
        hand_counted=counts.total,
    )


def _give_opinion(point, user, counts, favorable, casting, *, by_show_of_hands, dissent, hand_counted=0):
    avis = Avis.objects.create(
        point=point,
        favorable=favorable,
        votes_favorable=counts.favorable,
        votes_defavorable=counts.defavorable,
        abstentions=counts.abstentions,
        casting_vote_used=casting,
        by_show_of_hands=by_show_of_hands,
        hand_counted_votes=hand_counted,
        dissent=dissent.strip(),
    )
    POINT.apply(point, "give_opinion", user=user, reason="favorable" if favorable else "defavorable")
    demandes_workflow.record_avis(
        point.demande,
        favorable=favorable,
        on=timezone.localdate(),  # the day the opinion is given
        user=user,
        reason=f"seance {point.seance_id} point {point.order}",
    )
    return avis


@transaction.atomic
def postpone_point(point, *, user, reason: str) -> PointOrdreDuJour:
    """Postpone to a later session with a reason; the application goes back to the secretariat's list."""
    point = PointOrdreDuJour.objects.select_for_update().select_related("seance", "demande").get(pk=point.pk)
    if not POINT.can(point, "postpone"):
        raise WorkflowError(_("Ce point est déjà clos."))
    if point.seance.state not in (SeanceState.CONVOQUEE, SeanceState.OUVERTE):
        raise WorkflowError(_("Seul un point d’une séance convoquée ou ouverte peut être ajourné."))
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de l’ajournement : il figurera au procès-verbal."))
    demandes_workflow.postpone(point.demande, user=user, reason=reason)
    point.postponement_reason = reason.strip()
    return POINT.apply(
        point, "postpone", user=user, reason=reason.strip(), extra_fields=["postponement_reason"]
    )


@transaction.atomic
def close_seance(seance, *, user) -> Seance:
    """Close the session once every item has an opinion or is postponed; the minutes are then produced."""
    seance = _locked(seance)
    if not SEANCE.can(seance, "close"):
        raise WorkflowError(SEANCE.refusal_of(seance))
    if seance.points.to_examine().exists():
        raise WorkflowError(_("Chaque point doit avoir un avis ou être ajourné avant de clore la séance."))
    seance.closed_at = timezone.now()
    SEANCE.apply(seance, "close", user=user, extra_fields=["closed_at"])
    schedule_minutes(seance)
    return seance


@transaction.atomic
def reconvene(seance, *, user, starts_at, place="", video_link="", urgent=False, urgency_reason="") -> Seance:
    """Without quorum: a new session on the same agenda, which deliberates without quorum (CRPA R133-10)."""
    seance = _locked(seance)
    if not SEANCE.can(seance, "reconvene"):
        raise WorkflowError(_("Seule une séance convoquée ou ouverte peut être reconvoquée."))
    if quorum(seance).reached:
        raise WorkflowError(_("Le quorum est atteint : la séance peut délibérer."))
    new = create_seance(
        commission=seance.commission,
        kind=seance.kind,
        starts_at=starts_at,
        place=place or seance.place,
        video_link=video_link or seance.video_link,
        urgent=urgent,
        urgency_reason=urgency_reason,
        reconvened_from=seance,
        user=user,
    )
    reason = _("Défaut de quorum : nouvelle convocation le %(date)s.") % {
        "date": timezone.localtime(starts_at).strftime("%d/%m/%Y")
    }
    for point in (
        seance.points.filter(state=PointState.A_EXAMINER).select_related("demande").order_by("order")
    ):
        postpone_point(point, user=user, reason=reason)
        _add_point(_locked(new), demande=point.demande, user=user)
    if seance.state == SeanceState.OUVERTE:
        # The minutes record who was there and that the quorum was not reached (CRPA R133-13).
        seance.closed_at = timezone.now()
        SEANCE.apply(
            seance, "reconvene", user=user, target=S.CLOSE, reason=reason, extra_fields=["closed_at"]
        )
        schedule_minutes(seance)
    else:
        SEANCE.apply(seance, "reconvene", user=user, target=S.ANNULEE, reason=reason)
    return new


def can_reconvene(seance, quorum_now, attendance_recorded) -> bool:
    """Offered once attendance shows the quorum is not reached (CRPA R133-10)."""
    return SEANCE.can(seance, "reconvene") and attendance_recorded and not quorum_now.reached


# --- Personal interest -----------------------------------------------------------------------------


def interest_candidates(seance):
    """The members who may be recorded with a personal interest: those convened, or, before the
    convocation, those who would be."""
    if seance.convocations.exists():
        return Mandat.objects.filter(convocations__seance=seance).select_related("user", "organisation")
    return members_to_convene(seance)


@transaction.atomic
def record_interest(point, *, mandat, user, declared_by_member=False) -> InteretPersonnel:
    """A member with a personal interest in the matter takes no part in its deliberation nor its
    vote (CRPA R133-12): recorded by the secretariat, or declared by the member on the item's page.
    A vote they already cast on the item, for their seat or for another, is withdrawn."""
    point = PointOrdreDuJour.objects.select_for_update().select_related("seance").get(pk=point.pk)
    if not POINT.can(point, "record_interest") or point.seance.is_finished:
        raise WorkflowError(_("Ce point est réglé : l’intérêt personnel ne s’enregistre plus."))
    if declared_by_member and mandat.user_id != user.pk:
        raise WorkflowError(_("Un membre ne déclare un intérêt personnel que pour lui-même."))
    if not interest_candidates(point.seance).filter(pk=mandat.pk).exists():
        raise WorkflowError(_("Ce membre n’est pas convoqué à la séance."))
    if point.interets.filter(mandat=mandat).exists():
        raise WorkflowError(_("Cet intérêt personnel est déjà enregistré pour ce point."))
    interest = InteretPersonnel.objects.create(
        point=point, mandat=mandat, declared_by_member=declared_by_member, recorded_by=user
    )
    withdrawn, _deleted = (
        Vote.objects.filter(point=point).filter(Q(mandat=mandat) | Q(cast_by=mandat)).delete()
    )
    reason = _("mandat %(pk)s") % {"pk": mandat.pk}
    if declared_by_member:
        reason += _(" (déclaré par le membre)")
    if withdrawn:
        reason += _(" ; %(count)s vote(s) retiré(s)") % {"count": withdrawn}
    POINT.apply(point, "record_interest", user=user, reason=reason)
    return interest


def vote_window_is_open(point) -> bool:
    try:
        _check_can_deliberate(point)
    except WorkflowError:
        return False
    return True


__all__ = [
    "POINT",
    "SEANCE",
    "Quorum",
    "Tally",
    "WorkflowError",
    "add_point",
    "allowed_transitions",
    "can_add_points",
    "can_reconvene",
    "cancel",
    "chair_seat",
    "default_chair",
    "cast_vote",
    "close_point",
    "close_seance",
    "convene",
    "create_seance",
    "members_to_convene",
    "open_seance",
    "outcome",
    "interest_candidates",
    "opening_refusal",
    "point_kind_for",
    "postpone_point",
    "quorum",
    "reconvene",
    "record_interest",
    "record_presence",
    "record_show_of_hands",
    "recording_order",
    "is_recused",
    "remove_point",
    "reschedule",
    "seats_cast_by",
    "seats_without_vote",
    "tally",
    "voting_seats",
]
