"""Session models whose changes django-auditlog records (who, when, which fields), registered at start-up."""

from auditlog.registry import auditlog


def register():
    from commission.seances.models import Avis, Convocation, Presence, Seance, Vote

    for model in (Seance, Convocation, Presence, Vote, Avis):
        auditlog.register(model)
