"""The commission's sessions: convocation notice, attendance, quorum, votes, majority, minutes."""

import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from commission import private_files
from commission.enums import MandatScope, OrganisationKind, SeanceKind
from commission.seances import workflow as seances
from commission.seances.enums import PointState, PresenceStatus, SeanceState, VoteChoice
from commission.seances.models import Avis, Convocation, Presence, ProcesVerbal, Vote
from parcours.enums import DemandeState
from parcours.workflow import WorkflowError
from tests.factories import (
    AssociationFactory,
    DemandeFactory,
    DepartementFactory,
    MandatFactory,
    OrganisationFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db


def later_today():
    """A time later today: a session held today (it can be opened now)."""
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(23, 59, 59))
    )
    return min(timezone.now() + datetime.timedelta(hours=1), end_of_day)


def convened_long_ago():
    """When the convocation of a session held today went out, with due notice."""
    return timezone.now() - datetime.timedelta(days=10)


def _at(days):
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=days), datetime.time(14))
    )


class Commission:
    """A commission with `size` titular voting members (the first presides) and one admissible dossier."""

    def __init__(self, size=6):
        self.departement = DepartementFactory()
        self.commission = commission_for(self.departement)
        self.association = AssociationFactory(departement=self.departement)
        self.secretariat = UserFactory(
            organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=self.departement)
        )
        self.members = [MandatFactory(commission=self.commission, is_president=(i == 0)) for i in range(size)]
        self.association_member = None

    def add_association_member(self):
        self.association_member = MandatFactory(commission=self.commission, organisation=self.association)
        self.members.append(self.association_member)
        return self.association_member

    def admissible(self):
        return DemandeFactory(
            departement=self.departement,
            association=self.association,
            complete=True,
            state=DemandeState.RECEVABLE,
            submitted_at=timezone.now(),
            admissible_at=timezone.now(),
        )

    def convened_session(self, points=1, days=10, today=False, **kwargs):
        """A session in `days` days, or held `today` (convened ten days ago, so it can be opened now)."""
        starts_at = later_today() if today else _at(days)
        seance = seances.create_seance(
            commission=self.commission, starts_at=starts_at, place="Préfecture", **kwargs
        )
        demandes = [self.admissible() for _ in range(points)]
        for demande in demandes:
            seances.add_point(seance, demande=demande, user=self.secretariat)
        seances.convene(seance, user=self.secretariat, now=convened_long_ago() if today else None)
        seance.refresh_from_db()
        return seance

    def opened(self, present, points=1, **statuses):
        """A session held today, opened with the first `present` members present, the others excused."""
        seance = self.convened_session(points=points, today=True)
        for index, mandat in enumerate(self.members):
            seances.record_presence(
                seance,
                mandat=mandat,
                status=PresenceStatus.PRESENT if index < present else PresenceStatus.EXCUSE,
            )
        seances.open_seance(seance, user=self.secretariat)
        seance.refresh_from_db()
        return seance


@pytest.fixture
def world():
    return Commission()


# --- Convocation ----------------------------------------------------------------------------------


