"""What the request works in, for every domain's views: the hub that ``hubapp.hubs.context`` chose for
this request (``g.hub``), without importing the hubs domain."""

from flask import abort, g


def hub_or_404():
    """The request's hub, for pages that only make sense inside one (404 for a user who sees none)."""
    if getattr(g, "hub", None) is None:
        abort(404)
    return g.hub
