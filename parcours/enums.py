from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandeKind(models.TextChoices):
    INITIALE = "initiale", _("Demande initiale")
    RENOUVELLEMENT = "renouvellement", _("Renouvellement")
    FIN_ANTICIPEE = "fin_anticipee", _("Proposition de fin anticipée")


class DemandeState(models.TextChoices):
    BROUILLON = "brouillon", _("Brouillon")
    DEPOSEE = "deposee", _("Déposée")
    COMPLEMENT_DEMANDE = "complement", _("Complément demandé")
    RECEVABLE = "recevable", _("Recevable")
    INSCRITE = "inscrite", _("Inscrite à l’ordre du jour")
    AJOURNEE = "ajournee", _("Ajournée")
    AVIS_RENDU = "avis_rendu", _("Avis rendu")
    ACCEPTEE = "acceptee", _("Décision favorable")
    REFUSEE = "refusee", _("Décision défavorable")
    RETIREE = "retiree", _("Retirée")


class ParcoursState(models.TextChoices):
    EN_COURS = "en_cours", _("En cours")
    TERMINE = "termine", _("Terminé")


class ParcoursEndReason(models.TextChoices):
    ECHEANCE = "echeance", _("Échéance atteinte sans renouvellement")
    NON_RENOUVELLEMENT = "non_renouvellement", _("Renouvellement refusé")
    PLAFOND = "plafond", _("Durée maximale du parcours atteinte")
    RETRAIT = "retrait", _("Retrait de la personne")
    FIN_ANTICIPEE = "fin_anticipee", _("Fin anticipée décidée par le préfet")
    DEPART = "depart", _("Départ du département ou du territoire")


class Axe(models.TextChoices):
    """Axes of the projet d'insertion sociale et professionnelle."""

    SECURITE_LOGEMENT = "securite_logement", _("Mise en sécurité et logement")
    SANTE = "sante", _("Santé")
    ACCES_DROITS = "acces_droits", _("Accès aux droits")
    LANGUE_FORMATION = "langue_formation", _("Apprentissage de la langue et formation")
    EMPLOI = "emploi", _("Insertion professionnelle")


class AvisChoice(models.TextChoices):
    FAVORABLE = "favorable", _("Favorable")
    DEFAVORABLE = "defavorable", _("Défavorable")


class DecisionKind(models.TextChoices):
    AUTORISATION = "autorisation", _("Autorisation d’engagement dans le parcours")
    REFUS = "refus", _("Refus d’engagement dans le parcours")
    RENOUVELLEMENT = "renouvellement", _("Renouvellement du parcours")
    NON_RENOUVELLEMENT = "non_renouvellement", _("Non-renouvellement du parcours")
    FIN_ANTICIPEE = "fin_anticipee", _("Fin anticipée du parcours")
    MAINTIEN = "maintien", _("Maintien du parcours")


class SituationEmploi(models.TextChoices):
    SANS_EMPLOI = "sans_emploi", _("Sans emploi")
    EN_FORMATION = "formation", _("En formation")
    EN_EMPLOI = "emploi", _("En emploi")


class TypeContrat(models.TextChoices):
    CDI = "cdi", _("CDI")
    CDD = "cdd", _("CDD")
    INTERIM = "interim", _("Intérim")
    INSERTION = "insertion", _("Contrat d’insertion (IAE, contrat aidé)")
    ALTERNANCE = "alternance", _("Alternance / apprentissage")
    AUTRE = "autre", _("Autre")


class DocumentKind(models.TextChoices):
    IDENTITE = "identite", _("Pièce d’identité")
    ENGAGEMENT = "engagement", _("Engagement signé de la personne")
    EVALUATION = "evaluation", _("Évaluation de l’association")
    BILAN = "bilan", _("Bilan d’étape")
    AUTRE = "autre", _("Autre pièce")


class TitreSejourState(models.TextChoices):
    # The labels agree with « l’autorisation provisoire de séjour » (feminine).
    A_DELIVRER = "a_delivrer", _("À délivrer")
    DELIVRE = "delivre", _("Délivrée")
    A_RENOUVELER = "a_renouveler", _("À renouveler")
    EXPIRE = "expire", _("Expirée")
    NON_RENOUVELE = "non_renouvele", _("Non renouvelée (fin du parcours)")


class AfisTerritoire(models.TextChoices):
    GENERAL = "general", _("Métropole et outre-mer (hors Mayotte)")
    MAYOTTE = "mayotte", _("Mayotte")


class CourrierKind(models.TextChoices):
    NOTIFICATION = "notification", _("Notification de la décision à la personne")
    INFORMATION_ETRANGERS = "etrangers", _("Information du service des étrangers")
    ATTESTATION_AFIS = "afis", _("Attestation pour le versement de l’AFIS")
    FIN_AFIS = "fin_afis", _("Avis de fin du droit à l’AFIS à l’organisme payeur")


class RappelKind(models.TextChoices):
    ECHEANCE_60 = "echeance_60", _("Échéance du parcours dans 60 jours")
    ECHEANCE_30 = "echeance_30", _("Échéance du parcours dans 30 jours")
    ECHEANCE_15 = "echeance_15", _("Échéance du parcours dans 15 jours")
    APS_A_DELIVRER = "aps_a_delivrer", _("Autorisation provisoire de séjour à délivrer")
    APS_EXPIRE = "aps_expire", _("Autorisation provisoire de séjour expirant dans 30 jours")
    DOSSIER_EN_ATTENTE = "dossier_attente", _("Dossier recevable en attente de séance")


class MessageSide(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SECRETARIAT = "secretariat", _("Secrétariat de la commission")


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    COMPLEMENT = "complement", _("Demande de complément")
    RESUBMISSION = "resubmission", _("Dossier complété et redéposé")


class ProductionState(models.TextChoices):
    """Where the job that renders a decision's letters stands (the batch page polls it)."""

    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("En cours")
    TERMINEE = "terminee", _("Courriers produits")
    ECHEC = "echec", _("Échec")


class TexteCourrierKind(models.TextChoices):
    """Paragraphs of the letters that the prefecture words itself, kept as dated data."""

    VOIES_RECOURS = "voies_recours", _("Voies et délais de recours (décisions défavorables)")
