"""Reference data in force, entered as dated rows the secretariat can extend (never constants in code).

Figures: décret n° 2016-1467 (terms), décret n° 2017-542 and n° 2022-1340 (AFIS scales, as summarised
in the project's domain document), RSA lump sum for one person (revaluations of 1 April). An operator
checks them against the Journal officiel before going live and adds new rows as texts change; no RSA
row is entered for Mayotte, where the secretariat must enter the amount in force.
"""

import datetime
from decimal import Decimal as D

from django.db import migrations

BAREMES = [
    # territoire, effective_from, 0, 1, 2, 3 children, per further child, reference
    ("general", datetime.date(2017, 4, 15), D("330"), D("432"), D("534"), D("636"), D("102"),
     "Décret n° 2017-542 du 13 avril 2017"),
    ("general", datetime.date(2022, 10, 21), D("343.20"), D("449.28"), D("555.36"), D("661.44"), D("106.08"),
     "Décret n° 2022-1340 du 19 octobre 2022"),
    ("mayotte", datetime.date(2017, 4, 15), D("165"), D("216"), D("267"), D("318"), D("32"),
     "Décret n° 2017-542 du 13 avril 2017 (Mayotte)"),
]
FORFAITS_RSA = [
    ("general", datetime.date(2024, 4, 1), D("635.71"), "Revalorisation du RSA au 1er avril 2024"),
    ("general", datetime.date(2025, 4, 1), D("646.52"), "Revalorisation du RSA au 1er avril 2025"),
]


def seed(apps, schema_editor):
    RegleParcours = apps.get_model("parcours", "RegleParcours")
    BaremeAfis = apps.get_model("parcours", "BaremeAfis")
    ForfaitRsa = apps.get_model("parcours", "ForfaitRsa")
    RegleParcours.objects.get_or_create(
        effective_from=datetime.date(2016, 10, 30),
        defaults={"term_months": 6, "cap_months": 24, "legal_reference": "CASF L121-9 ; décret n° 2016-1467"},
    )
    for territoire, start, a0, a1, a2, a3, inc, ref in BAREMES:
        BaremeAfis.objects.get_or_create(
            territoire=territoire,
            effective_from=start,
            defaults={
                "amount_0": a0,
                "amount_1": a1,
                "amount_2": a2,
                "amount_3": a3,
                "increment_per_child": inc,
                "legal_reference": ref,
            },
        )
    for territoire, start, amount, ref in FORFAITS_RSA:
        ForfaitRsa.objects.get_or_create(
            territoire=territoire, effective_from=start, defaults={"amount": amount, "legal_reference": ref}
        )


class Migration(migrations.Migration):
    dependencies = [("parcours", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
