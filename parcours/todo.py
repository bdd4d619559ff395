"""The home sections of the procedure's work: reminders, one's own dossiers and the unassigned ones,
dossiers to complete, file, examine or decide, terms ending, residence permits to issue (registered with
`commission.todo.provider`). Each row links to the page where its work is done."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commission.enums import Role
from commission.todo import provider, section
from parcours import access as parcours_access
from parcours import reminders
from parcours.enums import DemandeState, TitreSejourState
from parcours.models import DroitAfis, TitreSejour
from parcours.workflow import demandes as workflow


def _afis_page(droit):
    """Where a right "à compléter" is assessed again: the decision's panel of the dossier (the person's
    page for a right with no decision)."""
    decision = droit.periode.decision
    if decision is not None:
        return reverse("parcours:dossier", args=[decision.demande_id]) + "#decision"
    return reverse("beneficiaires:detail", args=[droit.periode.parcours.beneficiaire_id])


def _demandes(user, *states):
    return (
        parcours_access.demandes_visible_to(user)
        .filter(state__in=states)
        .select_related("beneficiaire", "association")
    )


def _work_page(user):
    """The page where `user` works on a dossier of their home: the secretariat checks a filed dossier
    on its completeness page, the president decides on the decision page; otherwise the dossier."""
    secretariat = parcours_access.is_secretariat(user)
    president = parcours_access.decides(user)

    def link(demande):
        if secretariat and workflow.can(demande, "mark_admissible"):
            return reverse("parcours:instruction", args=[demande.pk])
        if president and workflow.awaits_decision(demande):
            return reverse("decisions:decider", args=[demande.pk])
        return reverse("parcours:dossier", args=[demande.pk])

    return link


def _person_page(parcours):
    return reverse("beneficiaires:detail", args=[parcours.beneficiaire_id])


def _permit_page(titre):
    return reverse("decisions:titre", args=[titre.pk])


def _assignment_sections(user, link):
    """ "Mes dossiers" and, for a newcomer to the team as for everyone, the open dossiers nobody handles
    yet on the user's side (caseworker or secretariat's agent, `access.assignment_field_of`)."""
    field = parcours_access.assignment_field_of(user)
    if field is None:
        return []
    open_demandes = (
        parcours_access.demandes_visible_to(user).open().select_related("beneficiaire", "association")
    )
    return [
        section(
            "mes_dossiers",
            _("Mes dossiers en cours"),
            _("Aucun dossier en cours ne vous est attribué."),
            open_demandes.filter(**{field: user}).order_by("-last_change_at", "-pk"),
            order=12,
            link=link,
        ),
        section(
            "non_attribues",
            _("Dossiers en cours non attribués"),
            _("Tous les dossiers en cours sont attribués."),
            open_demandes.filter(**{f"{field}__isnull": True}).order_by("last_change_at", "pk"),
            order=14,
            link=link,
        ),
    ]


@provider
def procedure(user, *, today, now):
    link = _work_page(user)
    sections = _assignment_sections(user, link)
    if user.has_role(Role.REFERENT) or user.has_role(Role.SECRETARIAT) or user.has_role(Role.ETRANGERS):
        sections.append(
            section(
                "rappels",
                _("Rappels"),
                _("Aucun rappel en attente."),
                reminders.pending_for(user, today),
                order=10,
                link=lambda rappel: rappel.get_absolute_url(),
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
                link=link,
            ),
            section(
                "brouillons",
                _("Dossiers en préparation"),
                _("Aucun dossier en préparation."),
                _demandes(user, DemandeState.BROUILLON).order_by("created_at"),
                order=30,
                link=link,
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
                link=_person_page,
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
                link=link,
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
                link=_afis_page,
            ),
            section(
                "recevables",
                _("Dossiers recevables à inscrire à une séance"),
                _("Aucun dossier recevable n’attend de séance."),
                _demandes(user, DemandeState.RECEVABLE, DemandeState.AJOURNEE).order_by("admissible_at"),
                order=60,
                link=link,
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
                link=link,
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
                link=_permit_page,
            ),
            section(
                "aps_expirant",
                _("Autorisations expirant dans les 30 jours"),
                _("Aucune autorisation n’expire dans les 30 jours."),
                titres.expiring_within(30, today).order_by("valid_until"),
                order=100,
                link=_permit_page,
            ),
        ]
    return sections
