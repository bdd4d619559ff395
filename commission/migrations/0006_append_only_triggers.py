"""On PostgreSQL, the audit tables refuse UPDATE and DELETE whoever asks (the application, an admin
with SQL access through the application's role). TRUNCATE stays possible for the test suite's flush
and for an operator restoring a backup."""

from django.db import migrations

TABLES = ["commission_accesslog", "auditlog_logentry"]

FUNCTION = """
CREATE OR REPLACE FUNCTION psp_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION psp_refuse_change();"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS psp_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("commission", "0005_accesslog"), ("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(install, uninstall)]
