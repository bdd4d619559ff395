"""The session's votes as CSV for the secretariat: one row per item in the agenda's order, the dossier's
pseudonymous reference (never a name), the tally with the hand-counted votes, the opinion; semicolons
and a BOM for a spreadsheet in French, cells that cannot run as formulas."""

import csv
import io

import pytest

from beneficiaires.models import Beneficiaire
from commission.enums import AuditAction, Role
from commission.models import AccessLog
from commission.seances import workflow as seances
from commission.seances.counting import Tally
from commission.seances.enums import VoteChoice
from tests.factories import UserFactory
from tests.seances.test_seance_views import World, url

pytestmark = pytest.mark.django_db

F, D, A = VoteChoice.FAVORABLE, VoteChoice.DEFAVORABLE, VoteChoice.ABSTENTION


@pytest.fixture
def world():
    return World()


@pytest.fixture
def held(world):
    """An opened session of three items: voted online with one seat counted by hand, voted by show of
    hands, postponed."""
    seance = world.opened(present=4, points=3)
    first, second, third = seance.points.order_by("order")
    m = world.members
    for mandat, choice in ((m[0], F), (m[1], F), (m[2], D)):
        seances.cast_vote(first, caster=mandat, seat=mandat, choice=choice)
    seances.close_point(first, user=world.secretariat, hands=Tally(0, 0, 1), confirmed=True)
    seances.record_show_of_hands(second, user=world.secretariat, favorable=1, defavorable=3, abstentions=0)
    seances.postpone_point(third, user=world.secretariat, reason="Pièces à vérifier.")
    return seance


def _rows(response):
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_one_row_per_item_with_reference_tally_and_opinion(client, world, held):
    client.force_login(world.secretariat)

    response = client.get(url("votes_export", held.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == [
        "Point",
        "Référence du dossier",
        "Nature de la demande",
        "Avis",
        "Voix favorables",
        "Voix défavorables",
        "Abstentions",
        "Dont voix comptées à main levée",
        "Vote à main levée",
        "Voix prépondérante du président",
    ]
    references = [p.demande.beneficiaire.reference for p in held.points.order_by("order")]
    assert [row[:2] for row in rows] == [["1", references[0]], ["2", references[1]], ["3", references[2]]]
    assert rows[0][3:] == ["Favorable", "2", "1", "1", "1", "non", "non"]
    assert rows[1][3:] == ["Défavorable", "1", "3", "0", "4", "oui", "non"]
    assert rows[2][3:] == ["Ajourné", "", "", "", "", "", ""]


def test_the_file_names_no_person(client, world, held):
    client.force_login(world.secretariat)

    text = b"".join(client.get(url("votes_export", held.pk)).streaming_content).decode("utf-8-sig")

    for point in held.points.select_related("demande__beneficiaire"):
        person = point.demande.beneficiaire
        assert person.last_name not in text
        assert person.first_names not in text
    for mandat in world.members:  # nor who voted how
        assert mandat.user.last_name not in text


def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(client, world, held):
    point = held.points.get(order=1)
    Beneficiaire.objects.filter(pk=point.demande.beneficiaire_id).update(reference="=1+1")
    client.force_login(world.secretariat)

    _header, first, *_rest = _rows(client.get(url("votes_export", held.pk)))

    assert first[1] == "'=1+1"


def test_the_export_is_written_to_the_access_log(client, world, held):
    client.force_login(world.secretariat)

    client.get(url("votes_export", held.pk))

    log = AccessLog.objects.get(user=world.secretariat, action=AuditAction.EXPORT)
    assert log.object_type == "seances.Seance" and log.object_id == str(held.pk)


def test_a_member_and_an_association_get_a_404(client, world, held):
    caseworker = UserFactory(organisation=world.association, roles=[Role.REFERENT])
    for user in (world.members[0].user, world.prefect, caseworker):
        client.force_login(user)
        assert client.get(url("votes_export", held.pk)).status_code == 404
    assert not AccessLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_session_page_offers_the_votes_to_the_secretariat_only(client, world, held):
    link = url("votes_export", held.pk)
    client.force_login(world.secretariat)
    assert link in client.get(url("seance", held.pk)).content.decode()
    client.force_login(world.members[0].user)
    assert link not in client.get(url("seance", held.pk)).content.decode()
