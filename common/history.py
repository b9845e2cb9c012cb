"""Attributing django-simple-history rows to the person who made the change."""

from typing import Any

from django.db import models


def attribute[M: models.Model](obj: M, by: Any) -> M:
    """Make the next history row of ``obj`` (its ``save()`` or ``delete()``) name ``by``.

    The history middleware only knows the request's user; services run in tasks and
    management commands too, so every write names its actor explicitly.
    """
    obj._history_user = by  # type: ignore[attr-defined]
    return obj


def save_validated[M: models.Model](obj: M, by: Any) -> M:
    """Validate ``obj`` (``full_clean``) and save it, its history row naming ``by``."""
    attribute(obj, by)
    obj.full_clean()
    obj.save()
    return obj
