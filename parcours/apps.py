from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParcoursConfig(AppConfig):
    name = "parcours"
    verbose_name = _("Parcours")

    def ready(self):
        from parcours import accompaniment, auditing, notifications, todo  # noqa: F401 (todo registers its home sections)
        from parcours.workflow import demandes  # noqa: F401 (closes the applications of an ended pathway)

        auditing.register()
        accompaniment.register()
        notifications.register()
