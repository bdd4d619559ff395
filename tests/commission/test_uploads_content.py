"""What an uploaded PDF or image may carry (commission/uploads.py): no script, no program to launch, no
embedded file, no XFA form, and no second format hidden in the same bytes."""

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfWriter

from commission import uploads

PDF = "application/pdf"

CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s >>"


def pdf(catalog=b"", page=b"", *extra, header=b"%PDF-1.7\n"):
    """A minimal PDF built by hand, with a correct cross-reference table, so that the names under test
    are written exactly as an attacker would write them."""
    bodies = [CATALOG % catalog, PAGES, PAGE % page, *extra]
    out, offsets = header, []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return out


def pdf_with_compressed_object(body):
    """A PDF whose object 4, referenced by the catalog's /OpenAction, sits compressed in an object stream
    (PDF 1.5): its names are nowhere in the raw bytes."""
    head = b"4 0 "
    packed = zlib.compress(head + body)
    objstm = b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(head),
        len(packed),
        packed,
    )
    bodies = [CATALOG % b"/OpenAction 4 0 R", PAGES, PAGE % b"", None, objstm]
    out, offsets = b"%PDF-1.7\n", {}
    for number, body in enumerate(bodies, 1):
        if body is not None:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(out)
    rows = b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"
    for number in range(1, 7):
        if number == 4:
            rows += b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big")
        else:
            offset = xref_offset if number == 6 else offsets[number]
            rows += b"\x01" + offset.to_bytes(4, "big") + (0).to_bytes(2, "big")
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (
            len(rows),
            rows,
        )
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return out


def image(image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (0, 0, 145)).save(buffer, format=image_format)
    return buffer.getvalue()


def zip_archive():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("page.html", "<p>autre contenu</p>")
    return buffer.getvalue()


def refusal(data, content_type=PDF):
    """The code of the refusal, None if the file is accepted."""
    try:
        uploads.check_content(data, content_type)
    except ValidationError as error:
        return error.code
    return None


def message(data, content_type=PDF):
    with pytest.raises(ValidationError) as raised:
        uploads.check_content(data, content_type)
    return raised.value.messages[0]


# --- what is accepted ----------------------------------------------------------------------------


def test_a_plain_pdf_is_accepted():
    assert refusal(pdf()) is None


def test_a_pdf_from_a_common_writer_is_accepted():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Attestation d’hébergement"})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue()) is None


def test_a_pdf_rendered_by_weasyprint_is_accepted():
    # The browser tests upload such PDFs; links (/URI actions) are no active content.
    from weasyprint import HTML

    rendered = HTML(
        string="<p>Attestation — pièce de test</p><a href='https://example.org'>lien</a>"
    ).write_pdf()
    assert refusal(rendered) is None


def test_an_open_action_that_only_shows_the_first_page_is_accepted():
    assert refusal(pdf(b"/OpenAction [3 0 R /Fit]")) is None


def test_a_pdf_protected_by_an_owner_password_only_is_accepted():
    # Many bank statements: they open without a password, only printing or copying is restricted.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="proprietaire", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue()) is None


@pytest.mark.parametrize(("image_format", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_plain_image_is_accepted(image_format, content_type):
    assert refusal(image(image_format), content_type) is None


# --- active content in a PDF ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            pdf(b"/OpenAction 4 0 R", b"", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), id="open-action"
        ),
        pytest.param(
            pdf(b"/Names << /JavaScript 4 0 R >>", b"", b"<< /Names [(a) 5 0 R] >>"), id="name-tree"
        ),
        pytest.param(
            pdf(b"", b"/AA << /O << /S /JavaScript /JS 4 0 R >> >>", b"(app.alert\\(1\\))"), id="page-action"
        ),
        # #61 is "a": a reader decodes the name to /JavaScript, a byte search for "/JavaScript" misses it.
        pytest.param(pdf(b"/OpenAction << /S /J#61vaScript /JS (x) >>"), id="escaped-long-name"),
        # Only the short /JS key, escaped (#53 is "S"): found by the parser, not in the raw bytes.
        pytest.param(pdf(b"", b"/AA << /O << /J#53 (app.alert\\(1\\)) >> >>"), id="escaped-short-name"),
        # An object no page or catalog points to: a lenient reader may still reach it.
        pytest.param(pdf(b"", b"", b"<< /JS (app.alert\\(1\\)) >>"), id="unreachable-object"),
        pytest.param(pdf_with_compressed_object(b"<< /S /JavaScript /JS (x) >>"), id="in-object-stream"),
        pytest.param(pdf(b"/OpenAction << /S /URI /URI ( JavaScript:alert\\(1\\)) >>"), id="script-link"),
    ],
)
def test_a_pdf_with_javascript_is_refused_wherever_the_script_sits(data):
    assert refusal(data) == "javascript"


