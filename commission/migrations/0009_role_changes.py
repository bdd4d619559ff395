"""Who gave or took away which role, append-only; on PostgreSQL a trigger refuses UPDATE and DELETE
(the function comes from 0006)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "commission_rolechange"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION psp_refuse_change();"
    )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("commission", "0008_sessions_leave_for_seances"),
        ("commission", "0006_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoleChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="le"),
                ),
                ("role", models.CharField(max_length=150, verbose_name="rôle ou droit")),
                (
                    "granted",
                    models.BooleanField(help_text="Faux si le rôle a été retiré.", verbose_name="accordé"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Vide pour une commande ou une migration, sans utilisateur·rice connecté·e.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_changes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="compte concerné",
                    ),
                ),
            ],
            options={
                "verbose_name": "changement de rôle",
                "verbose_name_plural": "changements de rôles",
                "ordering": ["-at", "-pk"],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
