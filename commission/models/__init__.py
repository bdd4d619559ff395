from .audit import AccessLog
from .job_runs import JobRun
from .mandats import Mandat
from .notifications import Notification, NotificationKind
from .organisations import Agrement, Commission, Departement, Organisation
from .outbox import EmailKind, OutboundEmail
from .roles import RoleChange
from .second_factor import EnrolmentLink, RecoveryCode, RecoveryCodeDevice
from .submissions import FormSubmission
from .users import User

__all__ = [
    "AccessLog",
    "Agrement",
    "Commission",
    "Departement",
    "EmailKind",
    "EnrolmentLink",
    "FormSubmission",
    "JobRun",
    "Mandat",
    "Notification",
    "NotificationKind",
    "Organisation",
    "OutboundEmail",
    "RecoveryCode",
    "RecoveryCodeDevice",
    "RoleChange",
    "User",
]
