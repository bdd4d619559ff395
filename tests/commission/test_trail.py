"""The access log is a hash chain: each row carries sha256(previous row's hash + its own content), so a
row changed or removed behind the application's back is found, and named, by `verify_access_log`."""

import importlib
import logging
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import RequestFactory

from commission import audit
from commission.enums import AuditAction
from commission.models import AccessLog
from commission.models.audit import chain_hash
from tests.factories import BeneficiaireFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request(user, path="/personnes/1/"):
    request = RequestFactory().get(path, REMOTE_ADDR="192.0.2.10")
    request.user = user
    return request


def _behind_the_application(sql, params=()):
    """What someone with SQL access as the tables' owner could do (on PostgreSQL, with the append-only
    trigger switched off for the statement: only the owner or a superuser can)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of the rows just written.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE commission_accesslog DISABLE TRIGGER commission_accesslog_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE commission_accesslog ENABLE TRIGGER commission_accesslog_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _some_rows():
    user = UserFactory()
    request = _request(user)
    audit.record(request, BeneficiaireFactory())
    audit.record_list(request, [DemandeFactory(), DemandeFactory(), BeneficiaireFactory()])
    audit.record_rows(
        user.pk, [("parcours.Demande", 7, 3), ("parcours.Demande", 8, None)], AuditAction.EXPORT
    )
    # As the anonymisation writes its row: through the model, no request.
    AccessLog.objects.create(user=None, action=AuditAction.ANONYMISE, object_type="x.Y", object_id="1")
    return list(AccessLog.objects.order_by("pk"))


def test_every_way_of_writing_a_row_chains_it_to_the_previous_one():
    rows = _some_rows()
    assert len(rows) == 7
    previous = ""
    for row in rows:
        assert row.hash == chain_hash(previous, row)
        assert len(row.hash) == 64
        previous = row.hash
    assert len({row.hash for row in rows}) == 7


def test_the_hash_covers_the_rows_content():
    row = _some_rows()[2]
    before = chain_hash("", row)
    row.person_id = (row.person_id or 0) + 1
    assert chain_hash("", row) != before


def test_an_intact_chain_verifies(capsys):
    rows = _some_rows()
    call_command("verify_access_log")
    out = capsys.readouterr().out
    assert f"7 ligne(s) vérifiée(s), chaîne intacte jusqu’à la ligne n° {rows[-1].pk}" in out
    assert rows[-1].hash in out


def test_a_changed_row_is_named_by_the_verification():
    rows = _some_rows()
    _behind_the_application("UPDATE commission_accesslog SET person_id = 999 WHERE id = %s", [rows[3].pk])
    with pytest.raises(CommandError, match=f"ligne n° {rows[3].pk} ") as error:
        call_command("verify_access_log")
    assert "3 ligne(s) vérifiée(s)" in str(error.value)


def test_a_removed_row_breaks_the_chain_at_the_next_one():
    rows = _some_rows()
    _behind_the_application("DELETE FROM commission_accesslog WHERE id = %s", [rows[1].pk])
    with pytest.raises(CommandError, match=f"ligne n° {rows[2].pk} "):
        call_command("verify_access_log")


def test_a_row_inserted_without_its_hash_is_named():
    rows = _some_rows()
    forged = AccessLog(user=None, action=AuditAction.READ, object_type="x.Y", object_id="2", hash="0" * 64)
    models.QuerySet(AccessLog).bulk_create([forged])  # the plain INSERT, which computes no chain
    with pytest.raises(CommandError, match=f"ligne n° {forged.pk or ''}"):
        call_command("verify_access_log")
    assert AccessLog.objects.verify()[0] == len(rows)


def test_the_migration_chains_the_rows_written_before_it():
    migration = importlib.import_module("commission.migrations.0011_audit_trail")
    user = UserFactory()
    old = [
        AccessLog(
            user=user, action=AuditAction.READ, object_type="parcours.Demande", object_id=str(n), hash=""
        )
        for n in range(3)
    ]
    models.QuerySet(AccessLog).bulk_create(old)
    assert AccessLog.objects.verify()[2] is not None
    # The migration's editor, as far as the function uses it (SQLite's refuses to open in a transaction).
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.chain_existing_rows(apps, editor)
    checked, _last, broken = AccessLog.objects.verify()
    assert (checked, broken) == (3, None)
    # And the next row chains after them.
    audit.record(_request(user), BeneficiaireFactory())
    assert AccessLog.objects.verify()[1:] == (AccessLog.objects.order_by("-pk").first(), None)


def test_an_empty_log_verifies(capsys):
    call_command("verify_access_log")
    assert "vide" in capsys.readouterr().out


def test_the_daily_task_logs_a_broken_chain_as_an_error(caplog):
    from commission.tasks import verify_access_log

    rows = _some_rows()
    assert verify_access_log.delay().get() == {"checked": 7, "broken": None, "last_hash": rows[-1].hash}

    _behind_the_application("UPDATE commission_accesslog SET person_id = 999 WHERE id = %s", [rows[3].pk])
    with caplog.at_level(logging.ERROR, logger="commission.tasks"):
        assert verify_access_log.delay().get() == {"checked": 3, "broken": rows[3].pk}
    assert f"broken at row {rows[3].pk}" in caplog.text


def test_the_daily_task_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "commission.tasks.verify_access_log" in tasks
