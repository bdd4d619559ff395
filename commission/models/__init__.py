from .audit import AccessLog
from .organisations import Agrement, Commission, Departement, Organisation
from .seances import Avis, Convocation, Mandat, PointOrdreDuJour, Presence, ProcesVerbal, Seance, Vote
from .users import User

__all__ = [
    "AccessLog",
    "Agrement",
    "Avis",
    "Commission",
    "Convocation",
    "Departement",
    "Mandat",
    "Organisation",
    "PointOrdreDuJour",
    "Presence",
    "ProcesVerbal",
    "Seance",
    "User",
    "Vote",
]
