"""The rota's refusal: a rule was broken, with the message for the user and its field."""

from hubapp.common.errors import DomainError


class RotaError(DomainError):
    """A rota rule was broken; the message is for the user."""
