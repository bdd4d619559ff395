from .audit import AccessLog
from .mandats import Mandat
from .organisations import Agrement, Commission, Departement, Organisation
from .users import User

__all__ = [
    "AccessLog",
    "Agrement",
    "Commission",
    "Departement",
    "Mandat",
    "Organisation",
    "User",
]
