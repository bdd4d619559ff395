"""Session models whose changes django-auditlog records (who, when, which fields), registered at start-up."""

from auditlog.registry import auditlog


def register():
    from commission.seances.models import Avis, Convocation, Presence, Seance, Vote

    # Free text of the deliberation: the history says that it changed, not what a member wrote.
    auditlog.register(Seance, mask_fields=["urgency_reason"])
    auditlog.register(Vote, mask_fields=["comment"])
    auditlog.register(Avis, mask_fields=["dissent"])
    for model in (Convocation, Presence):
        auditlog.register(model)
