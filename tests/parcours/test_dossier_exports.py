"""Exports of the dossier list for the secretariat: the filters on screen, CSV and XLSX, names included,
audited; a long list becomes a job with its progress, downloadable by its requester only."""

import datetime
import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from commission import private_files
from commission.enums import AuditAction, OrganisationKind, Role
from commission.models import AccessLog
from parcours import exports, filters
from parcours.enums import DemandeState
from parcours.models import ExportJob
from parcours.models.exports import ExportState
from tests.factories import (
    AssociationFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = reverse("bilan:export_dossiers")


def filed(departement, **kwargs):
    return DemandeFactory(
        departement=departement,
        complete=True,
        submitted_at=timezone.now(),
        **{"state": DemandeState.DEPOSEE, **kwargs},
    )


def staff_of(departement, role=Role.SECRETARIAT):
    organisation = OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement)
    return UserFactory(organisation=organisation, roles=[role])


@pytest.fixture
def departement():
    return DepartementFactory()


@pytest.fixture
def secretariat(client, departement):
    user = staff_of(departement)
    client.force_login(user)
    return user


def csv_lines(response):
    return response.content.decode("utf-8-sig").strip().splitlines()


def test_small_list_downloads_at_once_with_the_filters_on_screen_and_is_logged(
    client, departement, secretariat
):
    deposee = filed(departement, beneficiaire__last_name="Osagie")
    filed(departement, state=DemandeState.RECEVABLE)
    filed(DepartementFactory())  # another département's
    DemandeFactory(departement=departement)  # a draft: not the secretariat's

    response = client.post(START, {"etat": DemandeState.DEPOSEE, "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv_lines(response)
    assert lines[0].startswith("Référence;Nom;Prénoms;Nature;État")
    assert len(lines) == 2
    assert lines[1].startswith(f"{deposee.beneficiaire.reference};Osagie;")
    assert ";Déposée;" in lines[1]
    # One row per person in the file, naming the person.
    entry = AccessLog.objects.get(user=secretariat)
    assert (entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        AuditAction.EXPORT,
        "parcours.Demande",
        str(deposee.pk),
        deposee.beneficiaire_id,
    )


def test_xlsx_export_is_a_workbook(client, departement, secretariat):
    demande = filed(departement)

    response = client.post(START, {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Référence", "Nom", "Prénoms")
    assert rows[1][0] == demande.beneficiaire.reference
    assert isinstance(rows[1][7], datetime.datetime)  # filing date, a real date for the spreadsheet


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(client, departement, secretariat):
    filed(departement, beneficiaire__last_name="=HYPERLINK(1)")

    csv_response = client.post(START, {"format": "csv"})
    xlsx_response = client.post(START, {"format": "xlsx"})

    assert ";'=HYPERLINK(1);" in csv_lines(csv_response)[1]
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet.cell(row=2, column=2).value == "'=HYPERLINK(1)"
    assert sheet.cell(row=2, column=2).data_type == "s"


@pytest.mark.parametrize("role", [Role.REFERENT, Role.MEMBRE, Role.ETRANGERS, Role.ADMINISTRATEUR])
def test_other_roles_cannot_export(client, departement, role):
    organisation = (
        AssociationFactory(departement=departement)
        if role == Role.REFERENT
        else OrganisationFactory(kind=OrganisationKind.SERVICE_ETRANGERS, departement=departement)
    )
    client.force_login(UserFactory(organisation=organisation, roles=[role]))
    assert client.post(START, {"format": "csv"}).status_code == 404


def test_export_is_posted_not_fetched(client, secretariat):
    assert client.get(START).status_code == 405


@pytest.fixture
def long_list(departement, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 2)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    return [filed(departement) for _index in range(3)]


def test_long_list_becomes_a_job_whose_file_its_requester_downloads(
    client, secretariat, long_list, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"format": "csv"})

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bilan:export_job", args=[job.pk])
    assert (job.requested_by, job.state, job.done, job.total) == (secretariat, ExportState.TERMINE, 3, 3)
    # The file names three persons for its requester: one row each, at the file's address.
    made = AccessLog.objects.filter(user=secretariat)
    assert sorted(made.values_list("action", "person_id", "path")) == sorted(
        (AuditAction.EXPORT, demande.beneficiaire_id, reverse("bilan:export_download", args=[job.pk]))
        for demande in long_list
    )

    page = client.get(response["Location"])
    assert reverse("bilan:export_download", args=[job.pk]) in page.content.decode()
    assert 'hx-trigger="every 2s"' not in page.content.decode()

    download = client.get(reverse("bilan:export_download", args=[job.pk]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert len(csv_lines(download)) == 4
    entry = AccessLog.objects.filter(user=secretariat).order_by("pk").last()
    assert (entry.action, entry.object_type, entry.object_id) == (
        AuditAction.EXPORT,
        "parcours.ExportJob",
        str(job.pk),
    )


def test_a_job_keeps_the_filters_on_screen(
    client, departement, secretariat, long_list, django_capture_on_commit_callbacks
):
    recevables = [filed(departement, state=DemandeState.RECEVABLE) for _index in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"format": "xlsx", "etat": DemandeState.RECEVABLE, "q": ""})

    job = ExportJob.objects.get()
    assert job.params == {"format": "xlsx", "filters": {"etat": DemandeState.RECEVABLE}}
    sheet = load_workbook(io.BytesIO(private_files.read(job.file_path))).active
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == {demande.beneficiaire.reference for demande in recevables}


def test_while_a_job_runs_the_page_polls_its_progress(client, secretariat, long_list):
    # The job is created but its task has not run (no commit in this test).
    response = client.post(START, {"format": "csv"})
    job = ExportJob.objects.get()
    assert job.state == ExportState.EN_ATTENTE

    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="{reverse("bilan:export_job", args=[job.pk])}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "Actualiser" in page

    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<h1>" not in fragment
    assert "0 / 3" in fragment
    assert client.get(reverse("bilan:export_download", args=[job.pk])).status_code == 404


def test_someone_elses_job_is_not_found(
    client, departement, secretariat, long_list, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"format": "csv"})
    job = ExportJob.objects.get()

    client.force_login(staff_of(departement))  # a colleague of the same secretariat
    assert client.get(reverse("bilan:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("bilan:export_download", args=[job.pk])).status_code == 404


def test_running_a_job_twice_makes_its_file_once(secretariat, long_list):
    job = ExportJob.objects.create(requested_by=secretariat, params={"format": "csv", "filters": {}})

    first = exports.run_job(job.pk)
    second = exports.run_job(job.pk)

    assert first.state == ExportState.TERMINE
    assert second.file_path == first.file_path
    assert len(csv_lines_of(private_files.read(first.file_path))) == 4


def csv_lines_of(content):
    return content.decode("utf-8-sig").strip().splitlines()


def test_a_failed_job_says_so(secretariat, monkeypatch):
    job = ExportJob.objects.create(requested_by=secretariat, params={"format": "csv", "filters": {}})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(private_files, "write", broken)
    with pytest.raises(exports.ExportFailed, match="OSError"):
        exports.run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.error) == (ExportState.ECHEC, "OSError")


def test_exports_older_than_a_week_are_deleted_with_their_file(secretariat, long_list):
    old = exports.run_job(ExportJob.objects.create(requested_by=secretariat, params={"format": "csv"}).pk)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    recent = exports.run_job(ExportJob.objects.create(requested_by=secretariat, params={"format": "csv"}).pk)

    assert exports.purge() == 1

    assert list(ExportJob.objects.all()) == [recent]
    assert not (private_files.root() / old.file_path).exists()
    assert (private_files.root() / recent.file_path).exists()


def test_export_buttons_carry_the_filters_on_screen(rf, secretariat):
    request = rf.get("/dossiers/", {"etat": DemandeState.RECEVABLE, "q": "osa"})
    request.user = secretariat
    form, _demandes = filters.dossier_list(secretariat, request.GET)

    html = render_to_string("parcours/exports/_export_form.html", {"form": form}, request=request)

    assert f'action="{START}"' in html
    assert '<input type="hidden" name="etat" value="recevable">' in html
    assert '<input type="hidden" name="q" value="osa">' in html
    assert 'name="format" value="xlsx"' in " ".join(html.split())
