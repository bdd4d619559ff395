from django.db import models
from django.utils.translation import gettext_lazy as _


class SeanceState(models.TextChoices):
    PREPAREE = "preparee", _("En préparation")
    CONVOQUEE = "convoquee", _("Convoquée")
    OUVERTE = "ouverte", _("Ouverte")
    # Not "Close": Django's own catalogues translate that English word into « Fermer ».
    CLOSE = "close", _("Clôturée")
    ANNULEE = "annulee", _("Annulée")


class PointKind(models.TextChoices):
    EXAMEN = "examen", _("Examen d’une demande")
    FIN_ANTICIPEE = "fin_anticipee", _("Proposition de fin anticipée")


class PointState(models.TextChoices):
    A_EXAMINER = "a_examiner", _("À examiner")
    CLOS = "clos", _("Avis rendu")
    AJOURNE = "ajourne", _("Ajourné")


class PresenceStatus(models.TextChoices):
    PRESENT = "present", _("Présent·e en salle")
    VISIO = "visio", _("Présent·e en visioconférence")
    REPRESENTE = "represente", _("Représenté·e par son suppléant")
    MANDAT = "mandat", _("A donné mandat")
    EXCUSE = "excuse", _("Excusé·e")
    ABSENT = "absent", _("Absent·e")


class VoteChoice(models.TextChoices):
    FAVORABLE = "favorable", _("Favorable")
    DEFAVORABLE = "defavorable", _("Défavorable")
    ABSTENTION = "abstention", _("Abstention")
