"""The attendance screen starts from « every convened member present in the room »: the secretariat
changes only the exceptions (absent, video, represented by the substitute, proxy given)."""

import re

import pytest

from commission.seances.enums import PresenceStatus
from commission.seances.models import Presence
from tests.factories import MandatFactory
from tests.seances.test_seance_views import World, _text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _selected_status(html, mandat):
    """The status the sheet's select of this member has selected."""
    select = re.search(rf'<select name="m{mandat.pk}-status"[^>]*>(.*?)</select>', html, re.S)
    assert select, mandat.pk
    chosen = re.findall(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen[0] if chosen else None


def _as_the_browser_sends_it(html, world, changes):
    """POST data of the sheet as shown (every select's selected option), with `changes` applied."""
    data = {}
    for mandat in world.members:
        data[f"m{mandat.pk}-status"] = _selected_status(html, mandat) or ""
        data[f"m{mandat.pk}-substitute"] = ""
        data[f"m{mandat.pk}-proxy_to"] = ""
    data.update(changes)
    return data


def test_every_convened_member_is_prefilled_present_in_the_room(client, world):
    seance = world.seance()
    client.force_login(world.secretariat)

    response = client.get(url("attendance", seance.pk))

    html = response.content.decode()
    assert [_selected_status(html, m) for m in world.members] == [PresenceStatus.PRESENT] * 4
    assert "modifiez seulement les exceptions" in _text(response)
    assert not Presence.objects.filter(seance=seance).exists()  # nothing recorded by showing the sheet


def test_saving_the_sheet_with_only_the_exceptions_changed_records_everyone(client, world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[3])
    seance = world.seance()
    client.force_login(world.secretariat)
    html = client.get(url("attendance", seance.pk)).content.decode()

    data = _as_the_browser_sends_it(
        html,
        world,
        {
            f"m{m[1].pk}-status": PresenceStatus.ABSENT,
            f"m{m[2].pk}-status": PresenceStatus.VISIO,
            f"m{m[3].pk}-status": PresenceStatus.REPRESENTE,
            f"m{m[3].pk}-substitute": substitute.pk,
        },
    )
    response = client.post(url("attendance", seance.pk), data, follow=True)

    assert "La feuille de présence est enregistrée (4 lignes modifiées)" in _text(response)
    statuses = dict(Presence.objects.filter(seance=seance).values_list("mandat_id", "status"))
    assert statuses == {
        m[0].pk: PresenceStatus.PRESENT,
        m[1].pk: PresenceStatus.ABSENT,
        m[2].pk: PresenceStatus.VISIO,
        m[3].pk: PresenceStatus.REPRESENTE,
    }
    assert Presence.objects.get(seance=seance, mandat=m[3]).substitute == substitute


def test_a_proxy_is_recorded_as_an_exception_to_the_default(client, world):
    m = world.members
    seance = world.seance()
    client.force_login(world.secretariat)
    html = client.get(url("attendance", seance.pk)).content.decode()

    data = _as_the_browser_sends_it(
        html, world, {f"m{m[2].pk}-status": PresenceStatus.MANDAT, f"m{m[2].pk}-proxy_to": m[0].pk}
    )
    client.post(url("attendance", seance.pk), data)

    proxy = Presence.objects.get(seance=seance, mandat=m[2])
    assert proxy.status == PresenceStatus.MANDAT and proxy.proxy_to == m[0]
    assert Presence.objects.filter(seance=seance, status=PresenceStatus.PRESENT).count() == 3


def test_substitute_and_proxy_together_are_still_refused_and_nothing_is_recorded(client, world):
    m = world.members
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=m[1])
    seance = world.seance()
    client.force_login(world.secretariat)
    html = client.get(url("attendance", seance.pk)).content.decode()

    data = _as_the_browser_sends_it(
        html,
        world,
        {
            f"m{m[1].pk}-status": PresenceStatus.REPRESENTE,
            f"m{m[1].pk}-substitute": substitute.pk,
            f"m{m[1].pk}-proxy_to": m[0].pk,
        },
    )
    response = client.post(url("attendance", seance.pk), data)

    assert response.status_code == 200
    assert "ne donne pas de mandat (CRPA R133-7)" in _text(response)
    assert not Presence.objects.filter(seance=seance).exists()


def test_a_recorded_attendance_is_shown_as_recorded_not_reset_to_present(client, world):
    m = world.members
    seance = world.seance()
    client.force_login(world.secretariat)
    html = client.get(url("attendance", seance.pk)).content.decode()
    client.post(
        url("attendance", seance.pk),
        _as_the_browser_sends_it(html, world, {f"m{m[1].pk}-status": PresenceStatus.EXCUSE}),
    )

    html = client.get(url("attendance", seance.pk)).content.decode()

    assert _selected_status(html, m[1]) == PresenceStatus.EXCUSE
    assert _selected_status(html, m[0]) == PresenceStatus.PRESENT
