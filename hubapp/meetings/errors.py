"""The meetings domain's refusal: a rule was broken, with the message for the user and its field."""

from hubapp.common.errors import DomainError


class MeetingError(DomainError):
    """A meeting rule was broken; the message is for the user."""