def test_convocation_reaches_titulars_and_substitutes_with_the_pseudonymised_agenda(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    substitute = MandatFactory(
        commission=world.commission,
        suppleant=True,
        titulaire=world.members[1],
        organisation=world.members[1].organisation,
    )
    with django_capture_on_commit_callbacks(execute=True):
        seance = world.convened_session()
    assert seance.state == SeanceState.CONVOQUEE
    convened = set(Convocation.objects.filter(seance=seance).values_list("mandat_id", flat=True))
    assert convened == {m.pk for m in world.members} | {substitute.pk}
    # The dossier's caseworker is told too, that the dossier is on the agenda (commission.notifications).
    convocations = [mail for mail in mailoutbox if "Convocation" in mail.subject]
    assert len(convocations) == len(convened)
    demande = seance.points.get().demande
    body = convocations[0].body
    assert demande.beneficiaire.reference in body
    assert demande.beneficiaire.last_name not in body


def test_convocation_less_than_five_days_before_is_refused_without_urgency(world):
    seance = seances.create_seance(commission=world.commission, starts_at=_at(4), place="Préfecture")
    with pytest.raises(WorkflowError, match="au moins 5 jours"):
        seances.convene(seance, user=world.secretariat)
    assert not Convocation.objects.filter(seance=seance).exists()
    seance.refresh_from_db()
    assert seance.state == SeanceState.PREPAREE


def test_convocation_exactly_five_days_before_is_accepted(world):
    seance = seances.create_seance(commission=world.commission, starts_at=_at(5), place="Préfecture")
    seances.convene(seance, user=world.secretariat)
    assert Convocation.objects.filter(seance=seance).count() == len(world.members)


def test_urgent_session_may_be_convened_late_and_needs_a_reason(world):
    with pytest.raises(WorkflowError, match="motif de l’urgence"):
        seances.create_seance(commission=world.commission, starts_at=_at(2), place="Préfecture", urgent=True)
    seance = seances.create_seance(
        commission=world.commission,
        starts_at=_at(2),
        place="Préfecture",
        urgent=True,
        urgency_reason="Mise en danger imminente d’une personne accompagnée",
    )
    seances.convene(seance, user=world.secretariat)
    assert seance.convocations.count() == len(world.members)


def test_policy_only_members_are_not_convened_to_individual_sessions(world):
    policy_only = MandatFactory(commission=world.commission, scope=MandatScope.POLITIQUE)
    individual = world.convened_session()
    policy = seances.create_seance(
        commission=world.commission, starts_at=_at(20), place="Préfecture", kind=SeanceKind.POLITIQUE
    )
    seances.convene(policy, user=world.secretariat)
    assert not individual.convocations.filter(mandat=policy_only).exists()
    assert policy.convocations.filter(mandat=policy_only).exists()


def test_policy_session_takes_no_individual_dossier(world):
    policy = seances.create_seance(
        commission=world.commission, starts_at=_at(20), place="Préfecture", kind=SeanceKind.POLITIQUE
    )
    with pytest.raises(WorkflowError, match="politique départementale"):
        seances.add_point(policy, demande=world.admissible(), user=world.secretariat)


def test_dossier_of_another_commission_cannot_be_put_on_the_agenda(world):
    other = Commission()
    seance = seances.create_seance(commission=world.commission, starts_at=_at(10), place="Préfecture")
    with pytest.raises(WorkflowError, match="autre commission"):
        seances.add_point(seance, demande=other.admissible(), user=world.secretariat)


# --- Quorum ---------------------------------------------------------------------------------------


def test_quorum_is_reached_with_exactly_half_of_the_members(world):
    seance = world.opened(present=3)
    result = seances.quorum(seance)
    assert (result.members, result.counted, result.reached) == (6, 3, True)


def test_quorum_is_not_reached_one_short_of_half():
    world = Commission(size=7)
    seance = world.opened(present=3)
    result = seances.quorum(seance)
    assert (result.members, result.counted, result.required, result.reached) == (7, 3, 4, False)


def test_quorum_with_half_plus_one_present_is_reached():
    world = Commission(size=7)
    seance = world.opened(present=4)
    assert seances.quorum(seance).reached is True


def test_proxies_and_substitutes_count_towards_the_quorum(world):
    seance = world.convened_session()
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=world.members[2])
    seances.record_presence(seance, mandat=world.members[0], status=PresenceStatus.PRESENT)
    seances.record_presence(
        seance, mandat=world.members[1], status=PresenceStatus.MANDAT, proxy_to=world.members[0]
    )
    seances.record_presence(
        seance, mandat=world.members[2], status=PresenceStatus.REPRESENTE, substitute=substitute
    )
    assert seances.quorum(seance).counted == 3
    assert seances.quorum(seance).reached is True


