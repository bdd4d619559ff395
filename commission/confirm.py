"""Confirmation before what cannot be undone (filing, convening, opening or closing a session, deciding,
withdrawing…): one reusable piece for every such action.

The page shows the action's button twice and DSFR's stylesheet and script pick one:
- with JavaScript, the button opens a DSFR modal (`fr-modal`, DSFR's own script: no script of ours, the
  Content-Security-Policy allows none inline) that says what will happen and to whom, and whose
  "Confirmer" posts `confirmed=1`;
- without JavaScript, the button posts without `confirmed`: the view then answers with the confirmation
  page (`confirmation_page`), the same text and a plain "Confirmer" form posting `confirmed=1`.

The view acts only when `is_confirmed(request)`; anything else changes nothing. An action that needs
input (a withdrawal's date and reason, a decision) names its form (`form_id`): the modal's button submits
that form with `confirmed=1`, and the confirmation page carries the typed fields again, hidden.
"""

from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRMED = "confirmed"


def is_confirmed(request) -> bool:
    """True only for a POST that went through the confirmation (the modal's or the page's button)."""
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


@dataclass(frozen=True)
class Confirmation:
    """What the modal and the confirmation page say and where their "Confirmer" posts.

    `text` holds the sentences saying what will happen and to whom (counts, organisations: never a
    person's name on a page members read); the components add that the action cannot be undone.
    """

    id: str  # HTML id of the modal, unique on the page
    title: str  # the question, e.g. "Convoquer les membres ?"
    text: list[str]
    label: str  # the button that asks, e.g. "Convoquer les membres"
    confirm_label: str  # the button that acts, e.g. "Confirmer la convocation"
    action: str  # the URL the action posts to
    cancel_url: str  # where "Ne rien faire" leads on the confirmation page
    form_id: str = ""  # the page's form whose fields go with the confirmation, if any
    button_class: str = "fr-btn"  # the classes of the asking button (DSFR button and icon)
    hidden: dict = field(default_factory=dict)  # other fields the action needs (name: value)


def confirmation_page(request, confirmation: Confirmation, *, form=None, context=None):
    """The confirmation page (without JavaScript, or after a POST without `confirmed`): the same text
    as the modal and a "Confirmer" form; `form` is the bound, valid form whose fields it carries."""
    return render(
        request,
        "components/confirm_page.html",
        {"confirmation": confirmation, "carried_form": form, **(context or {})},
    )
