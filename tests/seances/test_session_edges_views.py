"""The sessions at their edges, through their screens: what the secretariat and the members see and
do when a session cannot be opened yet, is rescheduled or cancelled, is reconvened, when a member is
replaced, has a personal interest, and when a vote is closed."""

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from commission.seances import workflow as seances
from commission.seances.enums import PresenceStatus, SeanceState, VoteChoice
from commission.seances.models import Avis, InteretPersonnel, Seance, SeanceEvenement, Vote
from parcours.enums import DemandeState
from tests.factories import MandatFactory
from tests.seances.test_seance_views import World, _at, _messages, _text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _day_and_time(starts_at):
    local = timezone.localtime(starts_at)
    return {"day": local.date().isoformat(), "time": local.strftime("%H:%M")}


# --- 1. Held on its date: opening, rescheduling, cancelling ------------------------------------------------


def test_session_page_says_why_it_cannot_be_opened_before_its_day_and_offers_the_ways_out(client, world):
    seance = world.seance(days=12)
    for mandat in world.members:
        seances.record_presence(seance, mandat=mandat, status=PresenceStatus.PRESENT)
    client.force_login(world.secretariat)
    page = _text(client.get(url("seance", seance.pk)))
    assert "elle ne peut être ouverte que ce jour-là" in page
    assert "Ouvrir la séance" not in page
    assert url("seance_reschedule", seance.pk) in page and url("seance_cancel", seance.pk) in page
    response = client.post(url("seance_open", seance.pk), follow=True)
    assert any("ne peut être ouverte que ce jour-là" in m for m in _messages(response))
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE


def test_reschedule_screen_asks_for_confirmation_then_convenes_again(client, world, mailoutbox):
    seance = world.seance()
    client.force_login(world.secretariat)
    assert "Reporter la séance" in _text(client.get(url("seance_reschedule", seance.pk)))
    posted = {**_day_and_time(_at(20, hour=10)), "place": "Salle 3", "reason": "Préfet en déplacement"}
    asked = client.post(url("seance_reschedule", seance.pk), posted)
    text = _text(asked)
    assert "Confirmez-vous ?" in text
    assert "la convocation leur est envoyée de nouveau" in text
    assert 'name="confirmed" value="1"' in asked.content.decode()
    seance.refresh_from_db()
    assert seance.starts_at == _at(10)  # nothing changed yet
    response = client.post(url("seance_reschedule", seance.pk), {**posted, "confirmed": "1"}, follow=True)
    seance.refresh_from_db()
    assert (seance.starts_at, seance.place) == (_at(20, hour=10), "Salle 3")
    assert any("convoqués le sont de nouveau" in m for m in _messages(response))
    event = SeanceEvenement.objects.get(seance=seance, transition="reschedule")
    assert (event.previous_starts_at, event.new_starts_at) == (_at(10), _at(20, hour=10))


def test_reschedule_screen_refuses_short_notice_without_urgency_and_keeps_what_was_typed(client, world):
    seance = world.seance()
    client.force_login(world.secretariat)
    posted = {
        **_day_and_time(_at(2)),
        "place": "Salle 3",
        "reason": "Préfet en déplacement",
        "confirmed": "1",
    }
    response = client.post(url("seance_reschedule", seance.pk), posted)
    assert response.status_code == 200
    text = _text(response)
    assert "au moins 5 jours avant la séance" in text and "déclarez l’urgence" in text
    assert "Préfet en déplacement" in text and 'value="Salle 3"' in response.content.decode()
    seance.refresh_from_db()
    assert seance.starts_at == _at(10)


def test_reschedule_screen_needs_a_reason(client, world):
    seance = world.seance()
    client.force_login(world.secretariat)
    response = client.post(
        url("seance_reschedule", seance.pk), {**_day_and_time(_at(20)), "place": "Salle 3"}
    )
    assert "Indiquez le motif du report." in _text(response)
    assert "Confirmez-vous ?" not in _text(response)


def test_cancel_screen_asks_for_confirmation_then_sends_the_items_back(client, world):
    seance = world.seance(points=2)
    demandes = [p.demande for p in seance.points.select_related("demande__beneficiaire")]
    client.force_login(world.secretariat)
    asked = client.post(url("seance_cancel", seance.pk), {"reason": "Préfet empêché"})
    text = _text(asked)
    assert "Confirmez-vous ?" in text and "Motif : Préfet empêché" in text
    assert all(d.beneficiaire.reference in text for d in demandes)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE
    response = client.post(
        url("seance_cancel", seance.pk), {"reason": "Préfet empêché", "confirmed": "1"}, follow=True
    )
    seance.refresh_from_db()
    assert seance.state == SeanceState.ANNULEE
    assert any("reviennent dans les dossiers à inscrire" in m for m in _messages(response))
    for demande in demandes:
        demande.refresh_from_db()
        assert demande.state == DemandeState.RECEVABLE


