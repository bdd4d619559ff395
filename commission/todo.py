"""What each role has to do today: the sections of the home page, one small query each."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.access import seances_visible_to
from commission.enums import Role
from commission.models import Agrement
from parcours import access as parcours_access
from parcours import reminders
from parcours.enums import DemandeState, TitreSejourState
from parcours.models import TitreSejour

ROWS_PER_SECTION = 10


@dataclass
class Section:
    key: str
    title: str
    empty: str
    rows: list = field(default_factory=list)
    total: int = 0


def _section(key, title, empty, queryset: QuerySet):
    rows = list(queryset[: ROWS_PER_SECTION + 1])
    total = len(rows) if len(rows) <= ROWS_PER_SECTION else queryset.count()
    return Section(key=key, title=title, empty=empty, rows=rows[:ROWS_PER_SECTION], total=total)


def _demandes(user, *states):
    return (
        parcours_access.demandes_visible_to(user)
        .filter(state__in=states)
        .select_related("beneficiaire", "association")
    )


def sections_for(user) -> list[Section]:
    now = timezone.now()
    today = timezone.localdate()
    sections = []
    if user.has_role(Role.REFERENT) or user.has_role(Role.SECRETARIAT) or user.has_role(Role.ETRANGERS):
        sections.append(
            _section(
                "rappels",
                _("Rappels"),
                _("Aucun rappel en attente."),
                reminders.pending_for(user, today),
            )
        )
    if user.has_role(Role.REFERENT):
        sections += [
            _section(
                "complements",
                _("Compléments demandés par le secrétariat"),
                _("Aucun complément n’est attendu."),
                _demandes(user, DemandeState.COMPLEMENT_DEMANDE).order_by("created_at"),
            ),
            _section(
                "brouillons",
                _("Dossiers en préparation"),
                _("Aucun dossier en préparation."),
                _demandes(user, DemandeState.BROUILLON).order_by("created_at"),
            ),
            _section(
                "echeances",
                _("Parcours dont la période se termine dans les 60 jours"),
                _("Aucune échéance dans les 60 jours."),
                parcours_access.parcours_visible_to(user)
                .term_ending_within(60, today)
                .select_related("beneficiaire")
                .order_by("current_term_end"),
            ),
        ]
    if user.has_role(Role.SECRETARIAT):
        sections += [
            _section(
                "a_instruire",
                _("Dossiers déposés à instruire"),
                _("Aucun dossier n’attend d’instruction."),
                _demandes(user, DemandeState.DEPOSEE).order_by("submitted_at"),
            ),
            _section(
                "recevables",
                _("Dossiers recevables à inscrire à une séance"),
                _("Aucun dossier recevable n’attend de séance."),
                _demandes(user, DemandeState.RECEVABLE, DemandeState.AJOURNEE).order_by("admissible_at"),
            ),
        ]
    if user.has_role(Role.PRESIDENT):
        sections.append(
            _section(
                "a_decider",
                _("Avis rendus en attente de décision"),
                _("Aucune décision n’est à prendre."),
                _demandes(user, DemandeState.AVIS_RENDU).order_by("avis_commission_on"),
            )
        )
    if user.has_role(Role.SECRETARIAT) or user.has_role(Role.MEMBRE) or user.has_role(Role.PRESIDENT):
        sections.append(
            _section(
                "seances",
                _("Prochaines séances"),
                _("Aucune séance n’est prévue."),
                seances_visible_to(user)
                .filter(starts_at__gte=now)
                .select_related("commission")
                .order_by("starts_at"),
            )
        )
    if user.has_role(Role.ETRANGERS):
        titres = TitreSejour.objects.filter(
            parcours__in=parcours_access.parcours_visible_to(user)
        ).select_related("parcours__beneficiaire")
        sections += [
            _section(
                "aps_a_delivrer",
                _("Autorisations provisoires de séjour à délivrer ou renouveler"),
                _("Aucune autorisation à délivrer."),
                titres.filter(
                    state__in=[TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER]
                ).order_by("pk"),
            ),
            _section(
                "aps_expirant",
                _("Autorisations expirant dans les 30 jours"),
                _("Aucune autorisation n’expire dans les 30 jours."),
                titres.expiring_within(30, today).order_by("valid_until"),
            ),
        ]
    if user.has_role(Role.ADMINISTRATEUR):
        sections.append(
            _section(
                "agrements",
                _("Agréments d’associations arrivant à échéance dans les 90 jours"),
                _("Aucun agrément n’arrive à échéance."),
                Agrement.objects.filter(
                    end__gte=today, end__lte=today + datetime.timedelta(days=90), revoked_on__isnull=True
                )
                .select_related("association", "departement")
                .order_by("end"),
            )
        )
    return sections
