"""The session screens: the secretariat prepares, convenes, takes attendance and runs the votes; members
read pseudonymised dossiers and vote; the minutes are downloaded by those convened."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission import outbox
from commission.enums import MandatRole, OrganisationKind, Role
from commission.seances import workflow as seances
from commission.seances.enums import PointKind, PointState, PresenceStatus, SeanceState, VoteChoice
from commission.seances.models import Avis, Convocation, Presence, ProcesVerbal, Seance, Vote
from parcours.enums import DemandeKind, DemandeState
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


def _at(days, hour=14):
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=days), datetime.time(hour))
    )


class World:
    """A commission with `size` titular voting members (the first presides), its secretariat and its
    president (a prefecture user), and an approved association that files the dossiers."""

    def __init__(self, size=4):
        self.departement = DepartementFactory()
        self.commission = commission_for(self.departement)
        self.association = AssociationFactory(departement=self.departement)
        prefecture = OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=self.departement)
        self.secretariat = UserFactory(organisation=prefecture, roles=[Role.SECRETARIAT])
        self.prefect = UserFactory(organisation=prefecture, roles=[Role.PRESIDENT])
        self.members = [MandatFactory(commission=self.commission, is_president=(i == 0)) for i in range(size)]

    def admissible(self, **kwargs):
        kwargs.setdefault("association", self.association)
        return DemandeFactory(
            departement=self.departement,
            complete=True,
            state=DemandeState.RECEVABLE,
            submitted_at=timezone.now(),
            admissible_at=timezone.now(),
            **kwargs,
        )

    def seance(self, points=1, days=10, convene=True, today=False):
        """A session in `days` days, or held `today` (convened ten days ago, so it can be opened now)."""
        starts_at = later_today() if today else _at(days)
        seance = seances.create_seance(commission=self.commission, starts_at=starts_at, place="Préfecture")
        for _ in range(points):
            seances.add_point(seance, demande=self.admissible(), user=self.secretariat)
        if convene:
            seances.convene(seance, user=self.secretariat, now=convened_long_ago() if today else None)
        seance.refresh_from_db()
        return seance

    def opened(self, present=None, points=1):
        """A session held today, opened with the first `present` members present (all by default)."""
        seance = self.seance(points=points, today=True)
        present = len(self.members) if present is None else present
        for index, mandat in enumerate(self.members):
            status = PresenceStatus.PRESENT if index < present else PresenceStatus.EXCUSE
            seances.record_presence(seance, mandat=mandat, status=status)
        seances.open_seance(seance, user=self.secretariat)
        seance.refresh_from_db()
        return seance


@pytest.fixture
def world():
    return World()


def _text(response):
    return " ".join(response.content.decode().split())


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def url(name, *args):
    return reverse(f"commission:{name}", args=args)


# --- Rights ------------------------------------------------------------------------------------------


def test_member_not_convened_sees_nothing_of_the_session(client, world):
    seance = world.seance()
    point = seance.points.get()
    outsider = MandatFactory(commission=commission_for(DepartementFactory()))
    client.force_login(outsider.user)
    for target in (
        url("seance", seance.pk),
        url("point", seance.pk, point.pk),
        url("minutes", seance.pk),
        url("point_tally", seance.pk, point.pk),
    ):
        assert client.get(target).status_code == 404, target
    assert seance.commission.name not in _text(client.get(url("seances")))


def test_member_appointed_after_the_convocation_is_not_convened_and_gets_404(client, world):
    seance = world.seance()
    newcomer = MandatFactory(commission=world.commission)
    client.force_login(newcomer.user)
    assert client.get(url("seance", seance.pk)).status_code == 404


def test_secretariat_of_another_departement_gets_404(client, world):
    seance = world.seance()
    other = World()
    client.force_login(other.secretariat)
    assert client.get(url("seance", seance.pk)).status_code == 404
    assert client.get(url("agenda", seance.pk)).status_code == 404


def test_member_cannot_reach_the_secretariats_pages_nor_act(client, world):
    seance = world.opened()
    point = seance.points.get()
    client.force_login(world.members[1].user)
    for target in (
        url("agenda", seance.pk),
        url("attendance", seance.pk),
        url("point_manage", seance.pk, point.pk),
        url("point_tally", seance.pk, point.pk),
        url("seance_reconvene", seance.pk),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(url("seance_close", seance.pk)).status_code == 404
    assert client.post(url("point_manage", seance.pk, point.pk), {"action": "ajourner"}).status_code == 404
    assert client.get(url("seance_create")).status_code == 404


def test_the_president_sees_every_session_of_the_commission_but_does_not_run_it(client, world):
    seance = world.seance()
    client.force_login(world.prefect)
    assert client.get(url("seance", seance.pk)).status_code == 200
    assert client.get(url("agenda", seance.pk)).status_code == 404


def test_anonymous_visitor_is_sent_to_the_login_page(client, world):
    seance = world.seance()
    response = client.get(url("seance", seance.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- List and creation -------------------------------------------------------------------------------


def test_member_lists_only_the_sessions_they_are_convened_to(client, world):
    convened = world.seance(days=10)
    not_yet = world.seance(days=20, convene=False)
    client.force_login(world.members[1].user)
    response = client.get(url("seances"))
    assert url("seance", convened.pk) in response.content.decode()
    assert url("seance", not_yet.pk) not in response.content.decode()
    assert "Nouvelle séance" not in _text(response)


def test_secretariat_lists_every_session_of_the_commission(client, world):
    convened = world.seance(days=10)
    preparing = world.seance(days=20, convene=False)
    client.force_login(world.secretariat)
    content = client.get(url("seances")).content.decode()
    assert url("seance", convened.pk) in content
    assert url("seance", preparing.pk) in content
    assert "Nouvelle séance" in content


def test_secretariat_creates_a_session_then_composes_its_agenda(client, world):
    client.force_login(world.secretariat)
    day = timezone.localdate() + datetime.timedelta(days=12)
    response = client.post(
        url("seance_create"),
        {"day": day.isoformat(), "time": "09:30", "kind": "individuelle", "place": "Salle 2, préfecture"},
    )
    seance = Seance.objects.get(commission=world.commission)
    assert response.status_code == 302
    assert response.url == url("agenda", seance.pk)
    assert timezone.localtime(seance.starts_at) == timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9, 30))
    )
    assert seance.state == SeanceState.PREPAREE


def test_session_in_the_past_is_refused_and_what_was_typed_is_kept(client, world):
    client.force_login(world.secretariat)
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        url("seance_create"),
        {"day": day.isoformat(), "time": "09:30", "kind": "individuelle", "place": "Salle du conseil"},
    )
    assert response.status_code == 200
    assert "La séance doit avoir lieu dans le futur." in _text(response)
    assert 'value="Salle du conseil"' in response.content.decode()
    assert not Seance.objects.exists()


def test_urgent_session_needs_its_reason(client, world):
    client.force_login(world.secretariat)
    day = timezone.localdate() + datetime.timedelta(days=2)
    response = client.post(
        url("seance_create"),
        {"day": day.isoformat(), "time": "09:30", "kind": "individuelle", "place": "Salle", "urgent": "on"},
    )
    assert "Indiquez le motif de l’urgence" in _text(response)
    assert not Seance.objects.exists()


# --- Agenda ------------------------------------------------------------------------------------------


def test_agenda_lists_admissible_dossiers_renewals_and_early_end_proposals_alike(client, world):
    seance = world.seance(points=0, convene=False)
    initial = world.admissible()
    renewal = world.admissible(kind=DemandeKind.RENOUVELLEMENT)
    early_end = world.admissible(kind=DemandeKind.FIN_ANTICIPEE)
    elsewhere = World().admissible()
    client.force_login(world.secretariat)
    content = client.get(url("agenda", seance.pk)).content.decode()
    for demande in (initial, renewal, early_end):
        assert demande.beneficiaire.reference in content
    assert elsewhere.beneficiaire.reference not in content

    client.post(url("agenda", seance.pk), {"demande": renewal.pk})
    client.post(url("agenda", seance.pk), {"demande": early_end.pk})
    renewal_point, early_end_point = seance.points.order_by("order")
    assert (renewal_point.order, renewal_point.kind) == (1, PointKind.EXAMEN)
    assert (early_end_point.order, early_end_point.kind) == (2, PointKind.FIN_ANTICIPEE)
    assert renewal_point.presenting_association == world.association
    renewal.refresh_from_db()
    assert renewal.state == DemandeState.INSCRITE


def test_a_dossier_of_another_commission_cannot_be_put_on_the_agenda(client, world):
    seance = world.seance(points=0, convene=False)
    elsewhere = World().admissible()
    client.force_login(world.secretariat)
    response = client.post(url("agenda", seance.pk), {"demande": elsewhere.pk}, follow=True)
    assert "ne relève pas de cette commission" in _text(response)
    assert not seance.points.exists()


def test_removing_an_item_puts_the_dossier_back_among_the_admissible_ones(client, world):
    seance = world.seance(points=1, convene=False)
    point = seance.points.get()
    client.force_login(world.secretariat)
    response = client.post(url("point_remove", seance.pk, point.pk), follow=True)
    assert "est retiré de l’ordre du jour" in _text(response)
    assert not seance.points.exists()
    point.demande.refresh_from_db()
    assert point.demande.state == DemandeState.RECEVABLE


def test_changing_the_agenda_after_the_convocation_asks_to_send_it_again(client, world):
    seance = world.seance(points=1)
    client.force_login(world.secretariat)
    response = client.post(url("agenda", seance.pk), {"demande": world.admissible().pk}, follow=True)
    assert "envoyez de nouveau la convocation" in _text(response)


# --- Convocation -------------------------------------------------------------------------------------


def test_convening_emails_each_member_and_records_the_date(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    seance = world.seance(points=1, convene=False)
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("seance_convene", seance.pk), {"confirmed": "1"}, follow=True)
    assert "La convocation est envoyée à 4 membres" in _text(response)
    assert Convocation.objects.filter(seance=seance).count() == 4
    assert len(mailoutbox) == 4
    demande = seance.points.get().demande
    assert demande.beneficiaire.reference in mailoutbox[0].body
    assert demande.beneficiaire.last_name not in mailoutbox[0].body
    assert world.members[1].user.get_full_name() in _text(response)


def test_convocation_less_than_five_days_before_is_refused_with_what_to_do(client, world):
    seance = seances.create_seance(commission=world.commission, starts_at=_at(3), place="Préfecture")
    client.force_login(world.secretariat)
    response = client.post(url("seance_convene", seance.pk), {"confirmed": "1"}, follow=True)
    assert "au moins 5 jours avant la séance" in _text(response)
    assert "déclarez l’urgence" in _text(response)
    assert not Convocation.objects.exists()


def test_member_sees_when_they_were_convened(client, world):
    seance = world.seance()
    client.force_login(world.members[2].user)
    # Until its e-mail leaves (commission.outbox), the convocation is said to be on its way.
    assert "Convocation en cours d’envoi" in _text(client.get(url("seance", seance.pk)))
    outbox.send_pending()
    response = client.get(url("seance", seance.pk))
    assert "Convocation envoyée le" in _text(response)
    assert "Actions du secrétariat" not in _text(response)


# --- Attendance and quorum ---------------------------------------------------------------------------


def _sheet(world, seance, rows):
    """POST data of the attendance sheet: {mandat: (status, substitute, proxy_to)}."""
    data = {}
    for mandat in world.members:
        status, substitute, proxy = rows.get(mandat, ("", None, None))
        data[f"m{mandat.pk}-status"] = status
        data[f"m{mandat.pk}-substitute"] = substitute.pk if substitute else ""
        data[f"m{mandat.pk}-proxy_to"] = proxy.pk if proxy else ""
    return data


def test_attendance_sheet_records_presence_substitute_and_proxy_and_shows_the_quorum(client, world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[2])
    seance = world.seance()
    client.force_login(world.secretariat)
    page = client.get(url("attendance", seance.pk))
    assert substitute.user.get_full_name() in _text(page)
    # The proxy is listed before its holder: the sheet still records the holder first.
    rows = {
        m[1]: (PresenceStatus.MANDAT, None, m[0]),
        m[0]: (PresenceStatus.PRESENT, None, None),
        m[2]: (PresenceStatus.REPRESENTE, substitute, None),
        m[3]: (PresenceStatus.EXCUSE, None, None),
    }
    response = client.post(url("attendance", seance.pk), _sheet(world, seance, rows), follow=True)
    assert "La feuille de présence est enregistrée" in _text(response)
    presences = {p.mandat_id: p for p in Presence.objects.filter(seance=seance)}
    assert presences[m[1].pk].proxy_to_id == m[0].pk
    assert presences[m[2].pk].substitute_id == substitute.pk
    assert "Le quorum est atteint" in _text(response)
    assert "3 membres présents, représentés ou ayant donné mandat sur 4" in _text(response)


def test_a_second_proxy_to_the_same_holder_is_refused_and_nothing_is_recorded(client, world):
    m = world.members
    seance = world.seance()
    client.force_login(world.secretariat)
    rows = {
        m[0]: (PresenceStatus.PRESENT, None, None),
        m[1]: (PresenceStatus.MANDAT, None, m[0]),
        m[2]: (PresenceStatus.MANDAT, None, m[0]),
        m[3]: (PresenceStatus.PRESENT, None, None),
    }
    response = client.post(url("attendance", seance.pk), _sheet(world, seance, rows))
    assert response.status_code == 200
    assert "nul ne peut en détenir plus d’un" in _text(response)
    assert not Presence.objects.filter(seance=seance).exists()
    # What was typed is still selected.
    content = response.content.decode()
    assert f'<option value="{m[0].pk}" selected>' in content
    assert '<option value="mandat" selected>' in content


def test_without_quorum_the_open_session_says_why_and_offers_a_new_convocation(client, world):
    seance = world.opened(present=1)
    client.force_login(world.secretariat)
    text = _text(client.get(url("seance", seance.pk)))
    assert "Le quorum n’est pas atteint : la commission ne peut pas rendre d’avis" in text
    assert "1 membres présents, représentés ou ayant donné mandat sur 4 ; il en faut au moins 2" in text
    assert url("seance_reconvene", seance.pk) in client.get(url("seance", seance.pk)).content.decode()
    # The members' vote page says the same.
    client.force_login(world.members[0].user)
    member_page = _text(client.get(url("point", seance.pk, seance.points.get().pk)))
    assert "la commission ne peut pas rendre d’avis" in member_page


def test_new_convocation_on_the_same_agenda_states_no_quorum_is_required(client, world):
    seance = world.opened(present=1)
    demande = seance.points.get().demande
    client.force_login(world.secretariat)
    day = timezone.localdate() + datetime.timedelta(days=15)
    response = client.post(
        url("seance_reconvene", seance.pk),
        {"day": day.isoformat(), "time": "10:00", "place": "Préfecture"},
        follow=True,
    )
    new = Seance.objects.get(reconvened_from=seance)
    assert new.no_quorum_required
    assert new.points.get().demande == demande
    assert response.redirect_chain[-1][0] == url("seance", new.pk)
    assert "Sans condition de quorum" in _text(response)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CLOSE


def test_reconvening_when_quorum_is_reached_is_refused_and_the_date_is_kept(client, world):
    seance = world.opened()
    client.force_login(world.secretariat)
    day = timezone.localdate() + datetime.timedelta(days=15)
    response = client.post(
        url("seance_reconvene", seance.pk), {"day": day.isoformat(), "time": "10:00", "place": "Salle B"}
    )
    assert "Le quorum est atteint : la séance peut délibérer." in _text(response)
    assert 'value="Salle B"' in response.content.decode()
    assert not Seance.objects.filter(reconvened_from=seance).exists()


# --- Votes -------------------------------------------------------------------------------------------


def _vote(client, seance, point, seat, choice, comment=""):
    return client.post(
        url("point", seance.pk, point.pk),
        {"siege": seat.pk, f"siege-{seat.pk}-choice": choice, f"siege-{seat.pk}-comment": comment},
        follow=True,
    )


def test_member_votes_then_changes_their_vote_until_the_item_is_closed(client, world):
    seance = world.opened()
    point = seance.points.get()
    member = world.members[1]
    client.force_login(member.user)
    page = client.get(url("point", seance.pk, point.pk))
    assert "Votre vote" in _text(page)
    response = _vote(client, seance, point, member, VoteChoice.FAVORABLE, "Projet solide")
    assert "Votre vote « Favorable » est enregistré." in _text(response)
    response = _vote(client, seance, point, member, VoteChoice.ABSTENTION)
    assert Vote.objects.filter(point=point).count() == 1
    vote = Vote.objects.get(point=point)
    assert (vote.mandat, vote.cast_by, vote.choice) == (member, member, VoteChoice.ABSTENTION)
    assert "Vote actuel : Abstention" in _text(response)


def test_vote_after_the_item_is_closed_is_refused_and_nothing_changes(client, world):
    seance = world.opened()
    point = seance.points.get()
    member = world.members[1]
    for mandat in world.members:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    client.force_login(member.user)
    page = client.get(url("point", seance.pk, point.pk))  # opened before the closing
    seances.close_point(point, user=world.secretariat)
    response = _vote(client, seance, point, member, VoteChoice.DEFAVORABLE)
    assert page.status_code == 200
    assert "Ce point est clos : le vote n’est plus possible." in _text(response)
    assert set(Vote.objects.values_list("choice", flat=True)) == {VoteChoice.FAVORABLE}


def test_absent_member_has_no_vote_and_a_forged_vote_is_refused(client, world):
    seance = world.opened(present=3)
    point = seance.points.get()
    absent = world.members[3]
    client.force_login(absent.user)
    page = _text(client.get(url("point", seance.pk, point.pk)))
    assert "Votre présence n’est pas relevée" in page
    response = _vote(client, seance, point, absent, VoteChoice.FAVORABLE)
    assert "Vous ne pouvez voter que pour votre siège" in _text(response)
    assert not Vote.objects.exists()


def test_member_without_deliberative_vote_is_told_and_cannot_vote(client, world):
    observer = MandatFactory(commission=world.commission, voting=False)
    world.members.append(observer)
    seance = world.opened()
    point = seance.points.get()
    client.force_login(observer.user)
    page = _text(client.get(url("point", seance.pk, point.pk)))
    assert "Ce siège n’a pas voix délibérative." in page
    response = _vote(client, seance, point, observer, VoteChoice.FAVORABLE)
    assert "Ce siège n’a pas voix délibérative." in _text(response)
    assert not Vote.objects.exists()


def test_member_of_the_presenting_association_is_told_they_do_not_vote(client, world):
    member = MandatFactory(commission=world.commission, organisation=world.association)
    world.members.append(member)
    seance = world.opened()
    point = seance.points.get()
    client.force_login(member.user)
    page = _text(client.get(url("point", seance.pk, point.pk)))
    assert "L’association qui présente ce dossier ne prend pas part au vote" in page
    assert f"siege-{member.pk}-choice" not in page
    _vote(client, seance, point, member, VoteChoice.FAVORABLE)
    assert not Vote.objects.exists()


def test_proxy_holder_votes_for_themself_and_for_the_member_who_gave_the_proxy(client, world):
    m = world.members
    seance = world.seance(today=True)
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.PRESENT)
    seances.record_presence(seance, mandat=m[1], status=PresenceStatus.MANDAT, proxy_to=m[0])
    seances.record_presence(seance, mandat=m[2], status=PresenceStatus.PRESENT)
    seances.open_seance(seance, user=world.secretariat)
    point = seance.points.get()
    client.force_login(m[0].user)
    page = _text(client.get(url("point", seance.pk, point.pk)))
    assert f"Vote pour {m[1].user.get_full_name()}, qui vous a donné mandat" in page
    _vote(client, seance, point, m[0], VoteChoice.FAVORABLE)
    _vote(client, seance, point, m[1], VoteChoice.DEFAVORABLE)
    votes = {v.mandat_id: (v.cast_by_id, v.choice) for v in Vote.objects.all()}
    assert votes == {m[0].pk: (m[0].pk, VoteChoice.FAVORABLE), m[1].pk: (m[0].pk, VoteChoice.DEFAVORABLE)}


def test_substitute_votes_for_the_titular_they_replace(client, world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[1])
    seance = world.seance(today=True)
    seances.record_presence(seance, mandat=m[0], status=PresenceStatus.PRESENT)
    seances.record_presence(seance, mandat=m[1], status=PresenceStatus.REPRESENTE, substitute=substitute)
    seances.record_presence(seance, mandat=m[2], status=PresenceStatus.PRESENT)
    seances.open_seance(seance, user=world.secretariat)
    point = seance.points.get()
    client.force_login(substitute.user)
    assert "que vous remplacez comme suppléant·e" in _text(client.get(url("point", seance.pk, point.pk)))
    _vote(client, seance, point, m[1], VoteChoice.FAVORABLE)
    vote = Vote.objects.get()
    assert (vote.mandat, vote.cast_by) == (m[1], substitute)


def test_before_the_session_opens_members_read_the_dossier_but_cannot_vote(client, world):
    seance = world.seance()
    point = seance.points.get()
    client.force_login(world.members[1].user)
    page = _text(client.get(url("point", seance.pk, point.pk)))
    assert "Le vote s’ouvrira quand le secrétariat ouvrira la séance" in page
    assert point.demande.beneficiaire.reference in page


def test_the_secretariat_and_the_president_see_the_identity_members_do_not(client, world):
    seance = world.opened()
    point = seance.points.get()
    name = point.demande.beneficiaire.full_name
    for user, sees in ((world.secretariat, True), (world.prefect, True), (world.members[1].user, False)):
        client.force_login(user)
        assert (name in _text(client.get(url("point", seance.pk, point.pk)))) is sees, user
        assert (name in _text(client.get(url("seance", seance.pk)))) is sees, user


# --- The secretariat runs an item ----------------------------------------------------------------------


def test_tally_fragment_counts_votes_and_stops_polling_once_the_item_is_closed(client, world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    client.force_login(world.secretariat)
    page = client.get(url("point_manage", seance.pk, point.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "django_htmx/htmx-2.min.js" in page
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    seances.cast_vote(point, caster=m[2], seat=m[2], choice=VoteChoice.DEFAVORABLE)
    fragment = client.get(url("point_tally", seance.pk, point.pk), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = _text(fragment)
    assert "Votes exprimés : 2 sur 4 sièges pouvant voter." in text
    assert "Favorable : 1" in text and "Défavorable : 1" in text and "Abstention : 0" in text
    assert "<html" not in fragment.content.decode()
    seances.cast_vote(point, caster=m[0], seat=m[0], choice=VoteChoice.FAVORABLE)
    seances.close_point(point, user=world.secretariat, confirmed=True)
    fragment = client.get(url("point_tally", seance.pk, point.pk), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 286
    assert "Avis favorable rendu." in _text(fragment)


def test_closing_an_item_gives_the_majority_opinion(client, world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    for mandat, choice in [(m[0], "favorable"), (m[1], "favorable"), (m[2], "defavorable")]:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=choice)
    client.force_login(world.secretariat)
    posted = {"action": "clore", "clore-dissent": "M. X demande que son désaccord soit consigné."}
    asked = client.post(url("point_manage", seance.pk, point.pk), posted)
    assert "Confirmez-vous la clôture du vote ?" in _text(asked)
    assert f"{m[3].user.get_full_name()} ({m[3].organisation.name})" in _text(asked)
    assert not Avis.objects.exists()
    response = client.post(
        url("point_manage", seance.pk, point.pk), {**posted, "clore-confirmed": "1"}, follow=True
    )
    assert "Le point est clos : avis favorable (2 pour, 1 contre, 0 abstention(s))." in _text(response)
    avis = Avis.objects.get(point=point)
    assert avis.dissent.startswith("M. X")
    point.demande.refresh_from_db()
    assert point.demande.state == DemandeState.AVIS_RENDU


def test_a_tie_without_the_presidents_vote_cannot_be_closed_and_the_dissent_typed_is_kept(client, world):
    seance = world.opened()
    point = seance.points.get()
    m = world.members
    seances.cast_vote(point, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    seances.cast_vote(point, caster=m[2], seat=m[2], choice=VoteChoice.DEFAVORABLE)
    client.force_login(world.secretariat)
    response = client.post(
        url("point_manage", seance.pk, point.pk),
        {"action": "clore", "clore-dissent": "Texte saisi", "clore-confirmed": "1"},
    )
    assert response.status_code == 200
    assert "Partage des voix" in _text(response)
    assert "Texte saisi" in response.content.decode()
    assert not Avis.objects.exists()


def test_postponing_needs_a_reason_and_sends_the_dossier_back(client, world):
    seance = world.opened()
    point = seance.points.get()
    client.force_login(world.secretariat)
    response = client.post(
        url("point_manage", seance.pk, point.pk), {"action": "ajourner", "ajourner-reason": ""}
    )
    assert "Indiquez le motif de l’ajournement" in _text(response)
    response = client.post(
        url("point_manage", seance.pk, point.pk),
        {"action": "ajourner", "ajourner-reason": "Pièce à vérifier"},
        follow=True,
    )
    assert "Le point est ajourné" in _text(response)
    point.refresh_from_db()
    assert (point.state, point.postponement_reason) == (PointState.AJOURNE, "Pièce à vérifier")


def test_show_of_hands_is_checked_against_the_members_present_and_the_typed_tally_is_kept(client, world):
    seance = world.opened(present=3)
    point = seance.points.get()
    client.force_login(world.secretariat)
    data = {
        "action": "main_levee",
        "main-levee-favorable": "3",
        "main-levee-defavorable": "1",
        "main-levee-abstentions": "0",
    }
    response = client.post(url("point_manage", seance.pk, point.pk), data)
    assert "4 voix saisies pour 3 membres présents ou représentés" in _text(response)
    assert 'value="3"' in response.content.decode()
    assert not Avis.objects.exists()
    data["main-levee-defavorable"] = "0"
    response = client.post(url("point_manage", seance.pk, point.pk), data, follow=True)
    avis = Avis.objects.get(point=point)
    assert avis.by_show_of_hands and avis.favorable
    assert "Vote à main levée." in _text(response)


def test_show_of_hands_after_online_votes_is_refused(client, world):
    seance = world.opened()
    point = seance.points.get()
    seances.cast_vote(point, caster=world.members[1], seat=world.members[1], choice=VoteChoice.FAVORABLE)
    client.force_login(world.secretariat)
    data = {
        "action": "main_levee",
        "main-levee-favorable": "2",
        "main-levee-defavorable": "0",
        "main-levee-abstentions": "0",
    }
    response = client.post(url("point_manage", seance.pk, point.pk), data)
    assert "Des membres ont déjà voté en ligne" in _text(response)
    assert not Avis.objects.exists()


def test_negative_show_of_hands_is_refused_by_the_form(client, world):
    seance = world.opened()
    point = seance.points.get()
    client.force_login(world.secretariat)
    data = {
        "action": "main_levee",
        "main-levee-favorable": "-1",
        "main-levee-defavorable": "0",
        "main-levee-abstentions": "0",
    }
    response = client.post(url("point_manage", seance.pk, point.pk), data)
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in _text(response)
    assert not Avis.objects.exists()


# --- Closing and minutes -----------------------------------------------------------------------------


def test_session_with_an_open_item_cannot_be_closed(client, world):
    seance = world.opened()
    client.force_login(world.secretariat)
    response = client.post(url("seance_close", seance.pk), {"confirmed": "1"}, follow=True)
    assert "Chaque point doit avoir un avis ou être ajourné" in _text(response)
    seance.refresh_from_db()
    assert seance.state == SeanceState.OUVERTE


def test_closed_session_minutes_are_downloaded_by_those_convened_only(
    client, world, django_capture_on_commit_callbacks
):
    seance = world.opened()
    point = seance.points.get()
    seances.record_show_of_hands(point, user=world.secretariat, favorable=4, defavorable=0, abstentions=0)
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("seance_close", seance.pk), {"confirmed": "1"}, follow=True)
    assert "La séance est close" in _text(response)
    assert ProcesVerbal.objects.filter(seance=seance).exists()
    page = client.get(url("seance", seance.pk))
    assert url("minutes", seance.pk) in page.content.decode()
    for user in (world.secretariat, world.prefect, world.members[3].user):
        client.force_login(user)
        download = client.get(url("minutes", seance.pk))
        assert download.status_code == 200, user
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        assert "attachment" in download["Content-Disposition"]
    client.force_login(World().members[0].user)
    assert client.get(url("minutes", seance.pk)).status_code == 404


def test_minutes_not_yet_rendered_are_announced_not_linked(client, world):
    seance = world.opened()
    seances.record_show_of_hands(
        seance.points.get(), user=world.secretariat, favorable=4, defavorable=0, abstentions=0
    )
    seances.close_seance(seance, user=world.secretariat)  # the job has not run yet
    client.force_login(world.members[1].user)
    assert "Le procès-verbal est en préparation" in _text(client.get(url("seance", seance.pk)))
    assert client.get(url("minutes", seance.pk)).status_code == 404


# --- Queries do not grow with members and items -------------------------------------------------------


def _sized(size, points):
    """A session of `size` members (a third with a substitute), `points` items, half the votes cast."""
    world = World(size=size)
    for titular in world.members[: size // 3]:
        MandatFactory(commission=world.commission, suppleant=True, titulaire=titular)
    seance = world.opened(points=points)
    point = seance.points.order_by("order").first()
    for mandat in world.members[: size // 2]:
        seances.cast_vote(point, caster=mandat, seat=mandat, choice=VoteChoice.FAVORABLE)
    return world, seance, point


@pytest.mark.parametrize(("size", "points"), [(3, 1), (12, 6)])
def test_session_pages_make_a_fixed_number_of_queries(client, django_assert_max_num_queries, size, points):
    """The same ceilings for 3 members and 1 item as for 12 members (4 substitutes) and 6 items. About
    ten of each count are the request's own: session, user, organisation, roles, savepoints."""
    world, seance, point = _sized(size, points)
    client.force_login(world.secretariat)
    for target, limit in (
        (url("seances"), 10),
        # The session's history for the secretariat; it sees identities there: + the access log's
        # chain head (lock and last hash) and one INSERT.
        (url("seance", seance.pk), 19),
        (url("agenda", seance.pk), 14),
        (url("attendance", seance.pk), 13),  # one more: the version of the sheet (commission/versions.py)
        # The interest form's member list, the interests recorded and the tally base's interests; the
        # item's pages log a read: + the chain's head before the INSERT.
        (url("point_manage", seance.pk, point.pk), 27),
        (url("point_tally", seance.pk, point.pk), 16),
        (url("point", seance.pk, point.pk), 23),
    ):
        with django_assert_max_num_queries(limit + 1):  # + 1: the header's unread notifications
            assert client.get(target).status_code == 200, target
    client.force_login(world.members[1].user)
    for target, limit in ((url("seance", seance.pk), 16), (url("point", seance.pk, point.pk), 27)):
        with django_assert_max_num_queries(limit + 1):  # + 1: the header's unread notifications
            assert client.get(target).status_code == 200, target


def test_mandat_role_of_substitutes_is_shown_in_the_convocation_list(client, world):
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=world.members[1])
    seance = world.seance()
    client.force_login(world.secretariat)
    text = _text(client.get(url("seance", seance.pk)))
    assert substitute.user.get_full_name() in text
    assert str(MandatRole.SUPPLEANT.label) in text


def test_the_secretariats_item_page_stops_polling_once_the_item_is_settled(client, world):
    seance = world.opened()
    point = seance.points.get()
    seances.postpone_point(point, user=world.secretariat, reason="Pièce à vérifier")
    client.force_login(world.secretariat)
    page = client.get(url("point_manage", seance.pk, point.pk))
    assert "hx-trigger" not in page.content.decode()
    assert "Point ajourné." in _text(page)
    assert "Clore le vote" not in _text(page)