def test_cancel_screen_needs_a_reason(client, world):
    seance = world.seance()
    client.force_login(world.secretariat)
    response = client.post(url("seance_cancel", seance.pk), {"reason": "", "confirmed": "1"})
    assert "Indiquez le motif de l’annulation." in _text(response)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE


def test_an_opened_session_offers_neither_rescheduling_nor_cancelling(client, world):
    seance = world.opened()
    client.force_login(world.secretariat)
    page = _text(client.get(url("seance", seance.pk)))
    assert url("seance_reschedule", seance.pk) not in page and url("seance_cancel", seance.pk) not in page
    response = client.post(url("seance_cancel", seance.pk), {"reason": "Trop tard", "confirmed": "1"})
    assert "Impossible : la séance est « Ouverte »." in _text(response)


def test_members_cannot_reach_the_reschedule_and_cancel_screens(client, world):
    seance = world.seance()
    client.force_login(world.members[1].user)
    assert client.get(url("seance_reschedule", seance.pk)).status_code == 404
    assert client.post(url("seance_cancel", seance.pk), {"reason": "x", "confirmed": "1"}).status_code == 404
    assert Seance.objects.get(pk=seance.pk).state == SeanceState.CONVOQUEE


# --- 2. A session reconvened without quorum keeps the same agenda ----------------------------------------


def test_the_agenda_of_a_reconvened_session_offers_no_new_item(client):
    world = World(size=5)
    seance = world.seance(today=True)
    seances.record_presence(seance, mandat=world.members[0], status=PresenceStatus.PRESENT)
    new = seances.reconvene(seance, user=world.secretariat, starts_at=_at(8))
    other = world.admissible()
    client.force_login(world.secretariat)
    page = _text(client.get(url("agenda", new.pk)))
    assert "même ordre du jour, sans dossier nouveau" in page
    assert other.beneficiaire.reference not in page
    response = client.post(url("agenda", new.pk), {"demande": other.pk}, follow=True)
    assert any("sans dossier nouveau" in m for m in _messages(response))
    assert new.points.count() == 1


# --- 3. A member replaced by their substitute gives no proxy ---------------------------------------------


def test_attendance_screen_refuses_a_substitute_and_a_proxy_for_the_same_member(client, world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[1])
    seance = world.seance()
    client.force_login(world.secretariat)
    data = {f"m{mandat.pk}-status": PresenceStatus.PRESENT for mandat in m}
    data |= {
        f"m{m[1].pk}-status": PresenceStatus.MANDAT,
        f"m{m[1].pk}-substitute": substitute.pk,
        f"m{m[1].pk}-proxy_to": m[0].pk,
    }
    response = client.post(url("attendance", seance.pk), data)
    assert response.status_code == 200
    assert "Un membre remplacé par son suppléant ne donne pas de mandat" in _text(response)
    assert not seance.presences.exists()  # the whole sheet or nothing
    content = response.content.decode()
    assert f'<option value="{substitute.pk}" selected' in content  # what was typed is kept


# --- 4. Personal interest ---------------------------------------------------------------------------------------


def test_secretariat_records_a_members_personal_interest_on_the_items_page(client, world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[2], seat=m[2], choice=VoteChoice.FAVORABLE)
    client.force_login(world.secretariat)
    response = client.post(
        url("point_manage", seance.pk, point.pk),
        {"action": "interet", "interet-mandat": m[2].pk},
        follow=True,
    )
    assert any("ne prend pas part au vote sur ce point" in msg for msg in _messages(response))
    assert InteretPersonnel.objects.filter(point=point, mandat=m[2], declared_by_member=False).exists()
    assert not Vote.objects.filter(point=point).exists()
    assert "Votes exprimés : 0 sur 3 sièges pouvant voter." in _text(response)
    refused = client.post(
        url("point_manage", seance.pk, point.pk), {"action": "interet", "interet-mandat": ""}
    )
    assert "Choisissez le membre." in _text(refused)


