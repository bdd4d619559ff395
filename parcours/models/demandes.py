from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from beneficiaires.enums import Logement
from commission.enums import choice_label
from commission.transitions import TransitionLog
from parcours.enums import (
    AvisChoice,
    Axe,
    DemandeKind,
    DemandeState,
    DocumentKind,
    SituationEmploi,
    TypeContrat,
)

# States after which an application is closed; a person has at most one application outside them.
CLOSED_STATES = (DemandeState.ACCEPTEE, DemandeState.REFUSEE, DemandeState.RETIREE)

# Documents a complete dossier holds, per kind of application: the filing needs them (missing_parts).
# The signed commitment and an identity document are the initial application's; a renewal's progress
# report is written axis by axis in the dossier itself, and an early-end proposal is its reasons.
REQUIRED_DOCUMENTS = {
    DemandeKind.INITIALE: (DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT),
    DemandeKind.RENOUVELLEMENT: (),
    DemandeKind.FIN_ANTICIPEE: (),
}


class DemandeQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state__in=CLOSED_STATES)

    def submitted(self):
        """What the secretariat sees: applications filed at least once (a draft withdrawn before
        filing never reaches it)."""
        return self.filter(submitted_at__isnull=False)

    def in_state(self, *states):
        return self.filter(state__in=states)

    def ready_for_agenda(self):
        """Applications the secretariat may put on a session's agenda: admissible, or postponed by an
        earlier session (the sources of the workflow's put_on_agenda)."""
        return self.filter(state__in=(DemandeState.RECEVABLE, DemandeState.AJOURNEE))

    def awaiting_decision(self):
        """The commission gave its opinion; the prefect has not decided yet."""
        return self.filter(state=DemandeState.AVIS_RENDU)


