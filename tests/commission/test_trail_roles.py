"""On PostgreSQL the application connects as a role that owns no table (README, "Database roles"):
it appends to the log tables and reads them, and can neither TRUNCATE, DELETE, UPDATE them nor
ALTER TABLE … DISABLE TRIGGER. And the TRUNCATE trigger holds even for a role granted TRUNCATE.

The role is the one .ci/run creates (APP_DATABASE_ROLE), given its rights in the test database by
`manage.py grant_app_role`, as a deployment does after migrating; without APP_DATABASE_ROLE a throwaway
role is created. Everything happens inside the test's transaction, rolled back at the end (PostgreSQL
creates roles and grants transactionally), and the statements run under SET ROLE on the test's own
connection, so no password and no second connection are needed."""

# ruff: noqa: S608 (the table names come from LOG_TABLES, never from input)
import io
import os
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory

from commission import audit
from commission.models import AccessLog
from tests.factories import BeneficiaireFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only"),
]

LOG_TABLES = ("commission_accesslog", "auditlog_logentry")


@pytest.fixture
def app_role():
    role = os.environ.get("APP_DATABASE_ROLE")
    with connection.cursor() as cursor:
        if role is None:
            role = "psp_app_throwaway"
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        assert cursor.fetchone() == (False,), f"the role {role} must exist and not be a superuser"
    out = io.StringIO()
    call_command("grant_app_role", role, stdout=out)
    assert role in out.getvalue()
    return role


def _as(role, sql):
    """Run `sql` as `role` in a savepoint; returns PostgreSQL's refusal (the savepoint's rollback also
    ends the SET ROLE)."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        # The foreign-key checks of the rows just written, deferred to the commit, run now: TRUNCATE
        # and ALTER TABLE would refuse to run beside them, whoever asks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")
        cursor.execute(sql)
    return str(refusal.value)


@pytest.fixture
def entry():
    request = RequestFactory().get("/personnes/1/")
    request.user = UserFactory()
    return audit.record(request, BeneficiaireFactory())


def test_the_application_role_reads_and_appends_to_the_access_log(app_role, entry):
    request = RequestFactory().get("/personnes/2/")
    request.user = entry.user
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(app_role)}")
        audit.record_list(request, [BeneficiaireFactory.build(pk=10**9)])
        cursor.execute("SELECT count(*) FROM commission_accesslog")
        assert cursor.fetchone() == (2,)
        cursor.execute("RESET ROLE")
    assert AccessLog.objects.verify()[::2] == (2, None)


@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_application_role_cannot_empty_or_rewrite_a_log_table(app_role, entry, table):
    assert "permission denied" in _as(app_role, f"TRUNCATE {table}")
    assert "permission denied" in _as(app_role, f"DELETE FROM {table}")
    assert "permission denied" in _as(app_role, f"UPDATE {table} SET id = id")


@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_application_role_cannot_switch_the_triggers_off(app_role, entry, table):
    for trigger in (f"{table}_append_only", f"{table}_no_truncate"):
        assert "must be owner" in _as(app_role, f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    assert "must be owner" in _as(app_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "must be owner" in _as(app_role, f"DROP TRIGGER {table}_no_truncate ON {table}")


@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_triggers_refuse_even_a_role_granted_truncate_update_and_delete(entry, table):
    """Were the application's role given more than it should, the triggers still hold."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE psp_too_much NOLOGIN")
        cursor.execute(f"GRANT SELECT, UPDATE, DELETE, TRUNCATE ON {table} TO psp_too_much")
        cursor.execute(f"SELECT count(*) FROM {table}")
        rows = cursor.fetchone()[0]
    assert rows >= 1
    assert "append-only: TRUNCATE refused" in _as("psp_too_much", f"TRUNCATE {table}")
    assert "append-only: DELETE refused" in _as("psp_too_much", f"DELETE FROM {table}")
    assert "append-only: UPDATE refused" in _as("psp_too_much", f"UPDATE {table} SET id = id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == rows


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Two connections appending at once: the advisory lock makes each chain to the other's last row
    (without it both would read the same last hash and the chain would fork)."""
    # A content type cached by an earlier test may name a row its rolled-back transaction never kept.
    ContentType.objects.clear_cache()
    user = UserFactory()

    def write(n):
        try:
            for index in range(25):
                with transaction.atomic():
                    audit.record_rows(
                        user.pk, [("x.Y", f"{n}-{index}", None), ("x.Y", f"{n}-{index}b", None)]
                    )
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked, _last, broken = AccessLog.objects.verify()
    assert (checked, broken) == (150, None)
