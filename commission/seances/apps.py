from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeancesConfig(AppConfig):
    """The commission's sessions: agenda, convocations, attendance, votes, opinions, minutes.

    The top of the app graph: it acts on applications through parcours.workflow; nothing imports it."""

    name = "commission.seances"
    label = "seances"
    verbose_name = _("Séances de la commission")

    def ready(self):
        from commission.seances import auditing, privacy, todo  # noqa: F401 (todo and privacy register)

        auditing.register()
