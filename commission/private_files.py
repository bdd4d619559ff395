"""Files that only permission-checked views may read: documents, letters, minutes.

They live under settings.PRIVATE_FILES_ROOT, outside any folder a web server serves, under random
names. All reads and writes go through here (encryption at rest plugs in at this one place).
"""

import hashlib
import secrets
from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT)


def write(folder: str, content: bytes, suffix: str = "") -> tuple[str, str]:
    """Store `content` under a new random name; returns (relative path, sha256 of the content)."""
    relative = f"{folder}/{secrets.token_hex(16)}{suffix}"
    path = root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(content)
    return relative, hashlib.sha256(content).hexdigest()


def read(relative: str) -> bytes:
    path = (root() / relative).resolve()
    if root().resolve() not in path.parents:
        raise ValueError(f"Path outside the private root: {relative}")
    return path.read_bytes()


def delete(relative: str) -> None:
    (root() / relative).unlink(missing_ok=True)
