"""The sessions at their edges, through the workflow (CRPA R133-3 to R133-15): a session is held on its
date, rescheduled or cancelled before; a session reconvened without quorum keeps its agenda; a member
replaced by a substitute gives no proxy; a member with a personal interest takes no part; the casting
vote is the chair's in person; a vote is closed knowing who has not voted; the history keeps it all."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from commission.seances import minutes
from commission.seances import workflow as seances
from commission.seances.counting import Tally
from commission.seances.enums import PointState, PresenceStatus, SeanceState, VoteChoice
from commission.seances.models import Avis, Convocation, PointEvenement, Seance, SeanceEvenement, Vote
from parcours.enums import DemandeState
from parcours.workflow import WorkflowError
from tests.factories import MandatFactory
from tests.seances.test_seance_views import World, _at, later_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _present(seance, mandats):
    for mandat in mandats:
        seances.record_presence(seance, mandat=mandat, status=PresenceStatus.PRESENT)


def _move_to(seance, starts_at):
    """The calendar moves on: the session's date is now `starts_at` (as if the days had passed)."""
    Seance.objects.filter(pk=seance.pk).update(starts_at=starts_at)
    seance.refresh_from_db()


# --- 1. A session is held on its date --------------------------------------------------------------


def test_opening_is_refused_before_the_sessions_day(world):
    seance = world.seance(days=12)
    _present(seance, world.members)
    with pytest.raises(WorkflowError) as refused:
        seances.open_seance(seance, user=world.secretariat)
    day = timezone.localdate(seance.starts_at).strftime("%d/%m/%Y")
    assert f"La séance est fixée au {day} : elle ne peut être ouverte que ce jour-là" in refused.value.message
    assert "reportez-la" in refused.value.message
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE


