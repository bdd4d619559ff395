"""The audit trail cannot be emptied nor rewritten unseen.

1. On PostgreSQL a BEFORE TRUNCATE trigger on both log tables (the access log and django-auditlog's
   LogEntry) refuses TRUNCATE, as 0006's triggers refuse UPDATE and DELETE. A superuser passes (it can
   disable any trigger anyway): the test suite's flush and an operator restoring a backup run as one.
   The application itself connects as a role that owns no table, so it can neither TRUNCATE nor
   ALTER TABLE … DISABLE TRIGGER (README, "Database roles").
2. Each access-log row gets `hash`, chained to the previous row's; the rows already written are chained
   here in id order. The UPDATE that writes their hash needs 0006's trigger off for the time of this
   migration: only the tables' owner, who migrates, can do that.
"""

from django.db import migrations, models

TABLES = ["commission_accesslog", "auditlog_logentry"]

TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION psp_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


# The head of the access log's chain, under its lock (commission.models.audit.AccessLogQuerySet.last_hash).
# VOLATILE: its SELECT takes a fresh snapshot after the lock is granted, so it sees the last row of the
# transaction that held the lock; one round trip instead of two.
CHAIN_HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION psp_accesslog_chain_head(lock_key bigint) RETURNS varchar AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT hash FROM commission_accesslog ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""


def install_truncate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRUNCATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION psp_refuse_truncate();"
        )


def uninstall_truncate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS psp_refuse_truncate();")


def install_chain_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHAIN_HEAD_FUNCTION, params=None)


def uninstall_chain_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS psp_accesslog_chain_head(bigint);")


def chain_existing_rows(apps, schema_editor):
    from commission.models.audit import chain_hash

    AccessLog = apps.get_model("commission", "AccessLog")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # ALTER TABLE refuses to run with deferred foreign-key checks pending on the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")
        schema_editor.execute("ALTER TABLE commission_accesslog DISABLE TRIGGER commission_accesslog_append_only;")
    previous = ""
    for row in AccessLog.objects.order_by("pk").iterator(chunk_size=2000):
        previous = chain_hash(previous, row)
        AccessLog.objects.filter(pk=row.pk).update(hash=previous)
    if postgresql:
        schema_editor.execute("ALTER TABLE commission_accesslog ENABLE TRIGGER commission_accesslog_append_only;")


class Migration(migrations.Migration):
    dependencies = [("commission", "0010_hashed_recovery_codes")]

    operations = [
        migrations.RunPython(install_truncate_triggers, uninstall_truncate_triggers),
        migrations.AddField(
            model_name="accesslog",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="empreinte chaînée"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(install_chain_head, uninstall_chain_head),
    ]
