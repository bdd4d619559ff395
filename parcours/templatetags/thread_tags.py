"""The dossier's thread, for any page that includes templates/parcours/includes/thread.html.

The include only needs `demande` (and the logged-in `user`): the tag reads the messages in one query
and builds the form, so the including view has nothing to prepare."""

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext_lazy as _

from parcours import access
from parcours.enums import MessageKind, MessageSide
from parcours.forms_instruction import MessageForm

register = template.Library()

TITLES = {
    MessageSide.ASSOCIATION: _("Échanges avec le secrétariat de la commission"),
    MessageSide.SECRETARIAT: _("Échanges avec l’association"),
    None: _("Échanges entre l’association et le secrétariat"),
}


@dataclass(frozen=True)
class Entry:
    message: object
    author_name: str
    badge: str  # the kind of message when it is more than a message (complement, resubmission)
    from_secretariat: bool


@dataclass(frozen=True)
class Thread:
    entries: list
    form: MessageForm | None
    viewer_side: str | None
    title: str


@register.simple_tag(takes_context=True)
def thread_for(context, demande, user):
    """`{% thread_for demande user as thread %}`: the messages, oldest first, and the form to post one
    (None for who may only read). A page that comes back with an invalid message puts its bound form in
    the context as `thread_form`, so what was typed is kept."""
    side = access.thread_side_of(user)
    form = context.get("thread_form")
    if form is None and access.can_post_message(user, demande):
        request = context.get("request")
        form = MessageForm(initial={"next": request.get_full_path() if request else ""})
    entries = [
        Entry(
            message=message,
            author_name=message.author.get_full_name() or message.get_side_display(),
            badge="" if message.kind == MessageKind.MESSAGE else message.get_kind_display(),
            from_secretariat=message.side == MessageSide.SECRETARIAT,
        )
        for message in demande.messages.select_related("author").order_by("created_at", "pk")
    ]
    return Thread(entries=entries, form=form, viewer_side=side, title=TITLES.get(side, TITLES[None]))
