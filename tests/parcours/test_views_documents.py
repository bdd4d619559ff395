"""Documents of a dossier: upload checked by content and size, replacement with history, download
only through the dossier's scope."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from commission.enums import OrganisationKind, Role
from parcours import storage
from parcours.enums import DemandeState, DocumentKind
from parcours.forms import MAX_DOCUMENT_SIZE
from parcours.models import Document
from tests.factories import AssociationFactory, DemandeFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = DemandeState


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def referent(association):
    return UserFactory(organisation=association, roles=[Role.REFERENT])


@pytest.fixture
def caseworker(client, referent):
    client.force_login(referent)
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


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (0, 0, 145)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored_files(root):
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def _upload_url(demande):
    return reverse("parcours:document_upload", args=[demande.pk])


def _html(response):
    return response.content.decode()


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


def _stored_document(demande, user, content=None, **kwargs):
    """A document whose file really is in the private storage."""
    content = content or _pdf()
    return Document.objects.create(
        demande=demande,
        kind=kwargs.pop("kind", DocumentKind.ENGAGEMENT),
        file_path=storage.write(content),
        original_name=kwargs.pop("original_name", "engagement.pdf"),
        content_type=kwargs.pop("content_type", "application/pdf"),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        **kwargs,
    )


# --- upload --------------------------------------------------------------------------------------


def test_upload_page_offers_the_document_types(caseworker, demande):
    html = _html(caseworker.get(_upload_url(demande)))
    assert "Ajouter une pièce au dossier" in html
    assert "Engagement signé de la personne" in html
    assert 'enctype="multipart/form-data"' in html


def test_uploaded_pdf_is_stored_privately_under_a_random_name(caseworker, demande, referent, private_root):
    content = _pdf()
    response = caseworker.post(
        _upload_url(demande),
        {"kind": DocumentKind.ENGAGEMENT, "file": _upload("Engagement de Mme X.pdf", content)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("parcours:dossier", args=[demande.pk]) + "#pieces"
    document = Document.objects.get(demande=demande)
    assert document.kind == DocumentKind.ENGAGEMENT
    assert document.content_type == "application/pdf"
    assert document.original_name == "Engagement de Mme X.pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == referent
    assert "Engagement" not in document.file_path and not document.file_path.endswith(".pdf")
    assert (Path(private_root) / document.file_path).read_bytes() != content  # encrypted at rest
    assert storage.read(document.file_path) == content
    assert "La pièce « Engagement signé de la personne » est ajoutée au dossier." in _messages(response)


def test_type_is_decided_by_the_content_not_the_name(caseworker, demande):
    caseworker.post(
        _upload_url(demande),
        {"kind": DocumentKind.IDENTITE, "file": _upload("passeport.pdf", _png(), "application/pdf")},
    )
    assert Document.objects.get(demande=demande).content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("rapport.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"pas une image" * 50, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"pas une image" * 50, "image/jpeg"),
        ("programme.pdf", b"MZ\x90\x00" + b"\x00" * 500, "application/pdf"),
        ("tronque.pdf", b"%PDF-1.7\n" + b"x" * 3000, "application/pdf"),
    ],
)
def test_forged_file_is_refused_in_french_and_the_type_kept(
    caseworker, demande, private_root, name, content, content_type
):
    response = caseworker.post(
        _upload_url(demande), {"kind": DocumentKind.EVALUATION, "file": _upload(name, content, content_type)}
    )
    html = _html(response)
    assert response.status_code == 200
    assert (
        "Ce fichier n’est pas un PDF, une image JPEG ou une image PNG lisible, quel que soit son nom." in html
    )
    assert '<option value="evaluation" selected>' in html
    assert not Document.objects.exists()
    assert _stored_files(private_root) == []


def test_oversize_file_is_refused_before_it_is_stored(caseworker, demande, private_root):
    content = b"%PDF-1.7\n" + b"0" * MAX_DOCUMENT_SIZE + b"\n%%EOF\n"
    response = caseworker.post(
        _upload_url(demande), {"kind": DocumentKind.AUTRE, "file": _upload("scan.pdf", content)}
    )
    html = _html(response)
    assert response.status_code == 200
    assert "Ce fichier dépasse la taille maximale de 10 Mo." in html
    assert not Document.objects.exists()
    assert _stored_files(private_root) == []


def _pdf_of_size(size):
    """A readable PDF of exactly `size` bytes: a blank page and its metadata padded to fit."""

    def written(padding):
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Subject": "0" * padding})
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    padding = 0
    while len(content := written(padding)) != size:
        padding += size - len(content)
    return content


def test_file_of_exactly_the_limit_is_accepted(caseworker, demande):
    content = _pdf_of_size(MAX_DOCUMENT_SIZE)
    caseworker.post(_upload_url(demande), {"kind": DocumentKind.AUTRE, "file": _upload("scan.pdf", content)})
    assert Document.objects.get(demande=demande).size == MAX_DOCUMENT_SIZE


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": DocumentKind.AUTRE}, "file", "Ce champ est obligatoire."),
        ({"file": "pdf"}, "kind", "Ce champ est obligatoire."),
        ({"kind": "releve_bancaire", "file": "pdf"}, "kind", "Sélectionnez un choix valide."),
        ({"kind": DocumentKind.AUTRE, "file": "empty"}, "file", "Le fichier soumis est vide."),
    ],
)
def test_missing_or_wrong_fields_are_refused_in_french(caseworker, demande, data, field, message):
    files = {"pdf": _upload("piece.pdf", _pdf()), "empty": _upload("vide.pdf", b"")}
    if "file" in data:
        data = {**data, "file": files[data["file"]]}
    response = caseworker.post(_upload_url(demande), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert message in _html(response)
    assert not Document.objects.exists()


@pytest.mark.parametrize("state", [S.DEPOSEE, S.RECEVABLE, S.ACCEPTEE, S.RETIREE])
def test_no_upload_once_the_dossier_is_filed(caseworker, association, private_root, state):
    demande = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        state=state,
        submitted_at=timezone.now(),
        pieces=False,  # the documents this test uploads itself
    )
    response = caseworker.post(
        _upload_url(demande), {"kind": DocumentKind.AUTRE, "file": _upload("piece.pdf", _pdf())}
    )
    assert response.status_code == 302
    assert any("il ne peut plus être modifié" in m for m in _messages(response))
    assert not Document.objects.exists()
    assert _stored_files(private_root) == []


def test_upload_when_a_complement_is_requested(caseworker, association):
    demande = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        state=S.COMPLEMENT_DEMANDE,
        submitted_at=timezone.now(),
        pieces=False,  # the documents this test uploads itself
    )
    caseworker.post(_upload_url(demande), {"kind": DocumentKind.IDENTITE, "file": _upload("id.pdf", _pdf())})
    assert Document.objects.filter(demande=demande).count() == 1


# --- replacement ---------------------------------------------------------------------------------


def test_replacement_keeps_the_former_version_in_the_history(caseworker, demande, referent):
    old = _stored_document(demande, referent, original_name="engagement-v1.pdf")
    response = caseworker.post(
        reverse("parcours:document_replace", args=[old.pk]), {"file": _upload("engagement-v2.png", _png())}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = old.replaced_by
    assert new.kind == DocumentKind.ENGAGEMENT
    assert new.original_name == "engagement-v2.png"
    assert new.content_type == "image/png"
    assert storage.read(old.file_path)  # the former file is still there
    html = _html(caseworker.get(reverse("parcours:dossier", args=[demande.pk])))
    assert "engagement-v2.png" in html
    assert "1 version remplacée" in html
    assert reverse("parcours:document_download", args=[old.pk]) in html


def test_a_replaced_version_cannot_be_replaced_again(caseworker, demande, referent):
    current = _stored_document(demande, referent)
    old = _stored_document(demande, referent, replaced_by=current)
    response = caseworker.post(
        reverse("parcours:document_replace", args=[old.pk]), {"file": _upload("v3.pdf", _pdf())}
    )
    assert response.status_code == 302
    assert any("a déjà été remplacée" in m for m in _messages(response))
    assert Document.objects.count() == 2


def test_forged_replacement_is_refused_and_nothing_changes(caseworker, demande, referent):
    old = _stored_document(demande, referent)
    response = caseworker.post(
        reverse("parcours:document_replace", args=[old.pk]),
        {"file": _upload("v2.pdf", b"%PDF-1.4 but not really")},
    )
    assert response.status_code == 200
    assert "quel que soit son nom" in _html(response)
    old.refresh_from_db()
    assert old.replaced_by is None
    assert Document.objects.count() == 1


def test_oversize_replacement_is_refused(caseworker, demande, referent):
    old = _stored_document(demande, referent)
    content = b"%PDF-1.7\n" + b"0" * MAX_DOCUMENT_SIZE + b"\n%%EOF\n"
    response = caseworker.post(
        reverse("parcours:document_replace", args=[old.pk]), {"file": _upload("v2.pdf", content)}
    )
    assert "Ce fichier dépasse la taille maximale de 10 Mo." in _html(response)
    old.refresh_from_db()
    assert old.replaced_by is None


def test_no_replacement_once_the_dossier_is_filed(caseworker, association, referent):
    demande = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        state=S.DEPOSEE,
        submitted_at=timezone.now(),
    )
    old = _stored_document(demande, referent)
    response = caseworker.post(
        reverse("parcours:document_replace", args=[old.pk]), {"file": _upload("v2.pdf", _pdf())}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.replaced_by is None


# --- download ------------------------------------------------------------------------------------


def test_download_is_an_attachment_with_a_safe_name_and_no_sniffing(caseworker, demande, referent):
    content = _pdf()
    document = _stored_document(demande, referent, content, original_name='Passeport "Mme X".pdf')
    response = caseworker.get(reverse("parcours:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    reference = demande.beneficiaire.reference
    assert response["Content-Disposition"] == (
        f'attachment; filename="{reference}-engagement-{document.pk}.pdf"'
    )


def test_secretariat_downloads_documents_of_submitted_dossiers_only(client, association, referent):
    secretariat = UserFactory(
        organisation=OrganisationFactory(
            kind=OrganisationKind.SECRETARIAT, departement=association.departement
        ),
        roles=[Role.SECRETARIAT],
    )
    submitted = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        state=S.DEPOSEE,
        submitted_at=timezone.now(),
    )
    draft = DemandeFactory(association=association, departement=association.departement)
    visible, hidden = _stored_document(submitted, referent), _stored_document(draft, referent)
    client.force_login(secretariat)
    response = client.get(reverse("parcours:document_download", args=[visible.pk]))
    # Read the stream through the test client, which closes it without closing the database connection
    # (a bare response.close() sends request_finished and drops the connection on PostgreSQL).
    b"".join(response.streaming_content)
    assert response.status_code == 200
    assert client.get(reverse("parcours:document_download", args=[hidden.pk])).status_code == 404


def test_another_associations_document_is_a_404(caseworker, association):
    other = AssociationFactory(departement=association.departement)
    foreign = DemandeFactory(association=other, departement=association.departement)
    document = _stored_document(foreign, foreign.referent)
    assert caseworker.get(reverse("parcours:document_download", args=[document.pk])).status_code == 404
    assert caseworker.get(reverse("parcours:document_replace", args=[document.pk])).status_code == 404
    response = caseworker.post(
        reverse("parcours:document_replace", args=[document.pk]), {"file": _upload("v2.pdf", _pdf())}
    )
    assert response.status_code == 404
    response = caseworker.post(
        _upload_url(foreign), {"kind": DocumentKind.AUTRE, "file": _upload("piece.pdf", _pdf())}
    )
    assert response.status_code == 404
    assert Document.objects.count() == 1


def test_a_document_whose_file_is_missing_is_a_404_not_a_crash(caseworker, demande, referent, caplog):
    document = _stored_document(demande, referent)
    storage.delete(document.file_path)
    response = caseworker.get(reverse("parcours:document_download", args=[document.pk]))
    assert response.status_code == 404
    assert f"Document {document.pk}" in caplog.text
