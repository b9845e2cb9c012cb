"""Optimistic locking for rows with a ``version`` column."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy

from .history import attribute


class EditConflict(Exception):
    """Someone else saved the object after the form was opened."""


# A refused page keeps what the user typed and the version they opened, so the same page saved
# again is refused again (never a blind overwrite): the message sends them to the page as it is
# now. The admin's pages say the same (``common.admin_edits``).
STALE_EDIT = gettext_lazy(
    "Someone else saved a change while you were editing. Open the page again to see it; what "
    "you entered is still below, to copy."
)


def locked_for_update[M: models.Model](obj: M, expected_version: int | None) -> M:
    """Lock the row and make sure nobody saved it since ``expected_version`` was read."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise EditConflict(str(STALE_EDIT))
    return current


def save_versioned(obj: Any, by: Any, *, bump: bool = True) -> None:
    """Save a row of a model with a ``version`` (bumped) and history (attributed to ``by``)."""
    if bump:
        obj.version += 1
    attribute(obj, by).save()


class VersionField(forms.IntegerField):
    """The version an edit form was opened with, sent back hidden. Required: a form sent
    without it (an old page, a script) is refused like a stale one, never saved unchecked."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)
        refused = gettext_lazy(
            "This form does not say which version it changes. Open it again and save again."
        )
        self.error_messages = {**self.error_messages, "required": refused, "invalid": refused}


class VersionedModelForm(forms.ModelForm):
    """A model form for a row with a ``version``: editing an existing row requires the
    version it was opened with (``cleaned_data["version"]``); adding one needs none."""

    version = VersionField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True


def check_version(obj: Any, expected_version: int | None) -> None:
    """For a row already changed in memory (a model form's instance): lock it, refuse a
    stale edit, and set the next version. A new row (no pk) starts at its default."""
    if obj.pk is None:
        return
    current = locked_for_update(obj, expected_version)
    obj.version = current.version + 1
