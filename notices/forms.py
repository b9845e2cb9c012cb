from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField

from .models import IMMEDIATE_KINDS, NoticePreference


class NoticePreferenceForm(forms.Form):
    version = VersionField()
    digest_email = forms.BooleanField(
        label=_("Send me the daily overview of my deadlines by e-mail"), required=False
    )
    email_kinds = forms.MultipleChoiceField(
        label=_("Send me these notices by e-mail at once"),
        choices=[(kind.value, kind.label) for kind in IMMEDIATE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "In the application you always see every notice. An e-mail never holds names or "
            "other details of the people concerned: only the case's reference, the kind and a "
            "link."
        ),
    )

    def __init__(self, *args: Any, preference: NoticePreference, **kwargs: Any) -> None:
        kwargs["initial"] = {
            "version": preference.version,
            "digest_email": preference.digest_email,
            "email_kinds": [k.value for k in IMMEDIATE_KINDS if preference.wants_email(k)],
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