def test_without_quorum_no_vote_and_the_reason_is_given():
    world = Commission(size=7)
    seance = world.opened(present=3)
    point = seance.points.get()
    with pytest.raises(WorkflowError, match="quorum n’est pas atteint"):
        seances.cast_vote(point, caster=world.members[0], seat=world.members[0], choice=VoteChoice.FAVORABLE)
    assert not Vote.objects.exists()


def test_new_convocation_after_lack_of_quorum_deliberates_without_quorum():
    world = Commission(size=7)
    seance = world.opened(present=3)
    demande = seance.points.get().demande
    new = seances.reconvene(seance, user=world.secretariat, starts_at=later_today())
    assert new.no_quorum_required and new.reconvened_from == seance
    assert new.points.get().demande == demande
    seances.convene(new, user=world.secretariat, now=convened_long_ago())
    seances.record_presence(new, mandat=world.members[0], status=PresenceStatus.PRESENT)
    seances.open_seance(new, user=world.secretariat)
    assert seances.quorum(new).reached is True
    seances.cast_vote(
        new.points.get(), caster=world.members[0], seat=world.members[0], choice=VoteChoice.FAVORABLE
    )
    seances.close_point(new.points.get(), user=world.secretariat)
    demande.refresh_from_db()
    assert demande.state == DemandeState.AVIS_RENDU


# --- Proxies --------------------------------------------------------------------------------------


def test_nobody_holds_more_than_one_proxy(world):
    seance = world.convened_session()
    seances.record_presence(seance, mandat=world.members[0], status=PresenceStatus.PRESENT)
    seances.record_presence(
        seance, mandat=world.members[1], status=PresenceStatus.MANDAT, proxy_to=world.members[0]
    )
    with pytest.raises(WorkflowError, match="déjà un mandat"):
        seances.record_presence(
            seance, mandat=world.members[2], status=PresenceStatus.MANDAT, proxy_to=world.members[0]
        )
    assert Presence.objects.filter(seance=seance, proxy_to=world.members[0]).count() == 1


def test_proxy_goes_only_to_a_member_present(world):
    seance = world.convened_session()
    seances.record_presence(seance, mandat=world.members[0], status=PresenceStatus.EXCUSE)
    with pytest.raises(WorkflowError, match="doit être présent"):
        seances.record_presence(
            seance, mandat=world.members[1], status=PresenceStatus.MANDAT, proxy_to=world.members[0]
        )


# --- Votes and opinion ----------------------------------------------------------------------------


def _vote(seance, choices):
    point = seance.points.get()
    for mandat, choice in choices:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=choice)
    return point


def test_majority_gives_a_favourable_opinion_recorded_on_the_application(world):
    seance = world.opened(present=4)
    m = world.members
    point = _vote(
        seance,
        [
            (m[0], VoteChoice.FAVORABLE),
            (m[1], VoteChoice.FAVORABLE),
            (m[2], VoteChoice.DEFAVORABLE),
            (m[3], VoteChoice.ABSTENTION),
        ],
    )
    avis = seances.close_point(point, user=world.secretariat)
    assert (avis.favorable, avis.votes_favorable, avis.votes_defavorable, avis.abstentions) == (True, 2, 1, 1)
    point.refresh_from_db()
    point.demande.refresh_from_db()
    assert point.state == PointState.CLOS
    assert point.demande.state == DemandeState.AVIS_RENDU
    assert point.demande.avis_commission == "favorable"


def test_tie_is_broken_by_the_president(world):
    seance = world.opened(present=4)
    m = world.members  # m[0] presides
    point = _vote(
        seance,
        [
            (m[0], VoteChoice.DEFAVORABLE),
            (m[1], VoteChoice.FAVORABLE),
            (m[2], VoteChoice.FAVORABLE),
            (m[3], VoteChoice.DEFAVORABLE),
        ],
    )
    avis = seances.close_point(point, user=world.secretariat)
    assert avis.favorable is False
    assert avis.casting_vote_used is True


