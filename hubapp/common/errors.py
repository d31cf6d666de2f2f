"""The error every domain's services raise when a rule is broken: a message for the user, and the form
field it belongs to (views put it back onto the form)."""


class DomainError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        #: A (lazy) translatable string: rendered in the user's language when shown.
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
