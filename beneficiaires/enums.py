from django.db import models
from django.utils.translation import gettext_lazy as _


class Sexe(models.TextChoices):
    FEMININ = "F", _("Féminin")
    MASCULIN = "M", _("Masculin")
    AUTRE = "X", _("Autre / non précisé")


class SituationFamiliale(models.TextChoices):
    CELIBATAIRE = "celibataire", _("Célibataire")
    EN_COUPLE = "en_couple", _("En couple")
    MARIE = "marie", _("Marié·e / pacsé·e")
    SEPARE = "separe", _("Séparé·e / divorcé·e")
    VEUF = "veuf", _("Veuf·ve")


class Logement(models.TextChoices):
    SANS_ABRI = "sans_abri", _("Sans abri")
    HEBERGEMENT_URGENCE = "urgence", _("Hébergement d’urgence")
    HEBERGEMENT_ASSOCIATIF = "associatif", _("Hébergement associatif / CHRS")
    HEBERGE_TIERS = "tiers", _("Hébergé·e par un tiers")
    LOGEMENT_TEMPORAIRE = "temporaire", _("Logement temporaire / intermédiation locative")
    LOGEMENT_AUTONOME = "autonome", _("Logement autonome")


class TypeRessources(models.TextChoices):
    AUCUNE = "aucune", _("Aucune ressource")
    SALAIRE = "salaire", _("Revenus d’activité")
    PRESTATIONS = "prestations", _("Prestations sociales")
    ADA = "ada", _("Allocation pour demandeur d’asile")
    RSA = "rsa", _("RSA")
    AUTRE = "autre", _("Autres ressources")


class AccompagnementEndReason(models.TextChoices):
    CHOIX_PERSONNE = "choix", _("Choix de la personne de changer d’association")
    FIN_PARCOURS = "fin", _("Fin du parcours")
    AGREMENT = "agrement", _("Fin de l’agrément de l’association")
    AUTRE = "autre", _("Autre motif")
