from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionConfig(AppConfig):
    name = "commission"
    verbose_name = _("Commission")

    def ready(self):
        from commission import auditing, monitoring, roles  # noqa: F401 (monitoring: heartbeat, job runs)

        auditing.register()
        roles.connect()
