from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission import jobs


class ExportState(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("En cours")
    TERMINE = "termine", _("Prêt à télécharger")
    ECHEC = "echec", _("Échec")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("XLSX (tableur)")


class ExportJob(models.Model):
    """A large export of the dossier list, made by a Celery job (parcours.tasks_exports) for the one user
    who asked for it; the file is stored encrypted among the private files (commission.private_files)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    # {"format": "csv" | "xlsx", "filters": the list's filters as typed}: the job applies them again
    # to the user's scope, as the list does.
    params = models.JSONField(_("paramètres"), default=dict)
    state = models.CharField(
        _("état"), max_length=20, choices=ExportState.choices, default=ExportState.EN_ATTENTE
    )
    done = models.PositiveIntegerField(_("lignes écrites"), default=0)
    total = models.PositiveIntegerField(_("lignes à écrire"), default=0)
    file_path = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(_("erreur"), max_length=255, blank=True)
    # Last sent to the workers (at the request, a relaunch, a sweep), and last taken by one.
    enqueued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export de la liste des dossiers")
        verbose_name_plural = _("exports de la liste des dossiers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ExportState.values), name="exportjob_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=ExportState.TERMINE) | ~Q(file_path=""), name="exportjob_done_has_file"
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"Export {self.pk} ({self.state})"

    @property
    def format(self) -> str:
        return self.params.get("format", ExportFormat.CSV)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state == ExportState.TERMINE else 0
        return min(100, self.done * 100 // self.total)

    @property
    def is_ready(self) -> bool:
        """The file is written and can be downloaded."""
        return self.state == ExportState.TERMINE

    @property
    def running(self) -> bool:
        return self.state in (ExportState.EN_ATTENTE, ExportState.EN_COURS)

    @property
    def is_waiting(self) -> bool:
        """Queued and never started: no worker has taken it yet (the broker may be down)."""
        return self.state == ExportState.EN_ATTENTE

    @property
    def is_stuck(self) -> bool:
        """Awaited or running longer after its start (or its request) than the job's hard time limit:
        Celery killed it or its worker died. Its page offers to relaunch it."""
        if not self.running:
            return False
        since = max(filter(None, (self.enqueued_at, self.started_at)))
        return since < jobs.stuck_before("parcours.tasks_exports.export_dossiers")
