"""The restore drill (README, "Backups"): `manage.py backup` then `manage.py restore --wet-run` into a
fresh database and a fresh files folder give back the same dossier, documents and letters: the same
rows, files that decrypt to the same bytes, and the append-only triggers.

PostgreSQL only (pg_dump and pg_restore). The data is committed (transactional test) so that pg_dump,
another process, sees it; the restored database is created on the same server and dropped at the end."""

# ruff: noqa: S608 (table names come from the models' Meta, never from input)
import json
import secrets

import psycopg2
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from beneficiaires.models import Beneficiaire
from commission import backups, private_files
from parcours import storage
from parcours.models import Courrier, Demande, Document
from tests.factories import CourrierFactory, DocumentFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)

RESTORE_ALIAS = "restore_drill"


def _server(dbname):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=dbname,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
    )


@pytest.fixture
def fresh_database():
    """An empty database on the same server, reachable through the alias RESTORE_ALIAS; dropped after."""
    name = f"psp_restore_{secrets.token_hex(4)}"
    admin = _server("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connections.settings[RESTORE_ALIAS] = {**connection.settings_dict, "NAME": name}
    try:
        yield name
    finally:
        if RESTORE_ALIAS in connections:
            connections[RESTORE_ALIAS].close()
            del connections[RESTORE_ALIAS]
        del connections.settings[RESTORE_ALIAS]
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def dossier(settings, tmp_path):
    """A dossier with a document and a letter, their files written encrypted in a live files folder."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "live-private"
    document_bytes = b"%PDF-1.7\n% piece d'identite fictive\n%%EOF\n"
    letter_bytes = b"%PDF-1.7\n% notification fictive\n%%EOF\n"
    document = DocumentFactory(file_path=storage.write(document_bytes), sha256="d" * 64)
    letter = CourrierFactory(
        decision__demande=document.demande, file_path=storage.write(letter_bytes, folder="courriers")
    )
    return {
        "demande": document.demande,
        "document": document,
        "letter": letter,
        "clear": {document.file_path: document_bytes, letter.file_path: letter_bytes},
    }


def _rows(cursor, model, pk):
    cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])
    return cursor.fetchall()


def _public_tables(cursor):
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [name for (name,) in cursor.fetchall()]


def _counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _triggers(cursor):
    cursor.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
    )
    return cursor.fetchall()


# Committed rows, for pg_dump (another process) to see; the rows the migrations wrote are put back after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    dossier, fresh_database, settings, tmp_path
):
    live_root = settings.PRIVATE_FILES_ROOT
    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / backups.MANIFEST).read_text())
    assert manifest["parts"][backups.DUMP]["sha256"] == backups.sha256(folder / backups.DUMP)
    assert manifest["parts"][backups.FILES]["sha256"] == backups.sha256(folder / backups.FILES)
    assert manifest["parts"][backups.FILES]["files"] == 2
    assert "0001_initial" in manifest["migrations"]["parcours"]
    assert (folder / backups.DUMP).stat().st_mode & 0o077 == 0

    settings.PRIVATE_FILES_ROOT = tmp_path / "restored-private"
    call_command("restore", str(folder), "--database", RESTORE_ALIAS, "--wet-run")

    demande, document, letter = dossier["demande"], dossier["document"], dossier["letter"]
    restored = _server(fresh_database)
    try:
        with connection.cursor() as live, restored.cursor() as copy:
            for model, pk in (
                (Demande, demande.pk),
                (Beneficiaire, demande.beneficiaire_id),
                (Document, document.pk),
                (Courrier, letter.pk),
            ):
                rows = _rows(live, model, pk)
                assert len(rows) == 1
                assert _rows(copy, model, pk) == rows
            tables = _public_tables(live)
            assert _public_tables(copy) == tables
            assert _counts(copy, tables) == _counts(live, tables)
            # The append-only triggers of the log tables came back with the tables.
            triggers = _triggers(live)
            assert ("commission_accesslog", "commission_accesslog_no_truncate") in triggers
            assert _triggers(copy) == triggers
    finally:
        restored.close()

    for relative, clear in dossier["clear"].items():
        assert (settings.PRIVATE_FILES_ROOT / relative).read_bytes() == (live_root / relative).read_bytes()
        assert private_files.read(relative) == clear
    assert storage.read(document.file_path) == dossier["clear"][document.file_path]


# The refusals need no committed row: a backup of the test's database as pg_dump sees it is enough.
@pytest.mark.django_db
def test_a_restore_refuses_a_database_that_holds_data_a_newer_backup_and_a_damaged_one(
    dossier, settings, tmp_path
):
    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    settings.PRIVATE_FILES_ROOT = tmp_path / "restored-private"

    # Into the live database: it holds tables, the restore refuses before writing anything.
    with pytest.raises(CommandError, match="contient déjà"):
        call_command("restore", str(folder), "--wet-run")

    # A backup from a newer version of the application: its migrations are unknown to this code.
    manifest_path = folder / backups.MANIFEST
    original = manifest_path.read_text()
    manifest = json.loads(original)
    manifest["migrations"]["parcours"].append("9999_from_the_future")
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="parcours.9999_from_the_future"):
        call_command("restore", str(folder))
    manifest_path.write_text(original)

    dump = folder / backups.DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 1
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="database.dump a été modifié"):
        call_command("restore", str(folder))
    assert not (tmp_path / "restored-private").exists()


@pytest.mark.django_db
def test_a_restore_fails_when_a_file_does_not_decrypt_with_the_configured_keys(
    dossier, fresh_database, settings, tmp_path
):
    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    settings.PRIVATE_FILES_ROOT = tmp_path / "restored-private"
    # The key in service at the date of the backup was not kept.
    settings.FILES_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="2 fichier\\(s\\) ne se déchiffrent pas"):
        call_command("restore", str(folder), "--database", RESTORE_ALIAS, "--wet-run")
