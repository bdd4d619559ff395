"""The home sections of the procedure's work: reminders, dossiers to complete, file, examine or decide,
terms ending, residence permits to issue (registered with `commission.todo.provider`)."""

from django.utils.translation import gettext_lazy as _

from commission.enums import Role
from commission.todo import provider, section
from parcours import access as parcours_access
from parcours import reminders
from parcours.enums import DemandeState, TitreSejourState
from parcours.models import DroitAfis, TitreSejour


def _demandes(user, *states):
    return (
        parcours_access.demandes_visible_to(user)
        .filter(state__in=states)
        .select_related("beneficiaire", "association")
    )


@provider
def procedure(user, *, today, now):
    sections = []
    if user.has_role(Role.REFERENT) or user.has_role(Role.SECRETARIAT) or user.has_role(Role.ETRANGERS):
        sections.append(
            section(
                "rappels",
                _("Rappels"),
                _("Aucun rappel en attente."),
                reminders.pending_for(user, today),
                order=10,
            )
        )
    if user.has_role(Role.REFERENT):
        sections += [
            section(
                "complements",
                _("Compléments demandés par le secrétariat"),
                _("Aucun complément n’est attendu."),
                _demandes(user, DemandeState.COMPLEMENT_DEMANDE).order_by("created_at"),
                order=20,
            ),
            section(
                "brouillons",
                _("Dossiers en préparation"),
                _("Aucun dossier en préparation."),
                _demandes(user, DemandeState.BROUILLON).order_by("created_at"),
                order=30,
            ),
            section(
                "echeances",
                _("Parcours dont la période se termine dans les 60 jours"),
                _("Aucune échéance dans les 60 jours."),
                parcours_access.parcours_visible_to(user)
                .term_ending_within(60, today)
                .select_related("beneficiaire")
                .order_by("current_term_end"),
                order=40,
            ),
        ]
    if user.has_role(Role.SECRETARIAT):
        sections += [
            section(
                "a_instruire",
                _("Dossiers déposés à instruire"),
                _("Aucun dossier n’attend d’instruction."),
                _demandes(user, DemandeState.DEPOSEE).order_by("submitted_at"),
                order=50,
            ),
            section(
                "afis_a_completer",
                _("Droits à l’AFIS à compléter"),
                _("Aucun droit à l’AFIS n’attend de donnée."),
                DroitAfis.objects.filter(
                    pending=True, periode__parcours__in=parcours_access.parcours_visible_to(user)
                )
                .select_related("periode__parcours__beneficiaire", "periode__decision")
                .order_by("assessed_on", "pk"),
                order=55,
            ),
            section(
                "recevables",
                _("Dossiers recevables à inscrire à une séance"),
                _("Aucun dossier recevable n’attend de séance."),
                _demandes(user, DemandeState.RECEVABLE, DemandeState.AJOURNEE).order_by("admissible_at"),
                order=60,
            ),
        ]
    if user.has_role(Role.PRESIDENT):
        sections.append(
            section(
                "a_decider",
                _("Avis rendus en attente de décision"),
                _("Aucune décision n’est à prendre."),
                _demandes(user, DemandeState.AVIS_RENDU).order_by("avis_commission_on"),
                order=70,
            )
        )
    if user.has_role(Role.ETRANGERS):
        titres = TitreSejour.objects.filter(
            parcours__in=parcours_access.parcours_visible_to(user)
        ).select_related("parcours__beneficiaire")
        sections += [
            section(
                "aps_a_delivrer",
                _("Autorisations provisoires de séjour à délivrer ou renouveler"),
                _("Aucune autorisation à délivrer."),
                titres.filter(
                    state__in=[TitreSejourState.A_DELIVRER, TitreSejourState.A_RENOUVELER]
                ).order_by("pk"),
                order=90,
            ),
            section(
                "aps_expirant",
                _("Autorisations expirant dans les 30 jours"),
                _("Aucune autorisation n’expire dans les 30 jours."),
                titres.expiring_within(30, today).order_by("valid_until"),
                order=100,
            ),
        ]
    return sections
