import django.db.models.deletion
from django.db import migrations, models


def name_the_substitutes(apps, schema_editor):
    """Attendance recorded before this migration: the first substitute of the member sat for them."""
    Presence = apps.get_model("commission", "Presence")
    Mandat = apps.get_model("commission", "Mandat")
    for presence in Presence.objects.filter(status="represente", substitute__isnull=True):
        substitute = Mandat.objects.filter(titulaire_id=presence.mandat_id).order_by("pk").first()
        if substitute is None:
            presence.status = "excuse"
        presence.substitute = substitute
        presence.save(update_fields=["status", "substitute"])


def votes_cast_by_their_seat(apps, schema_editor):
    Vote = apps.get_model("commission", "Vote")
    Vote.objects.update(cast_by=models.F("mandat"))


class Migration(migrations.Migration):
    dependencies = [("commission", "0003_roles")]

    operations = [
        migrations.AddField(
            model_name="presence",
            name="substitute",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="substitutions",
                to="commission.mandat",
                verbose_name="suppléant·e qui siège",
            ),
        ),
        migrations.RunPython(name_the_substitutes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="presence",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "represente"), ("substitute__isnull", False))
                | models.Q(models.Q(("status", "represente"), _negated=True), ("substitute__isnull", True)),
                name="presence_substitute_iff_represented",
            ),
        ),
        migrations.AddField(
            model_name="vote",
            name="cast_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="votes_cast",
                to="commission.mandat",
                verbose_name="exprimé par",
            ),
        ),
        migrations.RunPython(votes_cast_by_their_seat, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="vote",
            name="cast_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="votes_cast",
                to="commission.mandat",
                verbose_name="exprimé par",
            ),
        ),
        migrations.AlterField(
            model_name="vote",
            name="mandat",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="votes",
                to="commission.mandat",
                verbose_name="siège",
            ),
        ),
    ]
