from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import SeanceKind
from commission.seances.enums import PointKind, PointState, PresenceStatus, SeanceState, VoteChoice
from commission.transitions import TransitionLog


class Seance(models.Model):
    commission = models.ForeignKey(
        "commission.Commission",
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        related_name="seances",
    )
    kind = models.CharField(
        _("type de séance"), max_length=20, choices=SeanceKind.choices, default=SeanceKind.INDIVIDUELLE
    )
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    state = models.CharField(
        _("état"), max_length=20, choices=SeanceState.choices, default=SeanceState.PREPAREE
    )
    urgent = models.BooleanField(_("urgence"), default=False)
    urgency_reason = models.TextField(_("motif de l’urgence"), blank=True)
    no_quorum_required = models.BooleanField(
        _("sans condition de quorum"),
        default=False,
        help_text=_(
            "Nouvelle convocation sur le même ordre du jour après un défaut de quorum (CRPA R133-10)."
        ),
    )
    reconvened_from = models.ForeignKey(
        "self",
        verbose_name=_("reconvoquée après"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconvocations",
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    # Who chairs, recorded when the session is opened: the casting vote is theirs (CRPA R133-11).
    chaired_by = models.ForeignKey(
        "commission.Mandat",
        verbose_name=_("présidence de séance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = (
            "commission_seance"  # created by the commission app before the sessions became their own app
        )
        verbose_name = _("séance")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=SeanceState.values), name="seance_state_valid"),
            models.CheckConstraint(condition=Q(kind__in=SeanceKind.values), name="seance_kind_valid"),
            models.CheckConstraint(
                condition=Q(urgent=False) | ~Q(urgency_reason=""), name="seance_urgency_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(no_quorum_required=False) | Q(reconvened_from__isnull=False),
                name="seance_no_quorum_only_when_reconvened",
            ),
        ]
        indexes = [models.Index(fields=["commission", "starts_at"], name="commission__commiss_7f2618_idx")]

    def __str__(self):
        return _("Séance du %(date)s") % {
            "date": timezone.localtime(self.starts_at).strftime("%d/%m/%Y %H:%M")
        }

    @property
    def is_finished(self) -> bool:
        """Closed or cancelled: the session lists it among the past ones."""
        return self.state in (SeanceState.CLOSE, SeanceState.ANNULEE)

    @property
    def is_convened(self) -> bool:
        """Convened and not yet opened: a change of agenda calls for a new convocation."""
        return self.state == SeanceState.CONVOQUEE


class PointQuerySet(models.QuerySet):
    def to_examine(self):
        """Items still awaiting the commission's opinion."""
        return self.filter(state=PointState.A_EXAMINER)


class PointOrdreDuJour(models.Model):
    """An agenda item: one application (initial, renewal or early-end proposal) examined in a session."""

    seance = models.ForeignKey(
        Seance, verbose_name=_("séance"), on_delete=models.CASCADE, related_name="points"
    )
    demande = models.ForeignKey(
        "parcours.Demande", verbose_name=_("demande"), on_delete=models.PROTECT, related_name="points_odj"
    )
    order = models.PositiveSmallIntegerField(_("ordre"))
    kind = models.CharField(_("nature"), max_length=20, choices=PointKind.choices, default=PointKind.EXAMEN)
    presenting_association = models.ForeignKey(
        "commission.Organisation",
        verbose_name=_("association qui présente"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("état"), max_length=20, choices=PointState.choices, default=PointState.A_EXAMINER
    )
    postponement_reason = models.TextField(_("motif de l’ajournement"), blank=True)

    objects = PointQuerySet.as_manager()

    class Meta:
        db_table = "commission_pointordredujour"  # created by the commission app before the sessions became their own app
        verbose_name = _("point de l’ordre du jour")
        ordering = ["seance", "order"]
        constraints = [
            models.UniqueConstraint(fields=["seance", "order"], name="point_unique_order"),
            models.UniqueConstraint(fields=["seance", "demande"], name="point_unique_demande"),
            models.CheckConstraint(condition=Q(state__in=PointState.values), name="point_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=PointState.AJOURNE) | ~Q(postponement_reason=""),
                name="point_postponed_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.seance} – {self.order}"


class Convocation(models.Model):
    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="convocations")
    mandat = models.ForeignKey("commission.Mandat", on_delete=models.PROTECT, related_name="convocations")
    # Stamped when the e-mail actually leaves (commission.outbox), empty while it waits to be sent.
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    OUTBOX_SENT_FIELD = "sent_at"

    class Meta:
        db_table = (
            "commission_convocation"  # created by the commission app before the sessions became their own app
        )
        verbose_name = _("convocation")
        constraints = [models.UniqueConstraint(fields=["seance", "mandat"], name="convocation_unique")]

    def __str__(self):
        return f"{self.seance_id}/{self.mandat_id}"


class Presence(models.Model):
    """Attendance of one member at one session (CRPA R133-3, R133-7)."""

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="presences")
    mandat = models.ForeignKey("commission.Mandat", on_delete=models.PROTECT, related_name="presences")
    status = models.CharField(_("présence"), max_length=20, choices=PresenceStatus.choices)
    proxy_to = models.ForeignKey(
        "commission.Mandat",
        verbose_name=_("mandat donné à"),
        on_delete=models.PROTECT,
        related_name="proxies_held",
        null=True,
        blank=True,
    )
    substitute = models.ForeignKey(
        "commission.Mandat",
        verbose_name=_("suppléant·e qui siège"),
        on_delete=models.PROTECT,
        related_name="substitutions",
        null=True,
        blank=True,
    )

    class Meta:
        db_table = (
            "commission_presence"  # created by the commission app before the sessions became their own app
        )
        verbose_name = _("présence")
        constraints = [
            models.UniqueConstraint(fields=["seance", "mandat"], name="presence_unique"),
            # Nobody holds more than one proxy (CRPA R133-7).
            models.UniqueConstraint(
                fields=["seance", "proxy_to"], condition=Q(proxy_to__isnull=False), name="presence_one_proxy"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PresenceStatus.values), name="presence_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=PresenceStatus.MANDAT, proxy_to__isnull=False))
                | (~Q(status=PresenceStatus.MANDAT) & Q(proxy_to__isnull=True)),
                name="presence_proxy_iff_mandat",
            ),
            models.CheckConstraint(
                condition=(Q(status=PresenceStatus.REPRESENTE, substitute__isnull=False))
                | (~Q(status=PresenceStatus.REPRESENTE) & Q(substitute__isnull=True)),
                name="presence_substitute_iff_represented",
            ),
        ]

    def __str__(self):
        return f"{self.seance_id}/{self.mandat_id}: {self.status}"


