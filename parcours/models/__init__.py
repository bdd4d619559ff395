from .courriers import Courrier, ProductionCourriers, Rappel, TexteCourrier
from .demandes import CLOSED_STATES, Demande, DemandeEvenement, Document, ObjectifInsertion
from .droits import BaremeAfis, DroitAfis, ForfaitRsa, TitreSejour, TitreSejourEvenement
from .exports import ExportJob
from .messages import Message
from .parcours import Decision, Parcours, ParcoursEvenement, Periode, RegleParcours, next_deadlines

__all__ = [
    "CLOSED_STATES",
    "BaremeAfis",
    "Courrier",
    "Decision",
    "Demande",
    "DemandeEvenement",
    "Document",
    "DroitAfis",
    "ExportJob",
    "ForfaitRsa",
    "Message",
    "ObjectifInsertion",
    "Parcours",
    "ParcoursEvenement",
    "Periode",
    "ProductionCourriers",
    "Rappel",
    "RegleParcours",
    "TexteCourrier",
    "TitreSejour",
    "TitreSejourEvenement",
    "next_deadlines",
]
