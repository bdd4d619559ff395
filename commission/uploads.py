"""Uploaded files: refused while they are read when too large, kept in memory only, and refused when
they carry active content or are two formats at once.

Size. SizeLimitUploadHandler comes first in settings.FILE_UPLOAD_HANDLERS: a file inside a request body
larger than FILE_UPLOAD_MAX_MEMORY_SIZE is skipped before a byte of it is kept, and a file whose running
size passes UPLOAD_MAX_FILE_SIZE is skipped at the chunk that passes it. Django's
MemoryFileUploadHandler keeps what passes: there is no TemporaryFileUploadHandler, which would write the
clear file to the temporary folder (and leave it there if the worker died). The file is written to disk
only once checked, encrypted, by commission.private_files. A skipped file reaches the form through
`files(request)` as a RefusedUpload of its size, so the form says in French that it is too large
instead of "this field is required".

Content. `check_content` parses a PDF with pypdf, which decodes names written with #xx escapes
(/J#61vaScript is /JavaScript to a reader, and to pypdf, but not to a byte search), and refuses
JavaScript, launch actions, embedded files and XFA forms wherever they sit, reachable or not. A PDF or
image that is also an HTML page, a ZIP archive, or (for an image) a PDF is refused too: a browser, an
archive tool or a PDF reader would each open it as something else than what was checked.
"""

import io
import re
import warnings
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

_REFUSED = "_refused_uploads"


# --- size ----------------------------------------------------------------------------------------


class RefusedUpload(UploadedFile):
    """A file skipped while it was read, because it was too large: empty, of the size it reached."""

    def __init__(self, name: str, size: int):
        super().__init__(file=io.BytesIO(), name=name, content_type=None, size=size)


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips a file as soon as the request or the file is known to be over the limit (see module)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length
        # None: the parsing goes on, so that the form's other fields are still read and kept.
        return None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if self.body_length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            self._refuse(self.body_length)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.UPLOAD_MAX_FILE_SIZE:
            self._refuse(start + len(raw_data))
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (in memory) builds the file

    def _refuse(self, size: int):
        if self.request is not None:
            refused = getattr(self.request, _REFUSED, None)
            if refused is None:
                refused = {}
                setattr(self.request, _REFUSED, refused)
            refused[self.field_name] = RefusedUpload(self.file_name, size)
        # The parser drops what the next handler kept of this file and reads the rest of it to nowhere.
        raise SkipFile


def files(request) -> MultiValueDict:
    """request.FILES, with a RefusedUpload for each file the size limit skipped."""
    uploaded = request.FILES  # parses the body first
    refused = getattr(request, _REFUSED, None)
    if not refused:
        return uploaded
    merged = uploaded.copy()
    for field_name, upload in refused.items():
        merged.setlist(field_name, [upload])
    return merged


# --- content -------------------------------------------------------------------------------------

PDF = "application/pdf"

_MESSAGES = {
    "javascript": _(
        "Ce PDF contient du JavaScript : enregistrez-le de nouveau en PDF sans script (Imprimer > "
        "Enregistrer au format PDF) puis déposez-le."
    ),
    "launch": _(
        "Ce PDF contient une commande qui lance un programme : enregistrez-le de nouveau en PDF (Imprimer "
        "> Enregistrer au format PDF) puis déposez-le."
    ),
    "embedded_file": _(
        "Ce PDF contient des fichiers joints : déposez chaque pièce séparément, et enregistrez ce PDF de "
        "nouveau sans ses pièces jointes (Imprimer > Enregistrer au format PDF) avant de le déposer."
    ),
    "xfa": _(
        "Ce PDF est un formulaire dynamique (XFA), qui peut exécuter des scripts : enregistrez-le de "
        "nouveau en PDF (Imprimer > Enregistrer au format PDF) puis déposez-le."
    ),
    "encrypted": _(
        "Ce PDF est protégé par un mot de passe et ne peut pas être vérifié : ouvrez-le avec son mot de "
        "passe, enregistrez-le de nouveau sans mot de passe (Imprimer > Enregistrer au format PDF) puis "
        "déposez-le."
    ),
    "unreadable_pdf": _(
        "Ce PDF est endommagé ou illisible : enregistrez-le de nouveau (Imprimer > Enregistrer au format "
        "PDF) puis déposez-le."
    ),
    "pdf_polyglot": _(
        "Ce PDF contient aussi une page web ou une archive cachée : enregistrez-le de nouveau en PDF "
        "(Imprimer > Enregistrer au format PDF) puis déposez-le."
    ),
    "image_polyglot": _(
        "Cette image contient aussi une page web, une archive ou un PDF caché : ouvrez-la et enregistrez-la "
        "de nouveau en JPEG ou PNG (ou faites-en une capture d’écran), puis déposez-la."
    ),
}

