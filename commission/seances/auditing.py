"""Session models whose changes django-auditlog records (who, when, which fields), registered at start-up."""

from auditlog.registry import auditlog


def register():
    from commission.seances.models import Avis, Convocation, Presence, Seance, Vote

    for model in (Convocation, Presence):
        auditlog.register(model)
    # Free texts may name a person: the history says that they changed, not what they said.
    auditlog.register(Seance, mask_fields=["urgency_reason"])
    auditlog.register(Vote, mask_fields=["comment"])
    auditlog.register(Avis, mask_fields=["dissent"])
