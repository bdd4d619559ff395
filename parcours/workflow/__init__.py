"""The only code that changes the state of an application, a pathway or a residence permit.

Each state machine has its module; every transition checks its guard, applies its effect and
writes one event row (who, when, from, to, why). A refused transition raises WorkflowError with
a French message that says what to do.
"""

from .errors import WorkflowError

__all__ = ["WorkflowError"]