# PDF names (keys or values, wherever they appear) that make a document act rather than show.
# /OpenAction and /AA (additional actions) alone only move to a page; they run a script or a program
# only through an action of type /JavaScript or /Launch, found by these names.
_ACTIVE_NAMES = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded_file",
    "/EmbeddedFiles": "embedded_file",
    "/XFA": "xfa",
}
# The long names, also searched in the raw bytes (with their #xx escapes decoded): an object that pypdf
# skips (unreachable, or damaged so that a lenient reader repairs it differently) is still found.
# The short ones (/JS, /XFA) would occur by chance in compressed data, and are left to the parser.
_RAW_NAME = re.compile(rb"/((?:[^\x00\s()<>\[\]{}/%#]|#[0-9A-Fa-f]{2}){6,40})")
_RAW_ACTIVE_NAMES = {name[1:].encode(): reason for name, reason in _ACTIVE_NAMES.items() if len(name) > 6}
# What makes a browser take bytes for a page. Five characters at least, so that compressed data does
# not match by chance.
_HTML = re.compile(rb"<(?:html|script|!doctype\s+html|iframe|body[\s>]|svg[\s>])", re.IGNORECASE)
# A PDF reader takes for a PDF a file whose header sits anywhere in its first 1024 bytes.
_PDF_HEADER_WINDOW = 1024
# Beyond this many objects the file is refused as unreadable rather than inspected for minutes.
_MAX_PDF_OBJECTS = 200_000


def check_content(data: bytes, content_type: str) -> None:
    """Raise ValidationError (a French sentence saying what to do) if the file, already known to be
    `content_type` (PDF, JPEG or PNG) by its content, carries active content or is also another format."""
    reason = _pdf_refusal(data) if content_type == PDF else _image_refusal(data)
    if reason:
        raise ValidationError(_MESSAGES[reason], code=reason)


def _image_refusal(data: bytes) -> str | None:
    if _HTML.search(data) or _is_zip(data) or b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return "image_polyglot"
    return None


def _pdf_refusal(data: bytes) -> str | None:
    if _HTML.search(data) or _is_zip(data):
        return "pdf_polyglot"
    for match in _RAW_NAME.finditer(data):
        reason = _RAW_ACTIVE_NAMES.get(_unescape_name(match.group(1)))
        if reason:
            return reason
    return _parsed_pdf_refusal(data)


def _unescape_name(raw: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def _is_zip(data: bytes) -> bool:
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - hostile bytes: whatever the ZIP reader trips on, it is no ZIP
        return False


def _parsed_pdf_refusal(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a lenient reader warns about what it repairs
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return "encrypted"
            return _walk(reader)
    except Exception:  # noqa: BLE001 - hostile bytes: a file the parser cannot read is not accepted
        return "unreadable_pdf"


def _is_script_uri(value) -> bool:
    """A link whose target is a script (javascript:alert(1)) rather than an address."""
    try:
        target = value.get_object()
    except Exception:  # noqa: BLE001 - a damaged reference: the caller refuses the file on its own walk
        return False
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    # Browsers ignore control characters and spaces before the scheme.
    return isinstance(target, str) and re.sub(r"[\x00-\x20]", "", target).lower().startswith("javascript:")


def _walk(reader) -> str | None:
    """Every object the file lists (reachable or not, in object streams too) and every object they
    point to, searched for active names; None if none."""
    pending = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > _MAX_PDF_OBJECTS:
                return "unreadable_pdf"
            item = item.get_object()  # a damaged object raises: the file is refused as unreadable
        if isinstance(item, DictionaryObject):  # streams too: their dictionary carries /Type
            for key, value in item.items():
                reason = _ACTIVE_NAMES.get(key)
                if reason:
                    return reason
                if key == "/URI" and _is_script_uri(value):
                    return "javascript"
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, NameObject) and item in _ACTIVE_NAMES:
            return _ACTIVE_NAMES[item]
    return None
