"""The home section of the sessions: the coming ones (registered with `commission.todo.provider`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commission.enums import Role
from commission.seances.access import seances_visible_to
from commission.todo import provider, section


@provider
def coming_sessions(user, *, today, now):
    if not (user.has_role(Role.SECRETARIAT) or user.has_role(Role.MEMBRE) or user.has_role(Role.PRESIDENT)):
        return []
    coming = seances_visible_to(user).filter(starts_at__gte=now).select_related("commission")
    return [
        section(
            "seances",
            _("Prochaines séances"),
            _("Aucune séance n’est prévue."),
            coming.order_by("starts_at"),
            order=80,
            link=lambda seance: reverse("commission:seance", args=[seance.pk]),
        )
    ]
