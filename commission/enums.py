from django.db import models
from django.utils.translation import gettext_lazy as _


def choice_label(choices, value):
    """The label of `value` among `choices` (a TextChoices), or `value` itself if it is none of them:
    what a model's get_FOO_display() gives, for one translation instead of one per choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association agréée")
    SERVICE_ETAT = "service_etat", _("Service de l’État")
    MAGISTRAT = "magistrat", _("Magistrat / parquet")
    COLLECTIVITE = "collectivite", _("Collectivité territoriale")
    ORDRE_MEDECINS = "ordre_medecins", _("Ordre des médecins")
    PROTECTION_ENFANCE = "protection_enfance", _("Protection de l’enfance")
    SECRETARIAT = "secretariat", _("Préfecture – secrétariat de la commission")
    SERVICE_ETRANGERS = "service_etrangers", _("Préfecture – service des étrangers")


class Role(models.TextChoices):
    """Roles are Django groups named after these values."""

    REFERENT = "referent", _("Référent·e associatif·ve")
    SECRETARIAT = "secretariat", _("Secrétariat de la commission")
    MEMBRE = "membre", _("Membre de la commission")
    PRESIDENT = "president", _("Président·e (préfet ou délégué·e)")
    ETRANGERS = "etrangers", _("Service des étrangers")
    ADMINISTRATEUR = "administrateur", _("Administrateur·rice")


class MandatRole(models.TextChoices):
    TITULAIRE = "titulaire", _("Titulaire")
    SUPPLEANT = "suppleant", _("Suppléant·e")


class SeanceKind(models.TextChoices):
    """Décret du 30 décembre 2025: policy sessions are distinct from individual ones."""

    INDIVIDUELLE = "individuelle", _("Examen des dossiers individuels")
    POLITIQUE = "politique", _("Politique départementale")


class MandatScope(models.TextChoices):
    """Which kinds of session a member sits in."""

    TOUTES = "toutes", _("Toutes les séances")
    POLITIQUE = "politique", _("Séances de politique départementale seulement")


class AuditAction(models.TextChoices):
    READ = "read", _("Consultation")
    DOWNLOAD = "download", _("Téléchargement")
    EXPORT = "export", _("Export")
    LETTER = "letter", _("Courrier")
    ACCESS_REQUEST = "access_request", _("Droit d’accès (dossier complet)")
    ANONYMISE = "anonymise", _("Anonymisation")
    EXACT_FIGURES = "exact_figures", _("Chiffres exacts (usage interne)")
