"""The secretariat's completeness check: the inbox of submitted dossiers and the check of one dossier."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from commission import audit
from parcours import access, thread
from parcours import instruction as rules
from parcours.enums import MessageSide
from parcours.forms_instruction import InstructionForm
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow


def inbox(request):
    if not access.is_secretariat(request.user):
        raise Http404
    rows = list(rules.inbox(request.user))
    audit.record_list(request, [row.demande for row in rows])
    return render(
        request,
        "parcours/inbox.html",
        {"rows": rows, "long_wait_days": rules.LONG_WAIT_DAYS},
    )


def instruction(request, pk):
    demande = audit.get_or_404(
        request,
        access.demandes_to_instruct(request.user).select_related(
            "beneficiaire", "association", "commission", "referent", "parcours"
        ),
        pk=pk,
    )
    documents = list(rules.current_documents(demande))
    groups = rules.checklist(demande, documents)
    complete = rules.is_checklist_complete(groups)
    form = InstructionForm(request.POST if request.method == "POST" else None, checklist_complete=complete)
    if form.is_bound and form.is_valid():
        try:
            # The answer and its optional message stand or fall together.
            with transaction.atomic():
                _answer(request, demande, form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            return redirect("parcours:inbox")
    waited_days = None
    if demande.submitted_at:
        waited_days = (timezone.localdate() - timezone.localtime(demande.submitted_at).date()).days
    return render(
        request,
        "parcours/instruction.html",
        {
            "demande": demande,
            "groups": groups,
            "checklist_complete": complete,
            "checked_count": sum(group.done_count for group in groups),
            "item_count": sum(len(group.items) for group in groups),
            "duplicates": list(rules.probable_duplicates(demande, request.user)),
            "documents": documents,
            "form": form,
            "can_decide": workflow.can(demande, "mark_admissible"),
            "waited_days": waited_days,
            "long_wait": waited_days is not None and waited_days > rules.LONG_WAIT_DAYS,
        },
    )


def _answer(request, demande, data):
    reference = demande.beneficiaire.reference
    if data["action"] == InstructionForm.COMPLEMENT:
        workflow.request_complement(demande, user=request.user, message=data["message"])
        messages.success(
            request,
            _("La demande de complément du dossier %(ref)s est envoyée à l’association.")
            % {"ref": reference},
        )
        return
    workflow.mark_admissible(demande, user=request.user)
    if data["message"]:
        thread.post(demande, author=request.user, side=MessageSide.SECRETARIAT, body=data["message"])
    messages.success(
        request,
        _("Le dossier %(ref)s est déclaré recevable : il peut être inscrit à l’ordre du jour d’une séance.")
        % {"ref": reference},
    )
