"""What the request works in, for every domain's views: the hub that ``hubapp.hubs.context`` chose for
this request (``g.hub``), without importing the hubs domain, and the one way a view loads a record of
that hub or answers 404.

Another hub's record is "not found", never "forbidden": a user must not learn that an id exists in a
hub they do not see."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, g

T = TypeVar("T")


def hub_or_404():
    """The request's hub, for pages that only make sense inside one (404 for a user who sees none)."""
    if getattr(g, "hub", None) is None:
        abort(404)
    return g.hub


def found_or_404(found: T | None, where: Callable[[T], bool] | None = None) -> T:
    """``found``, or 404 when it is None or ``where(found)`` is false (a record the user may not see)."""
    if found is None or (where is not None and not where(found)):
        abort(404)
    return found


def hub_object_or_404(getter: Callable[[int, int], T | None], object_id: int, where=None) -> T:
    """``getter(hub_id, object_id)`` for the request's hub, or 404 (none, another hub's, or not ``where``)."""
    return found_or_404(getter(hub_or_404().id, object_id), where)
