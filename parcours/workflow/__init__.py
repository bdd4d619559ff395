"""The only code that changes the state of an application, a pathway or a residence permit.

Each state machine has its module, which declares its table at the top on the one transition engine
(commission.transitions) and changes states only through it: every transition checks its guard,
applies its effect and writes one event row (who, when, from, to, why). A refused transition raises
WorkflowError with a French message that says what to do.
"""

from commission.transitions import WorkflowError

__all__ = ["WorkflowError"]
