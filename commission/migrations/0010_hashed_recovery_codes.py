"""Recovery codes as salted SHA-256 digests (RecoveryCodeDevice), and one-time enrolment links.

The codes django-otp's StaticToken kept in clear become digests of the same codes, so that they keep
working once each; the clear rows are deleted."""

import hashlib
import secrets

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def hash_clear_codes(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("commission", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("commission", "RecoveryCode")
    for static in StaticDevice.objects.filter(name="recovery").prefetch_related("token_set"):
        device = RecoveryCodeDevice.objects.create(user_id=static.user_id, name="recovery", confirmed=True)
        for token in static.token_set.all():
            code = "".join(token.token.split()).replace("-", "").lower()
            salt = secrets.token_hex(16)
            RecoveryCode.objects.create(
                device=device, salt=salt, digest=hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
            )
        static.token_set.all().delete()
        static.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commission", "0009_role_changes"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="EnrolmentLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="enrolment_links",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "lien d’activation de la double authentification",
            },
        ),
        migrations.CreateModel(
            name="RecoveryCodeDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="The human-readable name of this device.", max_length=64),
                ),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                (
                    "throttling_failure_timestamp",
                    models.DateTimeField(
                        blank=True,
                        default=None,
                        help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.",
                        null=True,
                    ),
                ),
                (
                    "throttling_failure_count",
                    models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts."),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, help_text="The most recent date and time this device was used.", null=True
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "codes de secours",
                "verbose_name_plural": "codes de secours",
            },
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("salt", models.CharField(max_length=32)),
                ("digest", models.CharField(max_length=64)),
                (
                    "device",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="commission.recoverycodedevice",
                    ),
                ),
            ],
            options={
                "verbose_name": "code de secours",
            },
        ),
        migrations.RunPython(hash_clear_codes, migrations.RunPython.noop),
    ]
