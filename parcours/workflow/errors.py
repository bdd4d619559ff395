class WorkflowError(Exception):
    """A refused transition; `message` is a French sentence shown to the user as is."""

    def __init__(self, message, *, details=None):
        super().__init__(str(message))
        self.message = message
        self.details = details or {}
