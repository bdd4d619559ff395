"""The form that names who handles a dossier: its caseworker, or the secretariat's agent who
instructs it (see `parcours.access.assignment_field_of` and `parcours.workflow.demandes.assign`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commission.validators import CleanInputMixin

LABELS = {
    "referent": (
        _("Référent·e de l’association qui suit le dossier"),
        _("Seul·es les référent·es de l’association du dossier sont proposé·es."),
    ),
    "instructeur": (
        _("Agent du secrétariat qui instruit le dossier"),
        _("Seuls les agents du secrétariat de la commission sont proposés."),
    ),
}


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class AssignForm(CleanInputMixin, forms.Form):
    """One choice among `candidates` (a queryset of users), or nobody: the dossier is then unassigned."""

    assignee = AssigneeChoiceField(
        queryset=None,
        required=False,
        empty_label=_("Personne (dossier non attribué)"),
        error_messages={"invalid_choice": _("Choisissez une personne de la liste.")},
    )

    def __init__(self, *args, field, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment_field = field
        assignee = self.fields["assignee"]
        assignee.queryset = candidates.order_by("last_name", "first_name", "pk").distinct()
        assignee.label, assignee.help_text = LABELS[field]
