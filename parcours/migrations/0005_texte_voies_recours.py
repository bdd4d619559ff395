"""The appeal paragraph of negative decisions, as a first national text the prefecture can reword.

It treats the administrative appeals (gracieux, hiérarchique) as optional and names the administrative
court with its two-month limit (CRPA L411-2, CJA R421-1). Whether a prior administrative appeal is
mandatory is not settled in the project's domain document: the prefecture's legal service checks this
text, and enters its own (per département if the court's name should appear) from the admin.
"""

import datetime

from django.db import migrations

VOIES_RECOURS = """Si vous entendez contester cette décision, vous pouvez, dans un délai de deux mois à compter de sa notification :
– former un recours gracieux auprès du préfet du département ;
– former un recours hiérarchique auprès du ministre chargé de l’égalité entre les femmes et les hommes ;
– saisir le tribunal administratif territorialement compétent d’un recours contentieux.

Le recours gracieux ou hiérarchique prolonge le délai du recours contentieux, qui doit alors être formé dans les deux mois suivant la réponse ; le silence gardé pendant deux mois sur votre recours vaut décision de rejet.

Le tribunal administratif peut être saisi par l’application « Télérecours citoyens », accessible sur le site www.telerecours.fr."""


def seed(apps, schema_editor):
    TexteCourrier = apps.get_model("parcours", "TexteCourrier")
    TexteCourrier.objects.get_or_create(
        kind="voies_recours",
        departement=None,
        effective_from=datetime.date(2016, 10, 30),
        defaults={"text": VOIES_RECOURS},
    )


class Migration(migrations.Migration):
    dependencies = [("parcours", "0004_courriers_rappels_titres")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
