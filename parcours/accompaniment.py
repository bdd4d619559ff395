"""The pathway's side of a change of association (see `beneficiaires.workflow.change_association`).

Each dossier has one accompanying association at a time, and changes of association are dated
(CASF L121-9): when the person moves to another association, their open application follows them.
The new association files it, completes it, gives its opinion; the former one no longer sees it (the
scopes of `parcours.access` follow the person's current accompaniment). Closed applications keep the
association that filed them: they are the record of what was decided.
"""

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaires.workflow import association_changed
from parcours.models import Demande
from parcours.workflow import demandes as demandes_workflow


def register():
    association_changed.connect(open_applications_follow_the_person, dispatch_uid=__name__)


def open_applications_follow_the_person(sender, *, beneficiaire, former, current, on, user, **kwargs):
    """The person's open application passes to the new association and its caseworker (none until the
    association names one), with a dated event in the dossier's history."""
    with transaction.atomic():
        reason = _(
            "La personne est accompagnée par %(current)s à compter du %(on)s (auparavant : %(former)s)."
        ) % {
            "current": current.association.name,
            "on": date_format(on, "SHORT_DATE_FORMAT"),
            "former": former.association.name,
        }
        for demande in Demande.objects.open().filter(beneficiaire=beneficiaire):
            demandes_workflow.change_association(
                demande,
                association_id=current.association_id,
                referent_id=current.referent_id,
                user=user,
                reason=reason,
            )
