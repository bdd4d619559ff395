"""Who handles a dossier: the block of the dossier page that shows its caseworker and the
secretariat's agent, with the history of the changes, and the form that names one of them (sent to `dossiers.dossier_assign`).

The dossier is reached through the user's scope (another association's dossier is a 404); who may name
whom is `parcours.access`; the change and its event are the workflow's `assign`."""

from parcours import access
from parcours.forms_assignment import AssignForm
from parcours.workflow import demandes as workflow


def assign_form(user, demande, data=None):
    """The form the user may send on this dossier now, or None."""
    if not access.may_assign(user, demande) or not workflow.can(demande, "assign"):
        return None
    field = access.assignment_field_of(user)
    return AssignForm(
        data,
        field=field,
        candidates=access.assignable_users(demande, field),
        initial={"assignee": getattr(demande, f"{field}_id")},
    )


def assignment_context(user, demande, form=None):
    """What the dossier page shows of who handles the dossier."""
    return {
        "form": form or assign_form(user, demande),
        "history": demande.evenements.filter(transition="assign")
        .select_related("user")
        .order_by("-at", "-pk"),
    }
