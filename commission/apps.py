from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionConfig(AppConfig):
    name = "commission"
    verbose_name = _("Commission")

    def ready(self):
        from commission import auditing, roles

        auditing.register()
        roles.connect()
