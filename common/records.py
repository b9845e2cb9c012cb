"""Records written once: the dated facts a period's figures stand on.

A correction is a new record, never an edit of an old one (see "Time is part of the data" in
the design notes), so saving such a row a second time is refused.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class WrittenOnce(models.Model):
    """Refuses to save a row that already exists; ``never_changed`` says so in the user's
    language (a lazy translation on the subclass)."""

    never_changed: Any = "This record is never changed."

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(str(self.never_changed))
        super().save(*args, **kwargs)