def test_the_javascript_refusal_says_what_to_do():
    data = pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert message(data) == (
        "Ce PDF contient du JavaScript : enregistrez-le de nouveau en PDF sans script (Imprimer > "
        "Enregistrer au format PDF) puis déposez-le."
    )


def test_the_compressed_script_is_not_in_the_raw_bytes():
    # The case above proves the parser: the name is nowhere a byte search could see it.
    data = pdf_with_compressed_object(b"<< /S /JavaScript /JS (x) >>")
    assert b"JavaScript" not in data and b"/JS" not in data


@pytest.mark.parametrize(
    "catalog",
    [
        pytest.param(b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>", id="plain"),
        pytest.param(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>", id="escaped"),
    ],
)
def test_a_pdf_that_launches_a_program_is_refused(catalog):
    assert refusal(pdf(catalog)) == "launch"
    assert "lance un programme" in message(pdf(catalog))


def test_a_pdf_with_an_embedded_file_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("facture.exe", b"MZ\x90\x00 programme")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue()) == "embedded_file"
    assert "déposez chaque pièce séparément" in message(buffer.getvalue())


def test_a_pdf_with_an_xfa_form_is_refused():
    data = pdf(b"/AcroForm << /Fields [] /XFA 4 0 R >>", b"", b"<< /Length 0 >>\nstream\n\nendstream")
    assert refusal(data) == "xfa"
    assert "formulaire dynamique (XFA)" in message(data)


def test_a_pdf_that_needs_a_password_to_open_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="proprietaire", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue()) == "encrypted"
    assert "sans mot de passe" in message(buffer.getvalue())


def test_a_pdf_the_parser_cannot_read_is_refused():
    assert refusal(b"%PDF-1.7\nrien de lisible ici\n%%EOF\n") == "unreadable_pdf"


# --- two formats at once -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf(header=b"%PDF-1.7\n%<html><script>alert(1)</script>\n"), id="html-in-comment"),
        pytest.param(pdf(header=b"%PDF-1.7\n%<!DOCTYPE html><IFRAME src=x>\n"), id="html-upper-case"),
        pytest.param(pdf() + zip_archive(), id="zip-appended"),
    ],
)
def test_a_pdf_that_is_also_a_page_or_an_archive_is_refused(data):
    assert refusal(data) == "pdf_polyglot"


@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"<svg onload=alert(1)>", id="svg"),
        pytest.param(zip_archive(), id="zip"),
    ],
)
@pytest.mark.parametrize(("image_format", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_an_image_that_is_also_a_page_or_an_archive_is_refused(image_format, content_type, suffix):
    data = image(image_format) + suffix
    assert refusal(data, content_type) == "image_polyglot"


def test_an_image_that_a_pdf_reader_would_open_as_a_pdf_is_refused():
    # A PDF reader looks for its header in the first 1024 bytes, so a PNG chunk can carry it.
    png = image("PNG")
    data = png[:33] + (12).to_bytes(4, "big") + b"tEXt%PDF-1.7 x" + b"\x00\x00\x00\x00" + png[33:]
    assert refusal(data, "image/png") == "image_polyglot"
    assert "capture d’écran" in message(data, "image/png")
