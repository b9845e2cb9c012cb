"""Undo where it is cheap (docs/ui.md): the success message of a removal carries an
"Undo" button for a short time.

What to restore stays in the user's session (never in the page or the URL), under a one-time
token: the button posts the token to the restore view, which takes the offer out of the
session (so a second click, another tab or a replay finds nothing) and restores through the
service, behind the same access checks as the removal.
"""

import secrets
import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

SESSION_KEY = "fjc_undo"
TOKEN_FIELD = "undo_token"
# Long enough to notice a wrong click, short enough that nobody undoes someone else's later
# work by surprise.
UNDO_SECONDS = 5 * 60
# The message tag base.html shows the button for.
MESSAGE_TAG = "undo"


def offer_undo(
    request: HttpRequest, *, message: str, kind: str, url: str, data: dict[str, Any]
) -> None:
    """Show ``message`` with an undo button posting to ``url``; ``data`` is what the restore
    view needs (ids and choices only, JSON-serialisable)."""
    request.session[SESSION_KEY] = {
        "token": secrets.token_urlsafe(16),
        "kind": kind,
        "url": url,
        "data": data,
        "until": time.time() + UNDO_SECONDS,
    }
    messages.success(request, message, extra_tags=MESSAGE_TAG)


def take_undo(request: HttpRequest, *, kind: str) -> dict[str, Any] | None:
    """The offer's ``data`` when the posted token is the live offer of this kind, else
    ``None``. The offer is used up either way (one time only)."""
    offer = request.session.pop(SESSION_KEY, None)
    if not isinstance(offer, dict) or offer.get("kind") != kind:
        return None
    token = request.POST.get(TOKEN_FIELD, "")
    if not token or not secrets.compare_digest(str(offer.get("token", "")), token):
        return None
    if time.time() > float(offer.get("until", 0)):
        return None
    data: dict[str, Any] = offer.get("data", {})
    return data
