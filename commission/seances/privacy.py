"""Privacy on the session side.

- What members read of a session's free texts (urgency reason, postponement reasons, dissent, vote
  comments) goes through the pseudonymisation's masking function, built with every person on the
  agenda (`redactor_for`). The secretariat and the president, who see identity, read them as typed.
- When a person is anonymised (parcours.privacy sends `person_anonymised`: parcours knows nothing of
  the sessions), the session texts about them are masked for good, their transition reasons erased,
  and the stored minutes of their sessions rendered again from the masked texts.
"""

from django.dispatch import receiver

from commission import jobs
from commission.seances import access
from commission.seances.models import (
    Avis,
    PointEvenement,
    PointOrdreDuJour,
    ProcesVerbal,
    Seance,
    SeanceEvenement,
    Vote,
)
from parcours.privacy import mask_history, person_anonymised
from parcours.pseudonymise import Redactor


def _unmasked(text):
    return text or ""


_unmasked.do_not_call_in_templates = True


def redactor_for(seance, user=None, points=None):
    """The masking for the session's texts; `user` who sees identity gets them as typed."""
    if user is not None and access.sees_identity(user, seance):
        return _unmasked
    if points is None:
        points = seance.points.select_related("demande__beneficiaire")
    return Redactor(*(point.demande.beneficiaire for point in points))


@receiver(person_anonymised, dispatch_uid="seances_mask_texts_of_anonymised_person")
def mask_session_texts(sender, person, **kwargs):
    """Mask what the sessions wrote about `person`, and erase it from the change history.

    Called inside the anonymisation's transaction, before the identity is erased, so the masking
    still knows the person's names. Rows change through `update()`: a save would write the old text
    into the change history once more."""
    seance_ids = set(
        PointOrdreDuJour.objects.filter(demande__beneficiaire=person).values_list("seance_id", flat=True)
    )
    if not seance_ids:
        return
    # Every item of those sessions: another item's texts may name the person too.
    points = list(PointOrdreDuJour.objects.filter(seance_id__in=seance_ids).select_related("seance"))
    redact = Redactor(person)
    votes = list(Vote.objects.filter(point__in=points).exclude(comment=""))
    for vote in votes:
        Vote.objects.filter(pk=vote.pk).update(comment=redact(vote.comment))
    opinions = list(Avis.objects.filter(point__in=points).exclude(dissent=""))
    for avis in opinions:
        Avis.objects.filter(pk=avis.pk).update(dissent=redact(avis.dissent))
    for point in points:
        if point.postponement_reason:
            PointOrdreDuJour.objects.filter(pk=point.pk).update(
                postponement_reason=redact(point.postponement_reason)
            )
    for event in PointEvenement.objects.filter(point__in=points).exclude(reason=""):
        PointEvenement.objects.filter(pk=event.pk).update(reason=redact(event.reason))
    seances = {point.seance_id: point.seance for point in points}
    for seance in seances.values():
        if seance.urgency_reason:
            Seance.objects.filter(pk=seance.pk).update(urgency_reason=redact(seance.urgency_reason))
    for event in SeanceEvenement.objects.filter(seance_id__in=seances).exclude(reason=""):
        SeanceEvenement.objects.filter(pk=event.pk).update(reason=redact(event.reason))
    mask_history(Vote, [v.pk for v in votes], ["comment"])
    mask_history(Avis, [a.pk for a in opinions], ["dissent"])
    mask_history(Seance, list(seances), ["urgency_reason"])
    for seance_id in ProcesVerbal.objects.filter(seance_id__in=seances).values_list("seance_id", flat=True):
        _rerender_minutes(seance_id)


def _rerender_minutes(seance_id):
    from commission.seances.tasks import rerender_minutes

    jobs.enqueue(rerender_minutes, seance_id)