class Vote(models.Model):
    """One vote per seat (the titular mandate) and item, cast by the member, their substitute or the
    holder of their proxy."""

    point = models.ForeignKey(PointOrdreDuJour, on_delete=models.CASCADE, related_name="votes")
    mandat = models.ForeignKey(
        "commission.Mandat", verbose_name=_("siège"), on_delete=models.PROTECT, related_name="votes"
    )
    cast_by = models.ForeignKey(
        "commission.Mandat",
        verbose_name=_("exprimé par"),
        on_delete=models.PROTECT,
        related_name="votes_cast",
    )
    choice = models.CharField(_("vote"), max_length=20, choices=VoteChoice.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    cast_at = models.DateTimeField(_("exprimé le"), default=timezone.now)

    class Meta:
        db_table = "commission_vote"  # created by the commission app before the sessions became their own app
        verbose_name = _("vote")
        constraints = [
            models.UniqueConstraint(fields=["point", "mandat"], name="vote_one_per_member_and_item"),
            models.CheckConstraint(condition=Q(choice__in=VoteChoice.values), name="vote_choice_valid"),
        ]

    def __str__(self):
        return f"{self.point_id}/{self.mandat_id}: {self.choice}"


class Avis(models.Model):
    """The commission's opinion on one agenda item, with the tally that produced it."""

    point = models.OneToOneField(PointOrdreDuJour, on_delete=models.PROTECT, related_name="avis")
    favorable = models.BooleanField(_("avis favorable"))
    votes_favorable = models.PositiveSmallIntegerField(_("voix favorables"))
    votes_defavorable = models.PositiveSmallIntegerField(_("voix défavorables"))
    abstentions = models.PositiveSmallIntegerField(_("abstentions"))
    casting_vote_used = models.BooleanField(_("voix prépondérante du président"), default=False)
    by_show_of_hands = models.BooleanField(_("vote à main levée"), default=False)
    # A room that voted partly online: how many of the votes above were counted by show of hands.
    hand_counted_votes = models.PositiveSmallIntegerField(_("voix comptées à main levée"), default=0)
    dissent = models.TextField(_("désaccords à consigner au procès-verbal"), blank=True)
    given_at = models.DateTimeField(_("rendu le"), default=timezone.now)

    class Meta:
        db_table = "commission_avis"  # created by the commission app before the sessions became their own app
        verbose_name = _("avis de la commission")
        verbose_name_plural = _("avis de la commission")

    def __str__(self):
        return f"{self.point_id}: {'favorable' if self.favorable else 'défavorable'}"


class ProcesVerbal(models.Model):
    seance = models.OneToOneField(Seance, on_delete=models.PROTECT, related_name="proces_verbal")
    file_path = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "commission_procesverbal"  # created by the commission app before the sessions became their own app
        verbose_name = _("procès-verbal")

    def __str__(self):
        return f"PV {self.seance_id}"


class InteretPersonnel(models.Model):
    """A member with a personal interest in one item takes no part in its deliberation nor its vote
    (CRPA R133-12); recorded by the secretariat or declared by the member, it is listed in the minutes."""

    point = models.ForeignKey(PointOrdreDuJour, on_delete=models.CASCADE, related_name="interets")
    mandat = models.ForeignKey(
        "commission.Mandat", verbose_name=_("membre"), on_delete=models.PROTECT, related_name="interets"
    )
    declared_by_member = models.BooleanField(_("déclaré par le membre"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("intérêt personnel")
        verbose_name_plural = _("intérêts personnels")
        constraints = [models.UniqueConstraint(fields=["point", "mandat"], name="interet_unique")]

    def __str__(self):
        return f"{self.point_id}/{self.mandat_id}"


class SeanceEvenement(TransitionLog):
    """One row per transition of a session, and per change of its agenda or attendance."""

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="evenements")
    # A rescheduled session keeps both dates in its history.
    previous_starts_at = models.DateTimeField(_("date précédente"), null=True, blank=True)
    new_starts_at = models.DateTimeField(_("nouvelle date"), null=True, blank=True)

    class Meta(TransitionLog.Meta):
        verbose_name = _("évènement de la séance")

    def __str__(self):
        return f"{self.seance_id}: {self.from_state} → {self.to_state}"


class PointEvenement(TransitionLog):
    """One row per transition of an agenda item, and per change of a vote while it is open."""

    point = models.ForeignKey(PointOrdreDuJour, on_delete=models.CASCADE, related_name="evenements")

    class Meta(TransitionLog.Meta):
        verbose_name = _("évènement d’un point de l’ordre du jour")

    def __str__(self):
        return f"{self.point_id}: {self.from_state} → {self.to_state}"