def test_tie_without_the_presidents_vote_cannot_close_the_item(world):
    seance = world.opened(present=4)
    m = world.members
    point = _vote(
        seance, [(m[0], VoteChoice.ABSTENTION), (m[1], VoteChoice.FAVORABLE), (m[2], VoteChoice.DEFAVORABLE)]
    )
    with pytest.raises(WorkflowError, match="Partage des voix"):
        seances.close_point(point, user=world.secretariat, confirmed=True)
    assert not Avis.objects.exists()


def test_a_member_may_change_their_vote_until_the_item_is_closed(world):
    seance = world.opened(present=3)
    m = world.members
    point = _vote(seance, [(m[1], VoteChoice.FAVORABLE)])
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.DEFAVORABLE)
    assert list(point.votes.values_list("choice", flat=True)) == [VoteChoice.DEFAVORABLE]
    seances.close_point(point, user=world.secretariat, confirmed=True)
    with pytest.raises(WorkflowError, match="point est clos"):
        seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    assert list(point.votes.values_list("choice", flat=True)) == [VoteChoice.DEFAVORABLE]


def test_absent_member_cannot_vote(world):
    seance = world.opened(present=3)
    with pytest.raises(WorkflowError, match="Vous ne pouvez voter"):
        _vote(seance, [(world.members[5], VoteChoice.FAVORABLE)])
    assert not Vote.objects.exists()


def test_non_voting_member_cannot_vote(world):
    observer = MandatFactory(commission=world.commission, voting=False)
    world.members.append(observer)
    seance = world.opened(present=len(world.members))
    with pytest.raises(WorkflowError, match="voix délibérative"):
        _vote(seance, [(observer, VoteChoice.FAVORABLE)])
    assert not Vote.objects.exists()


def test_member_of_the_presenting_association_does_not_vote(world):
    member = world.add_association_member()
    seance = world.opened(present=len(world.members))
    with pytest.raises(WorkflowError, match="ne prend pas part au vote"):
        _vote(seance, [(member, VoteChoice.FAVORABLE)])
    assert not Vote.objects.exists()
    assert member.pk not in {s.pk for s in seances.voting_seats(seance.points.get())}


def test_proxy_holder_votes_for_the_member_who_gave_the_proxy(world):
    seance = world.convened_session(today=True)
    m = world.members
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.PRESENT)
    seances.record_presence(seance, mandat=m[1], status=PresenceStatus.MANDAT, proxy_to=m[0])
    seances.record_presence(seance, mandat=m[2], status=PresenceStatus.PRESENT)
    seances.open_seance(seance, user=world.secretariat)
    point = seance.points.get()
    seances.cast_vote(point, caster=m[0], seat=m[1], choice=VoteChoice.FAVORABLE)
    vote = Vote.objects.get(point=point, mandat=m[1])
    assert vote.cast_by == m[0]
    with pytest.raises(WorkflowError, match="Vous ne pouvez voter"):
        seances.cast_vote(point, caster=m[2], seat=m[1], choice=VoteChoice.DEFAVORABLE)


def test_vote_before_the_session_is_opened_is_refused(world):
    seance = world.convened_session()
    with pytest.raises(WorkflowError, match="pendant la séance"):
        seances.cast_vote(
            seance.points.get(), caster=world.members[0], seat=world.members[0], choice=VoteChoice.FAVORABLE
        )


def test_show_of_hands_tally_is_checked_against_members_present(world):
    seance = world.opened(present=4)
    point = seance.points.get()
    with pytest.raises(WorkflowError, match="5 voix saisies pour 4 membres"):
        seances.record_show_of_hands(point, user=world.secretariat, favorable=3, defavorable=1, abstentions=1)
    avis = seances.record_show_of_hands(
        point, user=world.secretariat, favorable=2, defavorable=1, abstentions=1
    )
    assert avis.by_show_of_hands and avis.favorable


