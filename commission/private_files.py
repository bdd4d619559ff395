"""Files that only permission-checked views may read: documents, letters, minutes.

They live under settings.PRIVATE_FILES_ROOT, outside any folder a web server serves, under random
names, encrypted at rest with authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256, from the
`cryptography` package). The keys come from the environment (FILES_ENCRYPTION_KEYS, newest first), so
the rotation command re-encrypts every file with the newest key while older ones still decrypt.
All reads and writes go through this module. The checksum returned is that of the clear content.
"""

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """The file was altered, or none of the configured keys encrypted it."""


def root() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT)


def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FILES_ENCRYPTION_KEYS])


def _path(relative: str) -> Path:
    path = (root() / relative).resolve()
    if root().resolve() not in path.parents:
        raise ValueError(f"Path outside the private root: {relative}")
    return path


def write(folder: str, content: bytes, suffix: str = "") -> tuple[str, str]:
    """Store `content` encrypted under a new random name; returns (relative path, sha256 of the clear
    content)."""
    relative = f"{folder}/{secrets.token_hex(16)}{suffix}"
    path = _path(relative)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Encrypted in memory before the file exists: what reaches the disk is never clear.
    token = _cipher().encrypt(content)
    # Readable by the application's user only; written to disk before the row that points to it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(token)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        # A write that failed halfway leaves no truncated file that no row points to.
        path.unlink(missing_ok=True)
        raise
    return relative, hashlib.sha256(content).hexdigest()


def read(relative: str) -> bytes:
    try:
        return _cipher().decrypt(_path(relative).read_bytes())
    except InvalidToken as error:
        raise DecryptionError(f"Cannot decrypt private file {relative}") from error


def delete(relative: str) -> None:
    _path(relative).unlink(missing_ok=True)


def all_files() -> Iterator[Path]:
    if root().exists():
        yield from (p for p in sorted(root().rglob("*")) if p.is_file() and not p.name.endswith(".tmp"))


def rotate(path: Path) -> None:
    """Re-encrypt one file with the newest key (atomic replace)."""
    token = _cipher().rotate(path.read_bytes())
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(token)
    os.replace(temporary, path)