def test_opening_is_refused_once_the_sessions_day_has_passed(world):
    seance = world.seance()
    _present(seance, world.members)
    _move_to(seance, timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(WorkflowError, match="date passée : elle ne peut plus être ouverte"):
        seances.open_seance(seance, user=world.secretariat)


def test_a_session_is_opened_on_its_day(world):
    seance = world.seance(today=True)
    _present(seance, world.members)
    seances.open_seance(seance, user=world.secretariat)
    seance.refresh_from_db()
    assert seance.state == SeanceState.OUVERTE


def test_the_opinion_is_dated_the_day_it_is_given(world):
    seance = world.opened()
    point = seance.points.get()
    for mandat in world.members:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    avis = seances.close_point(point, user=world.secretariat)
    point.demande.refresh_from_db()
    assert point.demande.avis_commission_on == timezone.localdate()
    assert timezone.localdate(avis.given_at) == timezone.localdate()


def test_a_session_not_yet_convened_is_rescheduled_and_the_history_keeps_both_dates(world):
    seance = world.seance(convene=False)
    before = seance.starts_at
    seances.reschedule(
        seance, user=world.secretariat, starts_at=_at(20), place="Salle 2", reason="Salle indisponible"
    )
    seance.refresh_from_db()
    assert (seance.starts_at, seance.place, seance.state) == (_at(20), "Salle 2", SeanceState.PREPAREE)
    event = SeanceEvenement.objects.get(seance=seance, transition="reschedule")
    assert (event.previous_starts_at, event.new_starts_at, event.user) == (before, _at(20), world.secretariat)
    assert before.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in event.reason
    assert "Salle indisponible" in event.reason
    assert not Convocation.objects.filter(seance=seance).exists()


def test_rescheduling_a_convened_session_convenes_the_members_again(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    seance = world.seance()
    sent_before = set(Convocation.objects.filter(seance=seance).values_list("sent_at", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        seances.reschedule(
            seance, user=world.secretariat, starts_at=_at(15), place="Préfecture", reason="Grève"
        )
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE and seance.starts_at == _at(15)
    convocations = Convocation.objects.filter(seance=seance)
    assert convocations.count() == len(world.members)
    assert not sent_before & set(convocations.values_list("sent_at", flat=True))
    assert len(mailoutbox) == len(world.members)
    history = list(SeanceEvenement.objects.filter(seance=seance).values_list("transition", flat=True))
    assert history[-2:] == ["reschedule", "convene"]


def test_rescheduling_a_convened_session_to_less_than_five_days_needs_urgency(world):
    seance = world.seance()
    before = seance.starts_at
    with pytest.raises(WorkflowError, match="au moins 5 jours avant la séance"):
        seances.reschedule(
            seance, user=world.secretariat, starts_at=_at(2), place="Préfecture", reason="Grève"
        )
    seance.refresh_from_db()
    assert seance.starts_at == before
    assert not SeanceEvenement.objects.filter(seance=seance, transition="reschedule").exists()
    seances.reschedule(
        seance,
        user=world.secretariat,
        starts_at=_at(2),
        place="Préfecture",
        urgent=True,
        urgency_reason="Expiration du titre de séjour",
        reason="Grève",
    )
    seance.refresh_from_db()
    assert seance.starts_at == _at(2) and seance.urgent


def test_rescheduling_needs_a_reason_and_a_future_date(world):
    seance = world.seance()
    with pytest.raises(WorkflowError, match="motif du report"):
        seances.reschedule(seance, user=world.secretariat, starts_at=_at(20), place="Préfecture", reason=" ")
    with pytest.raises(WorkflowError, match="dans le futur"):
        seances.reschedule(
            seance,
            user=world.secretariat,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            place="Préfecture",
            reason="Grève",
        )


def test_an_opened_session_cannot_be_rescheduled_nor_cancelled(world):
    seance = world.opened()
    with pytest.raises(WorkflowError, match="pas encore ouverte"):
        seances.reschedule(seance, user=world.secretariat, starts_at=_at(20), place="Préfecture", reason="x")
    with pytest.raises(WorkflowError):
        seances.cancel(seance, user=world.secretariat, reason="x")


def test_convening_a_session_whose_date_has_passed_is_refused(world):
    seance = world.seance(convene=False)
    _move_to(seance, timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(WorkflowError, match="date de la séance est passée"):
        seances.convene(seance, user=world.secretariat)


def test_cancelling_a_session_sends_its_items_back_to_the_admissible_list(world):
    seance = world.seance(points=2)
    demandes = [p.demande for p in seance.points.all()]
    with pytest.raises(WorkflowError, match="motif de l’annulation"):
        seances.cancel(seance, user=world.secretariat, reason="")
    seances.cancel(seance, user=world.secretariat, reason="Préfet empêché")
    seance.refresh_from_db()
    assert seance.state == SeanceState.ANNULEE
    assert not seance.points.exists()
    for demande in demandes:
        demande.refresh_from_db()
        assert demande.state == DemandeState.RECEVABLE
    history = list(SeanceEvenement.objects.filter(seance=seance).values_list("transition", "reason"))
    assert history[-1] == ("cancel", "Préfet empêché")
    removed = [reason for transition, reason in history if transition == "remove_point"]
    assert len(removed) == 2 and all("Préfet empêché" in reason for reason in removed)


# --- 2. A session reconvened without quorum keeps the same agenda ------------------------------------


def test_a_session_reconvened_without_quorum_keeps_the_same_agenda():
    world = World(size=5)
    seance = world.seance(points=2, today=True)
    _present(seance, world.members[:1])
    demandes = {p.demande_id for p in seance.points.all()}
    new = seances.reconvene(seance, user=world.secretariat, starts_at=_at(8))
    assert {p.demande_id for p in new.points.all()} == demandes
    assert not seances.can_add_points(new)
    with pytest.raises(WorkflowError, match="même ordre du jour, sans dossier nouveau"):
        seances.add_point(new, demande=world.admissible(), user=world.secretariat)
    assert new.points.count() == 2


# --- 3. A member replaced by their substitute gives no proxy -----------------------------------------


def test_a_member_replaced_by_their_substitute_gives_no_proxy(world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[1])
    seance = world.seance()
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.PRESENT)
    for status in (PresenceStatus.MANDAT, PresenceStatus.REPRESENTE):
        with pytest.raises(WorkflowError, match="remplacé par son suppléant ne donne pas de mandat"):
            seances.record_presence(seance, mandat=m[1], status=status, substitute=substitute, proxy_to=m[0])
    assert not seance.presences.filter(mandat=m[1]).exists()


# --- 4. Personal interest -------------------------------------------------------------------------------


def test_a_member_with_a_personal_interest_takes_no_part_in_that_items_vote(world):
    seance = world.opened(points=2)
    first, second = seance.points.order_by("order")
    m = world.members
    seances.cast_vote(first, caster=m[2], seat=m[2], choice=VoteChoice.DEFAVORABLE)
    seances.record_interest(first, mandat=m[2], user=world.secretariat)
    assert not Vote.objects.filter(point=first, mandat=m[2]).exists()  # their vote is withdrawn
    assert m[2].pk not in {s.pk for s in seances.voting_seats(first)}
    assert m[2].pk in {s.pk for s in seances.voting_seats(second)}  # the other item is untouched
    with pytest.raises(WorkflowError, match="intérêt personnel"):
        seances.cast_vote(first, caster=m[2], seat=m[2], choice=VoteChoice.FAVORABLE)
    seances.cast_vote(second, caster=m[2], seat=m[2], choice=VoteChoice.FAVORABLE)
    event = PointEvenement.objects.get(point=first, transition="record_interest")
    assert (
        event.user == world.secretariat and f"mandat {m[2].pk}" in event.reason and "retiré" in event.reason
    )


def test_the_tally_base_excludes_a_member_with_a_personal_interest(world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.record_interest(point, mandat=m[3], user=world.secretariat)
    with pytest.raises(WorkflowError, match="4 voix saisies pour 3 membres"):
        seances.record_show_of_hands(point, user=world.secretariat, favorable=4, defavorable=0, abstentions=0)
    for mandat in m[:3]:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    assert seances.seats_without_vote(point) == []
    avis = seances.close_point(point, user=world.secretariat)  # no confirmation asked: all have voted
    assert avis.votes_favorable == 3


def test_a_proxy_holder_with_a_personal_interest_does_not_vote_for_the_seat_they_hold(world):
    m = world.members
    seance = world.seance(today=True)
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.PRESENT)
    seances.record_presence(seance, mandat=m[1], status=PresenceStatus.PRESENT)
    seances.record_presence(seance, mandat=m[2], status=PresenceStatus.MANDAT, proxy_to=m[1])
    seances.open_seance(seance, user=world.secretariat)
    point = seance.points.get()
    seances.record_interest(point, mandat=m[1], user=world.secretariat)
    assert {s.pk for s in seances.voting_seats(point)} == {m[0].pk}
    with pytest.raises(WorkflowError, match="intérêt personnel"):
        seances.cast_vote(point, caster=m[1], seat=m[2], choice=VoteChoice.FAVORABLE)


def test_a_member_declares_a_personal_interest_only_for_themself(world):
    seance = world.seance()
    point = seance.points.get()
    m = world.members
    with pytest.raises(WorkflowError, match="que pour lui-même"):
        seances.record_interest(point, mandat=m[2], user=m[1].user, declared_by_member=True)
    interest = seances.record_interest(point, mandat=m[1], user=m[1].user, declared_by_member=True)
    assert interest.declared_by_member and interest.recorded_by == m[1].user
    with pytest.raises(WorkflowError, match="déjà enregistré"):
        seances.record_interest(point, mandat=m[1], user=world.secretariat)


def test_a_personal_interest_is_not_recorded_on_a_settled_item_nor_for_a_member_not_convened(world):
    seance = world.opened()
    point = seance.points.get()
    outsider = MandatFactory(commission=world.commission)
    with pytest.raises(WorkflowError, match="pas convoqué"):
        seances.record_interest(point, mandat=outsider, user=world.secretariat)
    seances.postpone_point(point, user=world.secretariat, reason="Pièce manquante")
    with pytest.raises(WorkflowError, match="point est réglé"):
        seances.record_interest(point, mandat=world.members[1], user=world.secretariat)


def test_the_minutes_list_the_members_with_a_personal_interest_on_that_item(world):
    seance = world.opened(points=2)
    first, second = seance.points.order_by("order")
    m = world.members
    seances.record_interest(second, mandat=m[3], user=world.secretariat)
    html = " ".join(
        render_to_string("commission/minutes/proces_verbal.html", minutes.context_for(seance)).split()
    )
    line = "Ne prennent pas part au vote, pour intérêt personnel : "
    assert html.count(line) == 1
    second_item = html[html.index(f"Point {second.order} –") :]
    assert f"{line}{m[3].user.get_full_name()} ({m[3].organisation.name})." in second_item


# --- 5. The casting vote belongs to the president who chairs, present in person ---------------------------


def test_the_session_records_who_chairs_and_their_vote_breaks_a_tie(world):
    seance = world.opened()
    assert seance.chaired_by == world.members[0]
    point = seance.points.get()
    m = world.members
    for mandat, choice in zip(m, ["favorable", "favorable", "defavorable", "defavorable"], strict=True):
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=choice)
    avis = seances.close_point(point, user=world.secretariat)
    assert (avis.favorable, avis.casting_vote_used) == (True, True)


def test_a_substitute_sitting_for_the_president_chairs_with_the_casting_vote(world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[0])
    seance = world.seance(today=True)
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.REPRESENTE, substitute=substitute)
    _present(seance, m[1:])
    seances.open_seance(seance, user=world.secretariat)
    seance.refresh_from_db()
    assert seance.chaired_by == substitute
    point = seance.points.get()
    seances.cast_vote(point, caster=substitute, seat=m[0], choice=VoteChoice.DEFAVORABLE)
    for mandat, choice in zip(m[1:], ["favorable", "favorable", "defavorable"], strict=True):
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=choice)
    avis = seances.close_point(point, user=world.secretariat)
    assert (avis.favorable, avis.casting_vote_used) == (False, True)


def test_a_proxy_holder_for_an_absent_president_does_not_get_the_casting_vote(world):
    m = world.members
    seance = world.seance(today=True)
    _present(seance, m[1:])
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.MANDAT, proxy_to=m[1])
    seances.open_seance(seance, user=world.secretariat)
    seance.refresh_from_db()
    assert seance.chaired_by is None
    point = seance.points.get()
    seances.cast_vote(point, caster=m[1], seat=m[0], choice=VoteChoice.FAVORABLE)  # the proxy is a vote
    for mandat, choice in zip(m[1:], ["favorable", "defavorable", "defavorable"], strict=True):
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=choice)
    with pytest.raises(WorkflowError, match="pas de voix prépondérante"):
        seances.close_point(point, user=world.secretariat)
    assert not Avis.objects.exists()


