"""Nothing done twice by mistake: a form sent again (Back, a double click, two tabs) does nothing new.

Every form the application renders carries a one-time token (`{% form_guard %}`, a random UUID in a
hidden field). `OneSubmissionMiddleware` records the token, for the signed-in user, before the view
runs, in one transaction with it: the database's unique constraint lets one submission through; the
next one with the same token, even one sent while the first is still running, waits for it and then
finds the token spent. It then does nothing and goes to the page the first submission led to, saying
so. A submission that ends on a page (the form's errors) or an error leaves the token unspent, so the
corrected form can be sent: only a submission followed by a redirect spends it.

A POST without a token (a script, a page from before this guard) is not guarded; the views' own
checks (states, unique constraints) still apply.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from commission.models import FormSubmission

FIELD = "form_token"
# Tokens are kept this long: a page left open longer than that and sent twice is no longer recognised.
KEPT_FOR = timedelta(days=2)


def new_token() -> str:
    return str(uuid.uuid4())


def _token(request):
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _replay(request, submission):
    messages.info(request, _("Ce formulaire avait déjà été envoyé : rien n’a été fait une seconde fois."))
    target = submission.result_url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = request.path
    return redirect(target)


class OneSubmissionMiddleware:
    """Spends a form's token on its first successful submission; replays the outcome for the others.

    Placed after the authentication and messages middleware. The transaction it opens holds the
    view's own (ATOMIC_REQUESTS): the token and what the view did are saved, or not, together."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method != "POST"
            or not getattr(request, "user", None)
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        token = _token(request)
        if token is None:
            return self.get_response(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = FormSubmission.objects.create(user=request.user, token=token)
            except IntegrityError:
                spent = FormSubmission.objects.filter(user=request.user, token=token).first()
                if spent is not None:
                    return _replay(request, spent)
                submission = FormSubmission.objects.create(user=request.user, token=token)
            response = self.get_response(request)
            if response.status_code in (301, 302, 303) and response.get("Location"):
                submission.result_url = response["Location"][:500]
                submission.save(update_fields=["result_url"])
                FormSubmission.objects.filter(
                    user=request.user, created_at__lt=timezone.now() - KEPT_FOR
                ).delete()
            else:
                submission.delete()
            return response
