"""The case search form. The term is posted, never put in a URL (it may be a client's name)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by reference or name"),
        max_length=100,
        required=False,
        strip=True,
        help_text=_("Searches every case you may see; the tabs then narrow the results."),
    )