class Demande(models.Model):
    """An application: initial, renewal, or a proposal to end a pathway early."""

    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire",
        verbose_name=_("bénéficiaire"),
        on_delete=models.PROTECT,
        related_name="demandes",
    )
    commission = models.ForeignKey(
        "commission.Commission",
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        related_name="demandes",
    )
    association = models.ForeignKey(
        "commission.Organisation",
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="demandes",
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référent·e"),
        on_delete=models.PROTECT,
        related_name="demandes_suivies",
        null=True,
        blank=True,
    )
    # The secretariat's agent who instructs the dossier; set and changed through the workflow's `assign`
    # (one event per change), like the caseworker once the dossier exists.
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructeur·rice"),
        on_delete=models.PROTECT,
        related_name="demandes_instruites",
        null=True,
        blank=True,
        editable=False,
    )
    kind = models.CharField(
        _("nature"), max_length=20, choices=DemandeKind.choices, default=DemandeKind.INITIALE
    )
    state = models.CharField(
        _("état"), max_length=20, choices=DemandeState.choices, default=DemandeState.BROUILLON, editable=False
    )
    parcours = models.ForeignKey(
        "parcours.Parcours",
        verbose_name=_("parcours concerné"),
        on_delete=models.PROTECT,
        related_name="demandes",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True, editable=False)
    admissible_at = models.DateTimeField(_("déclarée recevable le"), null=True, blank=True, editable=False)
    # The moment of the latest event (DemandeEvenement), or the creation: the lists sort on it. Kept by
    # DemandeEvenement.save(); a bulk insert of events must set it too (bench/generate.py).
    last_change_at = models.DateTimeField(_("dernier changement le"), editable=False)

    # The person's situation at filing (or at the progress report, for a renewal)
    situation_emploi = models.CharField(
        _("situation professionnelle"), max_length=20, choices=SituationEmploi.choices, blank=True
    )
    type_contrat = models.CharField(
        _("type de contrat"), max_length=20, choices=TypeContrat.choices, blank=True
    )
    logement = models.CharField(_("logement"), max_length=20, choices=Logement.choices, blank=True)
    formation = models.TextField(_("formation suivie"), blank=True)
    ressources_foyer = models.DecimalField(
        _("ressources du foyer le mois précédant la demande (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    droit_rsa_ou_ada = models.BooleanField(
        _("perçoit ou peut prétendre au RSA ou à l’ADA"),
        null=True,
        blank=True,
    )
    # Commitment and assessments
    engagement_signed_on = models.DateField(
        _("engagement à cesser la prostitution signé le"), null=True, blank=True
    )
    evaluation_association = models.TextField(_("évaluation de l’association"), blank=True)
    avis_association = models.CharField(
        _("avis de l’association"), max_length=20, choices=AvisChoice.choices, blank=True
    )
    avis_association_motifs = models.TextField(_("motifs de l’avis de l’association"), blank=True)
    # Commission's opinion, recorded through parcours.workflow by the session that gave it
    avis_commission = models.CharField(
        _("avis de la commission"), max_length=20, choices=AvisChoice.choices, blank=True, editable=False
    )
    avis_commission_on = models.DateField(_("avis rendu le"), null=True, blank=True, editable=False)
    # Withdrawal
    withdrawn_on = models.DateField(_("retirée le"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("motif du retrait"), blank=True, editable=False)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DemandeState.values), name="demande_state_valid"),
            models.CheckConstraint(condition=Q(kind__in=DemandeKind.values), name="demande_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=DemandeKind.INITIALE) | Q(parcours__isnull=False),
                name="demande_renewal_has_parcours",
            ),
            models.CheckConstraint(
                condition=Q(ressources_foyer__isnull=True) | Q(ressources_foyer__gte=0),
                name="demande_ressources_not_negative",
            ),
            models.UniqueConstraint(
                fields=["beneficiaire"],
                condition=~Q(state__in=CLOSED_STATES),
                name="demande_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["commission", "state", "submitted_at"]),
            models.Index(fields=["association", "state"]),
            # The dossier lists, newest change first: the secretariat's (filed dossiers of a commission)
            # and the association's.
            models.Index(
                "commission",
                F("last_change_at").desc(),
                F("id").desc(),
                name="demande_list_commission",
                condition=Q(submitted_at__isnull=False),
            ),
            # … the same filtered on a state (e.g. the admissible ones, to put on an agenda).
            models.Index(
                "commission",
                "state",
                F("last_change_at").desc(),
                F("id").desc(),
                name="demande_list_commission_state",
                condition=Q(submitted_at__isnull=False),
            ),
            models.Index(
                "association", F("last_change_at").desc(), F("id").desc(), name="demande_list_association"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} ({self.beneficiaire_id})"

    def save(self, *args, **kwargs):
        if self.last_change_at is None:
            self.last_change_at = self.created_at
        super().save(*args, **kwargs)

    # The lists show both on every row: one label looked up, where Django's own get_FOO_display()
    # translates all the field's labels to build its table on each call (overriding them is supported).
    def get_kind_display(self):
        return choice_label(DemandeKind, self.kind)

    def get_state_display(self):
        return choice_label(DemandeState, self.state)

    @cached_property
    def decision(self):
        """The prefect's decision in force on this application (a corrected one is superseded), or None."""
        return self.decisions.filter(superseded_at__isnull=True).select_related("signataire").first()

    @property
    def filing_day(self):
        """The day the application was filed, or today for a draft (what filing it now would mean)."""
        return timezone.localdate(self.submitted_at) if self.submitted_at else timezone.localdate()

    @property
    def age_at_filing(self):
        return self.beneficiaire.age(self.filing_day)

    @property
    def minor_at_filing(self) -> bool:
        """Under 18 on the filing day: flagged, not refused (an open legal question: the commission
        also coordinates the support of minor victims since the decree of 30 December 2025, but the
        pathway's texts speak of persons; see the domain document)."""
        age = self.age_at_filing
        return age is not None and age < 18

    def missing_parts(self) -> dict[str, str]:
        """The parts a complete application needs, by field, with what to do in French."""
        missing = {}
        if self.kind == DemandeKind.FIN_ANTICIPEE:
            if not self.evaluation_association.strip():
                missing["evaluation_association"] = _(
                    "Exposez les motifs de la proposition de fin anticipée."
                )
            return missing
        if not self.engagement_signed_on:
            missing["engagement_signed_on"] = _("Indiquez la date de l’engagement signé par la personne.")
        if not self.evaluation_association.strip():
            missing["evaluation_association"] = _("Rédigez l’évaluation de l’association.")
        if not self.situation_emploi:
            missing["situation_emploi"] = _("Précisez la situation professionnelle.")
        if self.situation_emploi == SituationEmploi.EN_EMPLOI and not self.type_contrat:
            missing["type_contrat"] = _("Précisez le type de contrat.")
        if not self.logement:
            missing["logement"] = _("Précisez la situation de logement.")
        # The AFIS is assessed from these on the day of the decision (CASF R121-12-13-1).
        if self.ressources_foyer is None:
            missing["ressources_foyer"] = _("Indiquez les ressources du foyer le mois précédant la demande.")
        if self.droit_rsa_ou_ada is None:
            missing["droit_rsa_ou_ada"] = _(
                "Indiquez si la personne perçoit ou peut prétendre au RSA ou à l’ADA."
            )
        objectifs = {o.axe: o for o in self.objectifs.all()}
        for axe in Axe:
            objectif = objectifs.get(axe)
            if objectif is None or not objectif.objectives.strip():
                missing[f"objectif_{axe.value}"] = _("Décrivez les objectifs de l’axe « %(axe)s ».") % {
                    "axe": axe.label
                }
            elif self.kind == DemandeKind.RENOUVELLEMENT and not objectif.progress.strip():
                missing[f"progres_{axe.value}"] = _("Décrivez le bilan de l’axe « %(axe)s ».") % {
                    "axe": axe.label
                }
        for kind in self.missing_documents():
            missing[f"document_{kind.value}"] = _("Joignez la pièce « %(kind)s ».") % {"kind": kind.label}
        return missing

    def missing_documents(self) -> list:
        """The required documents (REQUIRED_DOCUMENTS) of which no current version is attached."""
        required = REQUIRED_DOCUMENTS[self.kind]
        if not required:
            return []
        # All rows, filtered here: a page that prefetched the documents reads them without a query.
        present = {document.kind for document in self.documents.all() if document.replaced_by_id is None}
        return [kind for kind in required if kind.value not in present]

    def is_complete(self) -> bool:
        return not self.missing_parts()


class ObjectifInsertion(models.Model):
    """One axis of the projet d'insertion: objectives, the association's actions, progress at renewal."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="objectifs")
    axe = models.CharField(_("axe"), max_length=30, choices=Axe.choices)
    objectives = models.TextField(_("objectifs"), blank=True)
    actions = models.TextField(_("actions engagées par l’association"), blank=True)
    progress = models.TextField(_("bilan : ce qui a été atteint"), blank=True)

    class Meta:
        verbose_name = _("objectif du projet d’insertion")
        verbose_name_plural = _("objectifs du projet d’insertion")
        constraints = [
            models.UniqueConstraint(fields=["demande", "axe"], name="objectif_unique_axe"),
            models.CheckConstraint(condition=Q(axe__in=Axe.values), name="objectif_axe_valid"),
        ]

    def __str__(self):
        return self.get_axe_display()


class Document(models.Model):
    """An uploaded document; a replacement keeps the former version in the history."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type de pièce"), max_length=20, choices=DocumentKind.choices)
    file_path = models.CharField(max_length=255, editable=False)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        verbose_name = _("pièce justificative")
        ordering = ["kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"


class DemandeEvenement(TransitionLog):
    """One row per transition of an application: who, when, from, to, why."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="evenements")
    from_state = models.CharField(
        _("état de départ"), max_length=20, choices=DemandeState.choices, blank=True
    )
    to_state = models.CharField(_("état d’arrivée"), max_length=20, choices=DemandeState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("évènement de la demande")

    def __str__(self):
        return f"{self.demande_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        recorded = self._state.adding
        super().save(*args, **kwargs)
        if not recorded:
            return  # correcting an event's text does not change the application
        # The application's last change is the latest event recorded (the lists sort on it).
        Demande.objects.filter(pk=self.demande_id).update(last_change_at=self.at)
        if self._meta.get_field("demande").is_cached(self):
            self.demande.last_change_at = self.at
