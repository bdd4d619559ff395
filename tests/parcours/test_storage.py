"""Private storage of the dossiers' files (parcours/storage.py): where files go, and what a file is."""

import io
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageFile
from pypdf import PdfWriter

from parcours import storage


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(image_format, size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


# --- where files go ------------------------------------------------------------------------------


def test_written_file_lands_under_the_private_root_with_a_random_name(private_root):
    relative = storage.write(b"contenu confidentiel")
    assert (Path(private_root) / relative).is_file()
    assert relative.startswith("documents/")
    assert not Path(relative).suffix
    assert storage.write(b"contenu confidentiel") != relative


def test_written_file_is_encrypted_on_disk_and_read_back_in_clear(private_root):
    relative = storage.write(b"%PDF-1.7 engagement de la personne %%EOF")
    assert b"engagement" not in (Path(private_root) / relative).read_bytes()
    assert storage.read(relative) == b"%PDF-1.7 engagement de la personne %%EOF"
    with storage.stream(relative) as handle:
        assert handle.read() == b"%PDF-1.7 engagement de la personne %%EOF"


def test_deleted_file_is_gone():
    relative = storage.write(b"x")
    storage.delete(relative)
    with pytest.raises(storage.UnreadableFile):
        storage.read(relative)


def test_an_altered_file_is_unreadable(private_root):
    relative = storage.write(b"contenu")
    path = Path(private_root) / relative
    data = bytearray(path.read_bytes())
    data[-5] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(storage.UnreadableFile):
        storage.read(relative)


@pytest.mark.parametrize("relative", ["../secret", "documents/../../secret", "/etc/passwd", "", "."])
def test_a_path_leaving_the_private_root_is_refused(relative):
    with pytest.raises(ValueError, match="outside the private root"):
        storage.stream(relative)


def test_a_folder_name_that_could_leave_the_root_is_refused():
    with pytest.raises(ValueError, match="Invalid private folder name"):
        storage.write(b"x", folder="../public")


def test_private_root_is_outside_what_a_web_server_serves():
    from commission import settings as production

    for private in (Path(production.PRIVATE_FILES_ROOT), Path(settings.PRIVATE_FILES_ROOT)):
        private = private.resolve()
        served = [Path(production.STATIC_ROOT), *map(Path, production.STATICFILES_DIRS)]
        if getattr(production, "MEDIA_ROOT", ""):
            served.append(Path(production.MEDIA_ROOT))
        for root in served:
            root = root.resolve()
            assert not private.is_relative_to(root) and not root.is_relative_to(private)


# --- what a file is ------------------------------------------------------------------------------


def test_pdf_jpeg_and_png_are_recognised_by_their_content():
    assert storage.detect_content_type(pdf_bytes()) == "application/pdf"
    assert storage.detect_content_type(image_bytes("JPEG")) == "image/jpeg"
    assert storage.detect_content_type(image_bytes("PNG")) == "image/png"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, id="executable"),
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
        # A PDF reader finds a header anywhere in the first 1024 bytes; a PDF must start with it.
        pytest.param(b"<html><script>alert(1)</script></html>\n" + pdf_bytes(), id="html-then-pdf"),
        pytest.param(b"", id="empty"),
        pytest.param(b"%PDF-1.7\n1 0 obj << >> endobj\n" + b"x" * 2000, id="pdf-without-end-marker"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"not an image at all" * 20, id="png-header-then-garbage"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"not an image at all" * 20, id="jpeg-header-then-garbage"),
    ],
)
def test_a_file_that_only_pretends_is_refused(content):
    assert storage.detect_content_type(content) is None


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
@pytest.mark.parametrize("weasyprint_imported", [False, True])
def test_a_truncated_image_is_refused(monkeypatch, image_format, weasyprint_imported):
    # WeasyPrint switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", weasyprint_imported)
    content = image_bytes(image_format, size=(400, 300))
    assert storage.detect_content_type(content[: len(content) // 2]) is None
    assert ImageFile.LOAD_TRUNCATED_IMAGES is weasyprint_imported


def test_another_image_format_is_refused():
    assert storage.detect_content_type(image_bytes("GIF")) is None
    assert storage.detect_content_type(image_bytes("BMP")) is None


def test_an_image_too_large_to_decode_safely_is_refused():
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    assert storage.detect_content_type(buffer.getvalue()) is None
