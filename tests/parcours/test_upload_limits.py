"""Uploading a document: a file too large is refused while it is read, nothing clear ever touches the
disk (not even the temporary folder), and a PDF with a script is refused with a sentence saying what to
do. The upload handler and the checks are in commission/uploads.py."""

import io
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse
from django.utils.module_loading import import_string
from pypdf import PdfWriter

from commission.enums import Role
from parcours.enums import DocumentKind
from parcours.forms import MAX_DOCUMENT_SIZE
from parcours.models import Document
from tests.factories import AssociationFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db

TOO_LARGE = "Ce fichier dépasse la taille maximale de 10 Mo."
JAVASCRIPT = (
    "Ce PDF contient du JavaScript : enregistrez-le de nouveau en PDF sans script (Imprimer &gt; "
    "Enregistrer au format PDF) puis déposez-le."
)
DJANGO_DEFAULT_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture
def spool(settings, tmp_path, monkeypatch):
    """An empty temporary folder of our own, and every file opened in it while the test runs: Django
    removes its spooled uploads when the request ends, so an empty folder afterwards proves nothing, but
    a file opened there during the request is clear bytes that a dying worker leaves behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    settings.FILE_UPLOAD_TEMP_DIR = None
    opened = []
    real_open = os.open

    def watching_open(path, *args, **kwargs):
        if Path(os.fsdecode(path)).resolve().is_relative_to(folder.resolve()):
            opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    assert tempfile.gettempdir() == str(folder)
    return {"folder": folder, "opened": opened}


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    return client


@pytest.fixture
def demande(association):
    return DemandeFactory(association=association, departement=association.departement)


def _pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_with_javascript():
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>\n"
        b"endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def _large(size):
    # Looks like a PDF to the browser and to the header check; it must be refused for its size alone.
    return b"%PDF-1.7\n" + b"0" * (size - len(b"%PDF-1.7\n%%EOF\n")) + b"%%EOF\n"


def _post(client, demande, content, name="scan.pdf"):
    return client.post(
        reverse("parcours:document_upload", args=[demande.pk]),
        {"kind": DocumentKind.EVALUATION, "file": SimpleUploadedFile(name, content, "application/pdf")},
    )


def _stored(root):
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


# --- the settings --------------------------------------------------------------------------------


def test_no_upload_handler_writes_to_the_temporary_folder():
    handlers = [import_string(path) for path in project_settings.FILE_UPLOAD_HANDLERS]
    assert handlers[0].__name__ == "SizeLimitUploadHandler"
    assert not any(issubclass(handler, TemporaryFileUploadHandler) for handler in handlers)
    # Whatever passes the size handler fits in the memory handler.
    assert project_settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= project_settings.UPLOAD_MAX_FILE_SIZE


def test_the_form_and_the_handler_share_one_limit():
    assert MAX_DOCUMENT_SIZE == project_settings.UPLOAD_MAX_FILE_SIZE


def test_form_fields_beyond_their_limit_are_refused_without_being_kept(caseworker, demande):
    # Non-file fields are held in memory: DATA_UPLOAD_MAX_MEMORY_SIZE caps them (Django answers 400).
    response = caseworker.post(
        reverse("parcours:document_upload", args=[demande.pk]),
        {"kind": "x" * (project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code == 400
    assert not Document.objects.exists()


# --- too large -----------------------------------------------------------------------------------


def test_a_body_far_over_the_limit_is_refused_in_french_and_the_type_kept(
    caseworker, demande, private_root, spool
):
    response = _post(caseworker, demande, _large(20 * 1024 * 1024))
    html = response.content.decode()
    assert response.status_code == 200
    assert TOO_LARGE in html
    assert '<option value="evaluation" selected>' in html
    # The handler skipped the file before keeping any of it: it never reached request.FILES.
    assert "file" not in response.wsgi_request.FILES
    assert not Document.objects.exists()
    assert _stored(private_root) == []
    assert spool["opened"] == []


def test_a_file_one_byte_over_the_limit_is_refused_while_it_is_read(caseworker, demande, private_root, spool):
    content = _large(MAX_DOCUMENT_SIZE + 1)
    # The whole request fits under the body limit: the running size is what refuses it.
    assert len(content) + 1024 < project_settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = _post(caseworker, demande, content)
    assert TOO_LARGE in response.content.decode()
    assert "file" not in response.wsgi_request.FILES
    assert not Document.objects.exists()
    assert _stored(private_root) == []
    assert spool["opened"] == []


def test_a_replacement_over_the_limit_is_refused_in_french(caseworker, demande, spool):
    _post(caseworker, demande, _pdf())
    document = Document.objects.get()
    response = caseworker.post(
        reverse("parcours:document_replace", args=[document.pk]),
        {"file": SimpleUploadedFile("v2.pdf", _large(20 * 1024 * 1024), "application/pdf")},
    )
    assert TOO_LARGE in response.content.decode()
    document.refresh_from_db()
    assert document.replaced_by is None
    assert spool["opened"] == []


# --- nothing clear on disk -----------------------------------------------------------------------


def test_an_accepted_file_goes_to_disk_only_encrypted(caseworker, demande, private_root, spool):
    content = _pdf()
    response = _post(caseworker, demande, content)
    assert response.status_code == 302
    stored = _stored(private_root)
    assert len(stored) == 1
    assert content not in stored[0].read_bytes()
    assert spool["opened"] == []
    assert list(spool["folder"].iterdir()) == []


def test_the_watch_would_see_a_spooled_upload(caseworker, demande, settings, spool):
    # Django's default handlers spool a body over FILE_UPLOAD_MAX_MEMORY_SIZE to the temporary folder:
    # the watch above sees it, so its silence in the other tests means something.
    settings.FILE_UPLOAD_HANDLERS = DJANGO_DEFAULT_HANDLERS
    _post(caseworker, demande, _large(20 * 1024 * 1024))
    assert spool["opened"]


def test_a_write_that_fails_halfway_leaves_no_file_behind(
    caseworker, demande, private_root, spool, monkeypatch
):
    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        _post(caseworker, demande, _pdf())
    assert _stored(private_root) == []
    assert spool["opened"] == []
    assert not Document.objects.exists()


# --- active content ------------------------------------------------------------------------------


def test_a_pdf_with_javascript_is_refused_in_french_and_the_type_kept(
    caseworker, demande, private_root, spool
):
    response = _post(caseworker, demande, _pdf_with_javascript(), name="attestation.pdf")
    html = response.content.decode()
    assert response.status_code == 200
    assert JAVASCRIPT in html
    assert '<option value="evaluation" selected>' in html
    assert not Document.objects.exists()
    assert _stored(private_root) == []
    assert spool["opened"] == []


def test_a_replacement_with_javascript_is_refused(caseworker, demande):
    _post(caseworker, demande, _pdf())
    document = Document.objects.get()
    response = caseworker.post(
        reverse("parcours:document_replace", args=[document.pk]),
        {"file": SimpleUploadedFile("v2.pdf", _pdf_with_javascript(), "application/pdf")},
    )
    assert JAVASCRIPT in response.content.decode()
    document.refresh_from_db()
    assert document.replaced_by is None
    assert Document.objects.count() == 1
