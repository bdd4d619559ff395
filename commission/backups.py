"""Backups that restore: the database and the private files together, in one timestamped folder.

A backup folder holds three parts:
- `database.dump`: `pg_dump -Fc` of the database (tables, rows, functions, the append-only triggers);
- `files.tar`: the private files folder (PRIVATE_FILES_ROOT) as it is on disk, already encrypted;
- `manifest.json`: the date, the database's applied migrations, and the size and sha256 of each part.

The database is dumped first, then the files: a file is written before the row that points to it
(commission.private_files), so every row of the dump finds its file in the archive. The keys
(FILES_ENCRYPTION_KEYS) are never in a backup: they are kept apart.

A restore goes into an empty database and an empty files folder only, after checking every part against
the manifest and the migrations against the code; it then decrypts every restored file with the
configured keys, so a missing key is found at the drill, not on the day of need.
Used by `manage.py backup` and `manage.py restore` (README, "Backups").
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from commission import private_files

FORMAT = 1
DUMP = "database.dump"
FILES = "files.tar"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why, in French, for the operator."""


def _environment(alias: str) -> dict[str, str]:
    """libpq's variables for the connection `alias`: the password never appears on a command line."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            _("Les sauvegardes se font avec PostgreSQL (DATABASE_URL) : pg_dump et pg_restore.")
        )
    settings = connection.settings_dict
    environment = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings.get(key):
            environment[variable] = str(settings[key])
    if settings.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = settings["OPTIONS"]["sslmode"]
    return environment


def _run(command: list[str], environment: dict[str, str]) -> str:
    try:
        return subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(
            _("%(program)s est introuvable : installez le client PostgreSQL (paquet postgresql-client).")
            % {"program": command[0]}
        ) from error
    except subprocess.CalledProcessError as error:
        raise BackupError(
            _("%(program)s a échoué : %(error)s") % {"program": command[0], "error": error.stderr.strip()}
        ) from error


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    """The migrations applied to the database, by app, in name order."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def _skip_temporary(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    # A file being re-encrypted by rotate_files_key; its original is archived.
    return None if member.name.endswith(".tmp") else member


def backup(destination: Path, alias: str = "default") -> Path:
    """Write a new backup folder under `destination`; return its path."""
    environment = _environment(alias)
    created = datetime.now(UTC)
    folder = Path(destination) / f"psp-{created:%Y%m%dT%H%M%SZ}"
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError as error:
        raise BackupError(
            _("Le dossier %(folder)s existe déjà : relancez dans une seconde.") % {"folder": folder}
        ) from error
    # The dump holds the persons' data in clear: readable by this user only.
    os.chmod(folder, 0o700)
    try:
        _write_parts(folder, alias, environment, created)
    except BaseException:
        # A backup that failed halfway leaves no folder that could be taken for a whole one.
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _write_parts(folder: Path, alias: str, environment: dict[str, str], created: datetime) -> None:
    migrations = applied_migrations(alias)
    _run(["pg_dump", "--format=custom", f"--file={folder / DUMP}"], environment)
    os.chmod(folder / DUMP, 0o600)

    root = private_files.root()
    descriptor = os.open(folder / FILES, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as archive:
        if root.exists():
            for child in sorted(root.iterdir()):
                archive.add(child, arcname=child.name, filter=_skip_temporary)
        count = sum(1 for member in archive.getmembers() if member.isfile())

    manifest = {
        "format": FORMAT,
        "created_at": created.isoformat(),
        "database": connections[alias].settings_dict["NAME"],
        "migrations": migrations,
        "parts": {
            DUMP: {"sha256": sha256(folder / DUMP), "bytes": (folder / DUMP).stat().st_size},
            FILES: {
                "sha256": sha256(folder / FILES),
                "bytes": (folder / FILES).stat().st_size,
                "files": count,
            },
        },
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.chmod(folder / MANIFEST, 0o600)


def verify(folder: Path) -> dict:
    """The manifest of a backup folder whose parts are whole (their sha256 match the manifest)."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(
            _("%(folder)s n’est pas une sauvegarde : %(part)s manque.") % {"folder": folder, "part": MANIFEST}
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("Format de sauvegarde inconnu : %(format)r.") % {"format": manifest.get("format")}
        )
    for part in (DUMP, FILES):
        path = folder / part
        if not path.exists():
            raise BackupError(_("La sauvegarde est incomplète : %(part)s manque.") % {"part": part})
        if sha256(path) != manifest["parts"][part]["sha256"]:
            raise BackupError(
                _("%(part)s a été modifié ou abîmé : son sha256 diffère de celui du manifeste.")
                % {"part": part}
            )
    # Migrations the code does not know: the backup comes from a newer version of the application.
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "La sauvegarde vient d’une version plus récente de l’application (migrations inconnues : "
                "%(migrations)s) : déployez cette version avant de restaurer."
            )
            % {"migrations": ", ".join(unknown[:5])}
        )
    return manifest


def check_empty_target(alias: str = "default") -> None:
    """A restore never writes over data: the database and the files folder must both be empty."""
    # Through psql, as pg_restore will connect: the target needs no Django connection.
    tables = int(
        _run(
            [
                "psql",
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--command",
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            ],
            _environment(alias),
        ).strip()
    )
    if tables:
        name = connections[alias].settings_dict["NAME"]
        raise BackupError(
            _(
                "La base %(name)s contient déjà %(tables)s table(s) : restaurez dans une base neuve et vide "
                "(CREATE DATABASE … OWNER …)."
            )
            % {"name": name, "tables": tables}
        )
    root = private_files.root()
    if root.exists() and any(root.iterdir()):
        raise BackupError(
            _(
                "Le dossier des fichiers %(root)s n’est pas vide : indiquez un dossier neuf (PRIVATE_FILES_ROOT)."
            )
            % {"root": root}
        )


def restore(folder: Path, alias: str = "default") -> dict:
    """Restore a verified backup into the empty database `alias` and the empty PRIVATE_FILES_ROOT; return
    the counts of files restored and of files the configured keys could not decrypt."""
    folder = Path(folder)
    verify(folder)
    environment = _environment(alias)
    check_empty_target(alias)
    # As the connecting role (the owner of the tables), in one transaction that stops at the first error.
    # Privileges are not restored: `manage.py grant_app_role` gives the application's role its rights.
    # The rows are loaded before the triggers are created (pg_restore's post-data section), so the
    # append-only triggers refuse nothing here and guard the restored tables afterwards.
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={environment['PGDATABASE']}",
            str(folder / DUMP),
        ],
        environment,
    )
    root = private_files.root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tarfile.open(folder / FILES) as archive:
        # The "data" filter refuses absolute paths, links and anything outside the folder.
        archive.extractall(root, filter="data")
    restored = undecryptable = 0
    for path in private_files.all_files():
        restored += 1
        try:
            private_files.read(str(path.relative_to(root)))
        except private_files.DecryptionError:
            undecryptable += 1
    return {"files": restored, "undecryptable": undecryptable}
