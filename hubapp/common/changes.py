"""The one way a form's change is applied in a view: all or nothing, and the user is told which."""

from collections.abc import Callable

from flask import flash

from hubapp.common.errors import DomainError
from hubapp.extensions import db


def apply_change(change: Callable[[], object], done: str) -> bool:
    """Run ``change``; commit and flash ``done``, or — when a rule refuses it (:class:`DomainError`) — roll
    back and flash the rule's message, so that nothing of a refused change is kept. Returns whether it
    was applied."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True
