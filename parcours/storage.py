"""Private files of the dossiers (uploaded documents): the only code of the pathway that reads or
writes them.

The files themselves go through commission.private_files: under settings.PRIVATE_FILES_ROOT, outside the
static and media roots a web server would serve, under random names that never carry the uploader's
file name, encrypted at rest. They are read only through views that check the right to see the dossier.

The type of an uploaded file is decided by its bytes, never by its name or by what the browser says:
a PDF must start with the PDF header and end with its end-of-file marker; an image must be a JPEG or a
PNG that Pillow decodes completely. Then `check_content` refuses what such a file may carry besides
(JavaScript, launch actions, embedded files, a second format: see commission.uploads).
"""

import io
import re
import threading
import warnings
from typing import BinaryIO

from PIL import Image, ImageFile

from commission import private_files, uploads

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}

_FOLDER = re.compile(r"^[a-z][a-z0-9_-]*$")
# Pillow names a JPEG with multi-picture data (some phone cameras) "MPO"; it is still a JPEG file.
_IMAGE_FORMATS = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG}
# WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported; an upload must be
# whole, so decoding switches it off for its own duration, one decoding at a time.
_DECODING = threading.Lock()


class UnreadableFile(Exception):
    """The stored file is missing, was altered, or was encrypted with a key no longer configured."""


def write(data: bytes, *, folder: str = "documents") -> str:
    """Store `data` under a new random name; return its path relative to the private root."""
    if not _FOLDER.match(folder):
        raise ValueError(f"Invalid private folder name: {folder!r}")
    relative, _digest = private_files.write(folder, data)
    return relative


def read(relative: str) -> bytes:
    """The clear content of a stored file."""
    try:
        return private_files.read(relative)
    except (FileNotFoundError, private_files.DecryptionError) as error:
        raise UnreadableFile(f"Private file {relative} cannot be read: {error}") from error


def stream(relative: str) -> BinaryIO:
    """The clear content as a file object, for a download response; the caller closes it."""
    return io.BytesIO(read(relative))


def delete(relative: str) -> None:
    private_files.delete(relative)


def detect_content_type(data: bytes) -> str | None:
    """PDF, JPEG or PNG as decided by the content; None for anything else or a damaged file."""
    if data.startswith(b"%PDF-"):
        return PDF if _is_whole_pdf(data) else None
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _decoded_image_type(data)
    return None


def check_content(data: bytes, content_type: str) -> None:
    """Raise ValidationError, in French, if a file of `content_type` (as detected) carries active content
    or is also another format."""
    uploads.check_content(data, content_type)


def _is_whole_pdf(data: bytes) -> bool:
    # The end-of-file marker closes the last trailer; writers may add a few bytes after it.
    return b"%%EOF" in data[-1024:]


def _decoded_image_type(data: bytes) -> str | None:
    with _DECODING:
        truncated_allowed = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            return _decode(data)
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = truncated_allowed


def _decode(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            # An image of more pixels than Pillow's safety limit could exhaust memory when decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
                image_format = image.format
                image.load()  # decodes every pixel: a truncated or forged image fails here
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    return _IMAGE_FORMATS.get(image_format)
