"""The attendance sheet (feuille d'émargement) signed in the room: one row per member convened (name,
organisation, titular or substitute, a box to sign), nothing of the dossiers; for the secretariat only,
each download written to the access log."""

import io

import pytest
from pypdf import PdfReader

from commission.enums import AuditAction, Role
from commission.models import AccessLog
from tests.factories import MandatFactory, UserFactory
from tests.seances.test_seance_views import World, _text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _pdf_text(content):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def _download(client, seance):
    response = client.get(url("attendance_sheet", seance.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return _pdf_text(b"".join(response.streaming_content))


def test_the_sheet_lists_every_convened_member_with_organisation_and_quality(client, world):
    substitute = MandatFactory(commission=world.commission, suppleant=True, titulaire=world.members[1])
    seance = world.seance(points=2)
    client.force_login(world.secretariat)

    text = _download(client, seance)

    assert "Feuille d’émargement" in text
    assert "Signature" in text
    for mandat in [*world.members, substitute]:
        assert mandat.user.get_full_name() in text, mandat.pk
        assert mandat.organisation.name in text, mandat.pk
    assert "Titulaire" in text and "Suppléant" in text
    assert "4 membres convoqués" not in text and "5 membres convoqués" in text


def test_the_sheet_names_no_person_and_no_dossier(client, world):
    seance = world.seance(points=2)
    client.force_login(world.secretariat)

    text = _download(client, seance)

    for point in seance.points.select_related("demande__beneficiaire"):
        person = point.demande.beneficiaire
        assert person.last_name not in text
        assert person.first_names not in text
        assert person.reference not in text


def test_the_download_is_written_to_the_access_log(client, world):
    seance = world.seance()
    client.force_login(world.secretariat)

    _download(client, seance)

    log = AccessLog.objects.get(user=world.secretariat)
    assert log.action == AuditAction.DOWNLOAD
    assert log.object_type == "seances.Seance" and log.object_id == str(seance.pk)
    assert log.person_id is None


def test_the_session_page_offers_the_sheet_to_the_secretariat_only(client, world):
    seance = world.seance()
    link = url("attendance_sheet", seance.pk)
    client.force_login(world.secretariat)
    assert link in client.get(url("seance", seance.pk)).content.decode()
    client.force_login(world.members[1].user)
    page = client.get(url("seance", seance.pk))
    assert page.status_code == 200
    assert link not in page.content.decode()
    assert "feuille d’émargement" not in _text(page)


def test_a_member_and_an_association_get_a_404(client, world):
    seance = world.seance()
    caseworker = UserFactory(organisation=world.association, roles=[Role.REFERENT])
    for user in (world.members[1].user, caseworker):
        client.force_login(user)
        assert client.get(url("attendance_sheet", seance.pk)).status_code == 404
    assert not AccessLog.objects.filter(action=AuditAction.DOWNLOAD).exists()
