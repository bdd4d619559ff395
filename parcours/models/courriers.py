from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission import jobs
from parcours.enums import CourrierKind, ProductionState, RappelKind, TexteCourrierKind


class Courrier(models.Model):
    """A letter generated from a decision, or from the end of a pathway that no decision made (the
    person withdrew or left: the notice to the AFIS paying body); never edited by hand afterwards."""

    decision = models.ForeignKey(
        "parcours.Decision", on_delete=models.PROTECT, related_name="courriers", null=True, blank=True
    )
    parcours = models.ForeignKey(
        "parcours.Parcours", on_delete=models.PROTECT, related_name="courriers", null=True, blank=True
    )
    kind = models.CharField(_("courrier"), max_length=20, choices=CourrierKind.choices)
    file_path = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("courrier")
        constraints = [
            # Idempotency: a job run twice makes one letter per decision and kind.
            models.UniqueConstraint(fields=["decision", "kind"], name="courrier_unique_kind"),
            models.UniqueConstraint(
                fields=["parcours", "kind"],
                condition=Q(decision__isnull=True),
                name="courrier_unique_end_kind",
            ),
            models.CheckConstraint(
                condition=Q(decision__isnull=False, parcours__isnull=True)
                | Q(decision__isnull=True, parcours__isnull=False),
                name="courrier_of_decision_or_pathway_end",
            ),
            models.CheckConstraint(condition=Q(kind__in=CourrierKind.values), name="courrier_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.decision_id})"


# Who a reminder is for follows from its kind: the association, the foreigners' service, the secretariat.
TERM_KINDS = (RappelKind.ECHEANCE_60, RappelKind.ECHEANCE_30, RappelKind.ECHEANCE_15)
PERMIT_KINDS = (RappelKind.APS_A_DELIVRER, RappelKind.APS_EXPIRE)


class Rappel(models.Model):
    """A reminder, sent once: `key` is the idempotency key of the daily job."""

    kind = models.CharField(_("rappel"), max_length=30, choices=RappelKind.choices)
    key = models.CharField(max_length=100, unique=True)
    commission = models.ForeignKey("commission.Commission", on_delete=models.CASCADE, related_name="rappels")
    organisation = models.ForeignKey(
        "commission.Organisation", on_delete=models.CASCADE, related_name="rappels", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rappels", null=True, blank=True
    )
    parcours = models.ForeignKey("parcours.Parcours", on_delete=models.CASCADE, null=True, blank=True)
    demande = models.ForeignKey("parcours.Demande", on_delete=models.CASCADE, null=True, blank=True)
    titre_sejour = models.ForeignKey("parcours.TitreSejour", on_delete=models.CASCADE, null=True, blank=True)
    due_on = models.DateField(_("échéance"))
    created_at = models.DateTimeField(default=timezone.now)
    # Set, under a row lock, in the same transaction as the e-mail is sent: a second run of the daily
    # job finds it set and sends nothing (see parcours.reminders).
    notified_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rappel")
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RappelKind.values), name="rappel_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["organisation", "done_at"]),
            models.Index(fields=["commission", "kind", "done_at"]),
            # The daily job's "what is left to e-mail": a handful of rows among all reminders ever sent.
            models.Index(
                fields=["created_at"], condition=Q(notified_at__isnull=True), name="rappel_to_notify"
            ),
        ]

    def __str__(self):
        return self.key

    def get_absolute_url(self):
        """The page where the reminder is acted on."""
        if self.kind in TERM_KINDS:
            return reverse("beneficiaires:detail", args=[self.parcours.beneficiaire_id])
        if self.kind in PERMIT_KINDS:
            return reverse("decisions:titre", args=[self.titre_sejour_id])
        return reverse("parcours:dossier", args=[self.demande_id])

    @property
    def person(self):
        return self.demande.beneficiaire if self.demande_id else self.parcours.beneficiaire


class ProductionCourriers(models.Model):
    """The job that renders one decision's letters: what the batch page of a session shows."""

    decision = models.OneToOneField(
        "parcours.Decision", on_delete=models.CASCADE, related_name="production_courriers"
    )
    state = models.CharField(
        _("état"), max_length=20, choices=ProductionState.choices, default=ProductionState.EN_ATTENTE
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # What went wrong, for the secretariat and the logs: an exception's class, never personal data.
    error = models.CharField(_("erreur"), max_length=255, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    association_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("production des courriers")
        verbose_name_plural = _("productions des courriers")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ProductionState.values), name="production_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.decision_id}: {self.state}"

    @property
    def is_waiting(self) -> bool:
        """Queued and never started: no worker has taken it yet (the broker may be down)."""
        return self.state == ProductionState.EN_ATTENTE and (
            self.started_at is None or self.started_at < self.requested_at
        )

    @property
    def is_stuck(self) -> bool:
        """Still awaited or running longer after its last start (or its request) than the job's hard
        time limit: Celery killed it or its worker died. Its page offers to relaunch it."""
        if self.state not in (ProductionState.EN_ATTENTE, ProductionState.EN_COURS):
            return False
        since = max(filter(None, (self.requested_at, self.started_at)))
        return since < jobs.stuck_before("parcours.tasks.produce_letters")


class TexteCourrier(models.Model):
    """A paragraph of the letters the prefecture words itself (the appeal routes of a refusal), dated.

    Kept in the database rather than in a template: the prefecture's legal service changes it from the
    admin without a release, per département if its wording differs (the competent administrative
    court), and the date it takes effect says which wording a letter of a given day carries.
    """

    kind = models.CharField(_("texte"), max_length=30, choices=TexteCourrierKind.choices)
    departement = models.ForeignKey(
        "commission.Departement",
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Laissez vide pour le texte applicable à tous les départements qui n’ont pas le leur."),
    )
    effective_from = models.DateField(_("en vigueur à partir du"))
    text = models.TextField(
        _("texte"),
        help_text=_(
            "Texte brut : les paragraphes sont séparés par une ligne vide ; aucune mise en forme HTML."
        ),
    )

    class Meta:
        verbose_name = _("texte des courriers")
        verbose_name_plural = _("textes des courriers")
        ordering = ["kind", F("departement").asc(nulls_first=True), "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TexteCourrierKind.values), name="texte_courrier_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["kind", "departement", "effective_from"],
                condition=Q(departement__isnull=False),
                name="texte_courrier_unique_departement_date",
            ),
            models.UniqueConstraint(
                fields=["kind", "effective_from"],
                condition=Q(departement__isnull=True),
                name="texte_courrier_unique_national_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.effective_from})"

    @classmethod
    def in_force(cls, kind, departement, on):
        """The département's own text in force on `on`, else the national one."""
        texte = (
            cls.objects.filter(kind=kind, effective_from__lte=on)
            .filter(Q(departement=departement) | Q(departement__isnull=True))
            .order_by(F("departement").asc(nulls_last=True), "-effective_from")
            .first()
        )
        if texte is None:
            raise ObjectDoesNotExist(f"No letter text {kind} in force on {on}")
        return texte
