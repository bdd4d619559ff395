"""The change history stays append-only on PostgreSQL, with one exception: the anonymisation may
replace the values of a history row (`changes`, `changes_text`) by a mask, and nothing else, when it
asks for it in its own transaction (`set_config('psp.masking_history', 'on', true)`, see
parcours.privacy.mask_history). DELETE stays refused, and so does any other UPDATE."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION psp_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'auditlog_logentry'
       AND coalesce(current_setting('psp.masking_history', true), '') = 'on'
       AND (to_jsonb(NEW) - 'changes' - 'changes_text') = (to_jsonb(OLD) - 'changes' - 'changes_text') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

ORIGINAL = """
CREATE OR REPLACE FUNCTION psp_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ORIGINAL, params=None)


class Migration(migrations.Migration):
    dependencies = [("parcours", "0010_non_negative_amounts"), ("commission", "0006_append_only_triggers")]
    operations = [migrations.RunPython(install, uninstall)]
