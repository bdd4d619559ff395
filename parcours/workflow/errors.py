"""WorkflowError lives in the foundation (commission.transitions); kept importable from here."""

from commission.transitions import WorkflowError

__all__ = ["WorkflowError"]
