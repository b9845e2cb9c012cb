"""Optimistic locking for rows with a ``version`` column."""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .history import attribute


class EditConflict(Exception):
    """Someone else saved the object after the form was opened."""


def locked_for_update[M: models.Model](obj: M, expected_version: int | None) -> M:
    """Lock the row and make sure nobody saved it since ``expected_version`` was read."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise EditConflict(
            _("Someone else saved a change while you were editing. Check and save again.")
        )
    return current


def save_versioned(obj: Any, by: Any, *, bump: bool = True) -> None:
    """Save a row of a model with a ``version`` (bumped) and history (attributed to ``by``)."""
    if bump:
        obj.version += 1
    attribute(obj, by).save()
