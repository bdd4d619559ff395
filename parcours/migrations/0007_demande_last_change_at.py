"""Demande.last_change_at: the moment of the latest event, which the dossier lists sort on, with the
indexes those lists read (they sorted on a per-row subquery over the events)."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Demande = apps.get_model("parcours", "Demande")
    DemandeEvenement = apps.get_model("parcours", "DemandeEvenement")
    latest = DemandeEvenement.objects.filter(demande=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    Demande.objects.update(last_change_at=Coalesce(Subquery(latest), F("created_at")))


class Migration(migrations.Migration):
    dependencies = [("parcours", "0006_export_job")]

    operations = [
        migrations.AddField(
            model_name="demande",
            name="last_change_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="dernier changement le"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="demande",
            name="last_change_at",
            field=models.DateTimeField(editable=False, verbose_name="dernier changement le"),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                models.F("commission"),
                models.OrderBy(models.F("last_change_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=Q(submitted_at__isnull=False),
                name="demande_list_commission",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                models.F("association"),
                models.OrderBy(models.F("last_change_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="demande_list_association",
            ),
        ),
    ]
