"""One row never fails an export: a name holding a character no file may hold (stored before the forms
refused it, or by another way in) is written as U+FFFD, a formula is written as text, and a failed
job logs no cell."""

import io
import logging

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from commission import private_files
from commission.enums import OrganisationKind, Role
from parcours import exports
from parcours.enums import DemandeState
from parcours.filters import with_list_columns
from parcours.models import Demande, ExportJob
from parcours.models.exports import ExportState
from tests.factories import DemandeFactory, DepartementFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Characters a spreadsheet cell may not hold, written before the forms refused them. Not NUL:
# PostgreSQL stores no NUL in a text column, so no row can hold one there.
HOSTILE_NAME = "Oka\x07for\u202eroflA\x1b"


@pytest.fixture
def departement():
    return DepartementFactory()


@pytest.fixture
def secretariat(departement):
    organisation = OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement)
    return UserFactory(organisation=organisation, roles=[Role.SECRETARIAT])


@pytest.fixture
def demandes(departement):
    for last_name, first_names in ((HOSTILE_NAME, '=HYPERLINK("x")'), ("Eze", "Ngozi")):
        DemandeFactory(
            departement=departement,
            complete=True,
            submitted_at=timezone.now(),
            state=DemandeState.DEPOSEE,
            beneficiaire__last_name=last_name,
            beneficiaire__first_names=first_names,
        )
    return with_list_columns(Demande.objects.filter(beneficiaire__departement=departement)).order_by(
        "beneficiaire__last_name"
    )


def test_the_xlsx_export_writes_every_row_with_the_forbidden_characters_replaced(demandes):
    sheet = load_workbook(io.BytesIO(exports.render(demandes, "xlsx"))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    names = {row[1]: row[2] for row in rows}
    assert names["Oka\ufffdfor\ufffdroflA\ufffd"] == '\'=HYPERLINK("x")'
    assert names["Eze"] == "Ngozi"


def test_the_csv_export_writes_the_same_cells(demandes):
    text = exports.render(demandes, "csv").decode("utf-8-sig")
    assert "\x07" not in text and "\x1b" not in text and "\u202e" not in text
    assert ';Oka\ufffdfor\ufffdroflA\ufffd;"\'=HYPERLINK(""x"")";' in text


def test_a_failed_job_logs_neither_a_name_nor_the_error_message(secretariat, demandes, monkeypatch, caplog):
    job = ExportJob.objects.create(requested_by=secretariat, params={"format": "xlsx", "filters": {}})

    # The message quotes a cell, as openpyxl's IllegalCharacterError does.
    message = " ".join([HOSTILE_NAME, "est refusé"])

    def refuses(*args, **kwargs):
        raise ValueError(message)

    monkeypatch.setattr(private_files, "write", refuses)
    with caplog.at_level(logging.ERROR), pytest.raises(exports.ExportFailed) as caught:
        exports.run_job(job.pk)
    assert "Oka" not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Export job {job.pk} failed: ValueError" in logged
    assert "Oka" not in logged and "est refusé" not in logged
    job.refresh_from_db()
    assert (job.state, job.error) == (ExportState.ECHEC, "ValueError")
