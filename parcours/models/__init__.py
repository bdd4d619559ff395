from .courriers import Courrier, Rappel
from .demandes import CLOSED_STATES, Demande, DemandeEvenement, Document, ObjectifInsertion
from .droits import BaremeAfis, DroitAfis, ForfaitRsa, TitreSejour
from .messages import Message
from .parcours import Decision, Parcours, ParcoursEvenement, Periode, RegleParcours

__all__ = [
    "CLOSED_STATES",
    "BaremeAfis",
    "Courrier",
    "Decision",
    "Demande",
    "DemandeEvenement",
    "Document",
    "DroitAfis",
    "ForfaitRsa",
    "Message",
    "ObjectifInsertion",
    "Parcours",
    "ParcoursEvenement",
    "Periode",
    "Rappel",
    "RegleParcours",
    "TitreSejour",
]