# --- 6. Closing an item's vote ------------------------------------------------------------------------------


def test_closing_a_vote_with_seats_that_have_not_voted_asks_for_confirmation(world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[0], seat=m[0], choice=VoteChoice.FAVORABLE)
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    with pytest.raises(WorkflowError, match="2 siège\\(s\\) pouvant voter n’ont pas voté") as refused:
        seances.close_point(point, user=world.secretariat)
    assert {s.pk for s in refused.value.details["missing"]} == {m[2].pk, m[3].pk}
    assert not Avis.objects.exists()
    avis = seances.close_point(point, user=world.secretariat, confirmed=True)
    assert (avis.votes_favorable, avis.favorable) == (2, True)


def test_a_show_of_hands_completes_the_seats_that_did_not_vote_online(world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    avis = seances.close_point(point, user=world.secretariat, hands=Tally(1, 1, 1))
    assert (avis.votes_favorable, avis.votes_defavorable, avis.abstentions) == (2, 1, 1)
    assert (avis.favorable, avis.hand_counted_votes, avis.by_show_of_hands) == (True, 3, False)


def test_a_tie_after_a_show_of_hands_is_broken_by_the_chairs_hand_vote(world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    with pytest.raises(WorkflowError, match="Partage des voix"):
        seances.close_point(point, user=world.secretariat, hands=Tally(1, 2, 0))
    avis = seances.close_point(
        point, user=world.secretariat, hands=Tally(1, 2, 0), president_choice=VoteChoice.DEFAVORABLE
    )
    assert (avis.favorable, avis.casting_vote_used, avis.hand_counted_votes) == (False, True, 3)
    assert not avis.by_show_of_hands


def test_a_show_of_hands_larger_than_the_seats_without_an_online_vote_is_refused(world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    seances.cast_vote(point, caster=m[2], seat=m[2], choice=VoteChoice.FAVORABLE)
    with pytest.raises(WorkflowError, match="3 voix à main levée saisies, mais 2 siège"):
        seances.close_point(point, user=world.secretariat, hands=Tally(1, 1, 1), confirmed=True)
    assert not Avis.objects.exists()
    point.refresh_from_db()
    assert point.state == PointState.A_EXAMINER


# --- 7. History ----------------------------------------------------------------------------------------------


def test_a_change_of_vote_is_recorded_with_who_when_from_and_to(world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)  # the same: no event
    before = timezone.now()
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.ABSTENTION)
    event = PointEvenement.objects.get(point=point, transition="change_vote")
    assert event.user == m[1].user
    assert event.at >= before
    assert event.reason == f"siège {m[1].pk} : favorable → abstention"


def test_the_sessions_history_keeps_convened_rescheduled_opened_closed(world):
    seance = world.seance(points=1)
    seances.reschedule(
        seance,
        user=world.secretariat,
        starts_at=later_today(),
        place="Préfecture",
        reason="Avancée",
        urgent=True,
        urgency_reason="Titre de séjour expirant",
    )
    _present(seance, world.members)
    seances.open_seance(seance, user=world.secretariat)
    point = seance.points.get()
    for mandat in world.members:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    seances.close_point(point, user=world.secretariat)
    seances.close_seance(seance, user=world.secretariat)
    transitions = [
        t
        for t in SeanceEvenement.objects.filter(seance=seance).values_list("transition", flat=True)
        if t != "record_presence"
    ]
    assert transitions == ["create", "add_point", "convene", "reschedule", "convene", "open", "close"]
    opening = SeanceEvenement.objects.get(seance=seance, transition="open")
    assert opening.reason == f"présidée par le mandat {world.members[0].pk}"


def test_cancelling_a_convened_session_tells_each_member_convened(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    seance = world.seance()
    reference = seance.points.select_related("demande__beneficiaire").get().demande.beneficiaire.reference
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seances.cancel(seance, user=world.secretariat, reason="Préfet empêché")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.user.email for m in world.members)
    assert all("Annulation de la séance" in m.subject for m in mailoutbox)
    assert "Motif : Préfet empêché" in mailoutbox[0].body
    assert reference not in mailoutbox[0].body


def test_cancelling_a_session_not_yet_convened_sends_no_mail(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    seance = world.seance(convene=False)
    with django_capture_on_commit_callbacks(execute=True):
        seances.cancel(seance, user=world.secretariat, reason="Ordre du jour vide")
    assert mailoutbox == []


def test_the_new_convocation_of_a_rescheduled_session_names_the_date_it_replaces(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    seance = world.seance()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seances.reschedule(
            seance, user=world.secretariat, starts_at=_at(15), place="Préfecture", reason="Grève"
        )
    before = timezone.localtime(_at(10))
    assert "La séance est reportée : cette convocation remplace celle pour le" in mailoutbox[0].body
    assert f"{before.day} " in mailoutbox[0].body and before.strftime("%H:%M") in mailoutbox[0].body


def test_the_cancellation_reason_members_read_is_masked(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    seance = world.seance()
    person = seance.points.select_related("demande__beneficiaire").get().demande.beneficiaire
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seances.cancel(
            seance,
            user=world.secretariat,
            reason=f"Audition de {person.first_names} {person.last_name} reportée",
        )
    assert mailoutbox
    for message in mailoutbox:
        assert person.last_name not in message.body
        assert person.first_names not in message.body
        assert "Audition de" in message.body
