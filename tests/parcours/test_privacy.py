"""Retention (anonymisation after the configured delay) and the right of access."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from commission import private_files
from commission.enums import AuditAction, OrganisationKind, Role
from commission.models import AccessLog
from parcours import privacy
from parcours.enums import DemandeState
from parcours.models import Document, Message
from parcours.workflow import titres
from tests.factories import (
    DemandeFactory,
    DocumentFactory,
    OrganisationFactory,
    ParcoursFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.RETENTION_DAYS_AFTER_END = 365


def _ended_file(days_ago):
    """A person whose pathway ended `days_ago`, with a document on disk and a message."""
    start = TODAY - datetime.timedelta(days=days_ago + 200)
    parcours = ParcoursFactory(termine=True, started_on=start)
    parcours.ended_on = TODAY - datetime.timedelta(days=days_ago)
    parcours.save()
    demande = DemandeFactory(
        beneficiaire=parcours.beneficiaire,
        complete=True,
        state=DemandeState.ACCEPTEE,
        parcours=parcours,
        evaluation_association="Récit détaillé de la situation",
    )
    path, digest = private_files.write("documents", b"%PDF-1.4 identite", ".pdf")
    DocumentFactory(demande=demande, file_path=path, sha256=digest)
    Message.objects.create(demande=demande, author=demande.referent, side="association", body="Message privé")
    titre = titres.open_for(parcours)
    titres.issue(
        titre, number="3100123456", issued_on=start, valid_until=start + datetime.timedelta(days=190)
    )
    return parcours.beneficiaire, path


def test_only_persons_past_the_retention_delay_are_due():
    old, _ = _ended_file(days_ago=400)
    recent, _ = _ended_file(days_ago=100)
    running = ParcoursFactory().beneficiaire
    due = set(privacy.due_for_anonymisation())
    assert old in due
    assert recent not in due
    assert running not in due


def test_anonymisation_erases_identity_free_text_documents_and_keeps_report_facts(
    django_capture_on_commit_callbacks,
):
    person, path = _ended_file(days_ago=400)
    reference, nationalities = person.reference, list(person.nationalities)
    with django_capture_on_commit_callbacks(execute=True):
        assert privacy.anonymise_due() == [person.pk]
    person.refresh_from_db()
    assert person.last_name == "[anonymisé]"
    assert (person.first_names, person.phone, person.address, person.birth_date) == ("", "", "", None)
    assert person.reference == reference
    assert list(person.nationalities) == nationalities
    demande = person.demandes.get()
    assert demande.evaluation_association == ""
    assert demande.state == DemandeState.ACCEPTEE
    assert not demande.objectifs.exclude(objectives="").exists()
    assert not Document.objects.filter(demande__beneficiaire=person).exists()
    assert not Message.objects.filter(demande__beneficiaire=person).exists()
    assert not (private_files.root() / path).exists()
    assert person.parcours.get().periodes.exists()
    from parcours.models import TitreSejourEvenement

    assert (
        not TitreSejourEvenement.objects.filter(titre__parcours__beneficiaire=person)
        .exclude(number="")
        .exists()
    )
    assert AccessLog.objects.filter(person_id=person.pk, action=AuditAction.ANONYMISE, user=None).exists()


def test_anonymisation_job_run_twice_does_nothing_the_second_time():
    _ended_file(days_ago=400)
    assert len(privacy.anonymise_due()) == 1
    assert privacy.anonymise_due() == []


def _secretariat(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )


def test_secretariat_produces_everything_held_on_a_person_as_one_pdf(client):
    demande = DemandeFactory(
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now(),
        evaluation_association="Évaluation <b>précise</b> de l’association",
    )
    person = demande.beneficiaire
    client.force_login(_secretariat(person.departement))
    response = client.post(reverse("parcours:access_report", args=[person.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert person.reference in text
    assert person.last_name in text
    assert "Évaluation <b>précise</b> de l’association" in text
    assert AccessLog.objects.filter(person_id=person.pk, action=AuditAction.ACCESS_REQUEST).count() == 1


def test_right_of_access_is_refused_to_others(client):
    demande = DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())
    person = demande.beneficiaire
    other_departement_secretariat = _secretariat(ParcoursFactory().commission.departement)
    caseworker = demande.referent
    for user in (other_departement_secretariat, caseworker):
        client.force_login(user)
        assert client.post(reverse("parcours:access_report", args=[person.pk])).status_code == 404
    client.force_login(_secretariat(person.departement))
    assert client.get(reverse("parcours:access_report", args=[person.pk])).status_code == 405
    assert not AccessLog.objects.exists()
