from auditlog.registry import auditlog

# Identity, contact and free text: the history says that they changed, not their values.
MASKED = [
    "last_name",
    "first_names",
    "usage_name",
    "birth_date",
    "birth_place",
    "phone",
    "address",
    "identity_key",
    "languages",
    "ressources_mensuelles",
]


def register():
    from beneficiaires.models import Accompagnement, Beneficiaire

    auditlog.register(Beneficiaire, mask_fields=MASKED)
    auditlog.register(Accompagnement)
