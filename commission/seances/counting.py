"""How the room counts (CRPA R133-10, R133-11): quorum, who votes for which seat, the tally and the
majority with the president's casting vote. Pure reading: the workflow and the minutes use it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from commission.enums import MandatRole
from commission.models import Mandat
from commission.seances.enums import PresenceStatus, VoteChoice
from parcours.workflow import WorkflowError

# Attendance that counts towards the quorum, and seats whose vote can be cast.
COUNTED = (PresenceStatus.PRESENT, PresenceStatus.VISIO, PresenceStatus.REPRESENTE, PresenceStatus.MANDAT)
IN_PERSON = (PresenceStatus.PRESENT, PresenceStatus.VISIO)


@dataclass(frozen=True)
class Quorum:
    members: int  # titular members entitled to sit in this kind of session
    counted: int  # present, by video, represented or having given a proxy
    waived: bool  # new convocation after a lack of quorum (CRPA R133-10)

    @property
    def required(self) -> int:
        return (self.members + 1) // 2

    @property
    def reached(self) -> bool:
        return self.waived or (self.members > 0 and self.counted * 2 >= self.members)


def quorum(seance) -> Quorum:
    """At least half of the members present, represented or having given a proxy (CRPA R133-10)."""
    titular_ids = set(
        seance.convocations.filter(mandat__role=MandatRole.TITULAIRE).values_list("mandat_id", flat=True)
    )
    counted = seance.presences.filter(mandat_id__in=titular_ids, status__in=COUNTED).count()
    return Quorum(members=len(titular_ids), counted=counted, waived=seance.no_quorum_required)


def is_recused(point, mandat) -> bool:
    """The association that presents (or accompanies) the dossier does not vote on it."""
    return mandat.organisation_id in (point.presenting_association_id, point.demande.association_id)


def interested_ids(point) -> set[int]:
    """The members recorded with a personal interest in the item (CRPA R133-12)."""
    return set(point.interets.values_list("mandat_id", flat=True))


def has_interest(point, mandat) -> bool:
    return point.interets.filter(mandat=mandat).exists()


def seats_cast_by(point, caster: Mandat) -> list[Mandat]:
    """The seats whose vote this member casts on the item: their own if present, the titular they
    replace as substitute, the member who gave them a proxy."""
    presences = point.seance.presences.select_related("mandat__organisation")
    seats = []
    for presence in presences:
        own = presence.mandat_id == caster.pk and presence.status in IN_PERSON
        replaced = presence.status == PresenceStatus.REPRESENTE and presence.substitute_id == caster.pk
        proxy = presence.status == PresenceStatus.MANDAT and presence.proxy_to_id == caster.pk
        if own or replaced or proxy:
            seats.append(presence.mandat)
    return seats


def voting_seats(point) -> list[Mandat]:
    """Seats that can vote on the item, the tally's base: voting members present or represented, the
    presenting association and the members with a personal interest aside, whether the interest is the
    seat's member's or the one who would cast its vote (CRPA R133-12)."""
    presences = point.seance.presences.filter(status__in=COUNTED, mandat__voting=True).select_related(
        "mandat__organisation", "substitute__organisation", "proxy_to__organisation"
    )
    interested = interested_ids(point)
    return [
        p.mandat
        for p in presences
        if not is_recused(point, p.mandat)
        and not is_recused(point, _caster_of(p))
        and p.mandat_id not in interested
        and _caster_of(p).pk not in interested
    ]


def seats_without_vote(point) -> list[Mandat]:
    """Seats that may vote on the item and have not voted online."""
    voted = set(point.votes.values_list("mandat_id", flat=True))
    return [seat for seat in voting_seats(point) if seat.pk not in voted]


def chair_seat(point) -> Mandat | None:
    """The seat of the member who chairs, when they sit in person (in the room or by video) on their
    own seat or in place of the titular they replace: the casting vote is theirs (CRPA R133-11). A
    proxy holder for an absent president does not get it; nor does a chair who takes no part in this
    item's vote."""
    seance = point.seance
    chair_id = seance.chaired_by_id
    if chair_id is None:
        return None
    for presence in seance.presences.select_related("mandat"):
        own = presence.mandat_id == chair_id and presence.status in IN_PERSON
        replaced = presence.status == PresenceStatus.REPRESENTE and presence.substitute_id == chair_id
        if own or replaced:
            seats = {seat.pk for seat in voting_seats(point)}
            return presence.mandat if presence.mandat_id in seats else None
    return None


def _caster_of(presence) -> Mandat:
    if presence.status == PresenceStatus.REPRESENTE:
        return presence.substitute
    if presence.status == PresenceStatus.MANDAT:
        return presence.proxy_to
    return presence.mandat


@dataclass(frozen=True)
class Tally:
    favorable: int
    defavorable: int
    abstentions: int

    @property
    def expressed(self):
        return self.favorable + self.defavorable

    @property
    def total(self):
        return self.favorable + self.defavorable + self.abstentions

    def __add__(self, other):
        return Tally(
            self.favorable + other.favorable,
            self.defavorable + other.defavorable,
            self.abstentions + other.abstentions,
        )


def tally(point) -> Tally:
    choices = list(point.votes.values_list("choice", flat=True))
    return Tally(
        favorable=choices.count(VoteChoice.FAVORABLE),
        defavorable=choices.count(VoteChoice.DEFAVORABLE),
        abstentions=choices.count(VoteChoice.ABSTENTION),
    )


def outcome(counts: Tally, president_choice: str | None) -> tuple[bool, bool]:
    """(favourable, casting vote used): majority of the votes; the president's vote decides a tie."""
    if counts.expressed == 0:
        raise WorkflowError(
            _("Aucune voix favorable ni défavorable : l’avis ne peut pas être rendu. Ajournez le point.")
        )
    if counts.favorable != counts.defavorable:
        return counts.favorable > counts.defavorable, False
    if president_choice in (VoteChoice.FAVORABLE, VoteChoice.DEFAVORABLE):
        return president_choice == VoteChoice.FAVORABLE, True
    raise WorkflowError(
        _(
            "Partage des voix et le président ne s’est pas prononcé : sa voix est prépondérante. Recueillez-la ou ajournez le point."
        )
    )
