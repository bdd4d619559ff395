from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """The last success of a periodic task (the worker's heartbeat, each daily job), read by the health
    check (commission/monitoring.py). Names a task, never anyone."""

    task = models.CharField(_("tâche"), max_length=200, unique=True)
    first_success_at = models.DateTimeField(_("première réussite"))
    last_success_at = models.DateTimeField(_("dernière réussite"))

    class Meta:
        verbose_name = _("exécution de tâche")
        verbose_name_plural = _("exécutions de tâches")

    def __str__(self):
        return self.task
