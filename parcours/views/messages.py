"""A new message in a dossier's thread, from the caseworker of the person's association or the secretariat."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commission.validators import safe_next
from parcours import access, thread
from parcours.forms_instruction import MessageForm
from parcours.workflow import WorkflowError


@require_POST
def message_post(request, pk):
    demande = get_object_or_404(
        access.demandes_open_to_messages(request.user).select_related("beneficiaire"), pk=pk
    )
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            thread.post(
                demande,
                author=request.user,
                side=access.thread_side_of(request.user),
                body=form.cleaned_data["body"],
            )
        except WorkflowError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("Votre message est envoyé."))
            return redirect(_back_url(request, demande, form.cleaned_data["next"]) + "#fil-echanges")
    back_url = _back_url(request, demande, form.data.get(form.add_prefix("next"), ""))
    return render(
        request,
        "parcours/message_post.html",
        {"demande": demande, "thread_form": form, "back_url": back_url},
    )


def _back_url(request, demande, candidate):
    """The page that showed the thread, if it is one of ours; the dossier's page otherwise."""
    if target := safe_next(request, candidate):
        return target.split("#", 1)[0]
    return reverse("parcours:dossier", args=[demande.pk])
