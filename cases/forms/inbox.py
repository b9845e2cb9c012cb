"""The partner inbox's answer form. The rules (a reason for declining, the order of answers,
the versions) live in ``cases.services.inbox``."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField

from ..models import PartnerAnswerOutcome
from ..services.inbox import NOTE_MAX_LENGTH


class InboxAnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Short answer"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the case director should know: who takes it on, when, what was done. "
            "No more personal data than needed."
        ),
    )
    version = VersionField()

    def __init__(self, *args: Any, outcome: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if outcome == PartnerAnswerOutcome.DECLINED:
            self.fields["note"].label = _("Reason for declining")
            self.conditionally_required = {"note": _("required")}