def test_show_of_hands_tie_needs_the_presidents_choice(world):
    seance = world.opened(present=4)
    point = seance.points.get()
    with pytest.raises(WorkflowError, match="Partage des voix"):
        seances.record_show_of_hands(point, user=world.secretariat, favorable=2, defavorable=2, abstentions=0)
    avis = seances.record_show_of_hands(
        point,
        user=world.secretariat,
        favorable=2,
        defavorable=2,
        abstentions=0,
        president_choice=VoteChoice.FAVORABLE,
    )
    assert avis.favorable and avis.casting_vote_used


def test_postponed_item_goes_back_to_the_secretariat_with_its_reason(world):
    seance = world.opened(present=4)
    point = seance.points.get()
    with pytest.raises(WorkflowError, match="motif"):
        seances.postpone_point(point, user=world.secretariat, reason=" ")
    seances.postpone_point(point, user=world.secretariat, reason="Pièce d’identité à vérifier")
    point.refresh_from_db()
    point.demande.refresh_from_db()
    assert point.state == PointState.AJOURNE
    assert point.demande.state == DemandeState.AJOURNEE
    later = seances.create_seance(commission=world.commission, starts_at=_at(30), place="Préfecture")
    seances.add_point(later, demande=point.demande, user=world.secretariat)
    point.demande.refresh_from_db()
    assert point.demande.state == DemandeState.INSCRITE


# --- Closing and minutes --------------------------------------------------------------------------


def test_session_closes_only_when_every_item_is_settled(world):
    seance = world.opened(present=4, points=2)
    first, second = seance.points.order_by("order")
    with pytest.raises(WorkflowError, match="Chaque point"):
        seances.close_seance(seance, user=world.secretariat)
    seances.record_show_of_hands(first, user=world.secretariat, favorable=3, defavorable=0, abstentions=1)
    seances.postpone_point(second, user=world.secretariat, reason="Dossier à compléter")
    seances.close_seance(seance, user=world.secretariat)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CLOSE


def _pdf_text(content):
    import io

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def test_minutes_list_attendance_quorum_and_opinions_pseudonymised(world, django_capture_on_commit_callbacks):
    seance = world.opened(present=4, points=2)
    first, second = seance.points.order_by("order")
    m = world.members
    for mandat, choice in [
        (m[0], VoteChoice.FAVORABLE),
        (m[1], VoteChoice.FAVORABLE),
        (m[2], VoteChoice.DEFAVORABLE),
    ]:
        seances.cast_vote(first, caster=mandat, seat=mandat, choice=choice)
    seances.close_point(
        first,
        user=world.secretariat,
        dissent="M. X souhaite que son désaccord soit consigné.",
        confirmed=True,
    )
    seances.postpone_point(second, user=world.secretariat, reason="Pièce d’identité à vérifier")
    with django_capture_on_commit_callbacks(execute=True):
        seances.close_seance(seance, user=world.secretariat)
    minutes = ProcesVerbal.objects.get(seance=seance)
    text = _pdf_text(private_files.read(minutes.file_path))
    assert "Procès-verbal de la séance du" in text
    assert m[0].user.last_name in text
    assert "4 membres présents, représentés ou ayant donné mandat sur 6" in text
    assert "Le quorum est atteint" in text
    assert first.demande.beneficiaire.reference in text
    assert first.demande.beneficiaire.last_name not in text
    assert "2 pour, 1 contre, 0 abstention(s)" in text
    assert "Ajourné : Pièce d’identité à vérifier" in text
    assert "désaccord soit consigné" in text


def test_minutes_are_rendered_once_even_if_the_job_runs_twice(world, django_capture_on_commit_callbacks):
    from commission.seances.tasks import render_minutes

    seance = world.opened(present=4)
    seances.record_show_of_hands(
        seance.points.get(), user=world.secretariat, favorable=4, defavorable=0, abstentions=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        seances.close_seance(seance, user=world.secretariat)
    first = ProcesVerbal.objects.get(seance=seance)
    assert render_minutes.delay(seance.pk).get() == first.pk
    assert ProcesVerbal.objects.filter(seance=seance).count() == 1
