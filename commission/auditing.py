"""Models whose changes django-auditlog records (who, when, which fields), registered at start-up."""

from auditlog.registry import auditlog


def register():
    from commission.models import Agrement, Mandat, Organisation, User

    auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
    for model in (Organisation, Agrement, Mandat):
        auditlog.register(model)