def test_a_member_declares_a_personal_interest_on_the_items_page_and_no_longer_votes(client, world):
    seance = world.opened()
    point = seance.points.get()
    member = world.members[1]
    client.force_login(member.user)
    page = _text(client.get(url("point", seance.pk, point.pk)))
    assert "Déclarer mon intérêt personnel" in page
    unchecked = client.post(url("point", seance.pk, point.pk), {"action": "interet"})
    assert "Cochez la case pour confirmer votre déclaration." in _text(unchecked)
    assert not InteretPersonnel.objects.exists()
    response = client.post(
        url("point", seance.pk, point.pk), {"action": "interet", "interet-confirm": "on"}, follow=True
    )
    assert any("Votre intérêt personnel à ce dossier est enregistré" in msg for msg in _messages(response))
    interest = InteretPersonnel.objects.get(point=point)
    assert (interest.mandat, interest.declared_by_member, interest.recorded_by) == (member, True, member.user)
    text = _text(response)
    assert "Intérêt personnel enregistré" in text
    assert f"siege-{member.pk}-choice" not in response.content.decode()
    client.post(
        url("point", seance.pk, point.pk), {"siege": member.pk, f"siege-{member.pk}-choice": "favorable"}
    )
    assert not Vote.objects.exists()


# --- 5. Casting vote: the session records who chairs ------------------------------------------------------


def test_the_session_and_item_pages_show_who_chairs(client, world):
    seance = world.opened()
    point = seance.points.get()
    client.force_login(world.secretariat)
    name = world.members[0].user.get_full_name()
    for target in (url("seance", seance.pk), url("point_manage", seance.pk, point.pk)):
        words = " ".join(strip_tags(client.get(target).content.decode()).split())
        assert f"Présidence de séance {name}" in words, target


# --- 6. Closing an item's vote ------------------------------------------------------------------------------


def test_closing_screen_completes_online_votes_with_a_show_of_hands(client, world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    client.force_login(world.secretariat)
    posted = {
        "action": "clore",
        "clore-hands_favorable": "1",
        "clore-hands_defavorable": "1",
        "clore-hands_abstentions": "0",
    }
    asked = _text(client.post(url("point_manage", seance.pk, point.pk), posted))
    assert "Ces 3 sièges présents ou représentés n’ont pas voté en ligne" in asked
    assert "Décompte à main levée saisi pour ces sièges : 1 pour, 1 contre, 0 abstention(s)." in asked
    response = client.post(
        url("point_manage", seance.pk, point.pk), {**posted, "clore-confirmed": "1"}, follow=True
    )
    assert "Le point est clos : avis favorable (2 pour, 1 contre, 0 abstention(s))." in _text(response)
    assert Avis.objects.get(point=point).hand_counted_votes == 2


def test_closing_screen_refuses_more_hands_than_seats_without_a_vote(client, world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    for mandat in m[:3]:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    client.force_login(world.secretariat)
    response = client.post(
        url("point_manage", seance.pk, point.pk),
        {"action": "clore", "clore-hands_defavorable": "2", "clore-confirmed": "1"},
    )
    assert "2 voix à main levée saisies, mais 1 siège(s)" in _text(response)
    assert not Avis.objects.exists()


def test_closing_screen_when_every_seat_has_voted_still_asks_for_confirmation(client, world):
    seance = world.opened()
    point = seance.points.get()
    for mandat in world.members:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    client.force_login(world.secretariat)
    asked = _text(client.post(url("point_manage", seance.pk, point.pk), {"action": "clore"}))
    assert "Tous les sièges présents ou représentés pouvant voter ont voté." in asked
    assert not Avis.objects.exists()


# --- 7. History ----------------------------------------------------------------------------------------------


def test_the_secretariat_reads_the_sessions_history_with_both_dates_of_a_report(client, world):
    seance = world.seance()
    seances.reschedule(seance, user=world.secretariat, starts_at=_at(20), place="Préfecture", reason="Grève")
    client.force_login(world.secretariat)
    page = " ".join(strip_tags(client.get(url("seance", seance.pk)).content.decode()).split())
    assert "Historique de la séance" in page
    before, after = (timezone.localtime(d).strftime("%d/%m/%Y %H:%M") for d in (_at(10), _at(20)))
    assert (
        f"Report à une autre date {world.secretariat.get_full_name()} Séance reportée du {before} au {after} : Grève"
        in page
    )
    client.force_login(world.members[1].user)
    assert "Historique de la séance" not in _text(client.get(url("seance", seance.pk)))
