"""The deadline board's filters: kinds, a period and a scope, by GET (codes only, never a
name: the address may end up in browser history and server logs)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors.board import DEFAULT_PERIOD, DEFAULT_SCOPE, BoardPeriod, BoardScope, board_kinds

PERIOD_CHOICES = [
    (BoardPeriod.OVERDUE.value, _("Overdue only")),
    (BoardPeriod.WEEK.value, _("Overdue and the next 7 days")),
    (BoardPeriod.MONTH.value, _("Overdue and the next 30 days")),
]
SCOPE_CHOICES = [
    (BoardScope.MINE.value, _("My cases and my actions")),
    (BoardScope.ORGANISATION.value, _("My organisation")),
]


class BoardFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label=_("What"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nothing ticked: everything."),
    )
    period = forms.ChoiceField(
        label=_("When"),
        choices=PERIOD_CHOICES,
        required=False,
        initial=DEFAULT_PERIOD.value,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=_("Whose"),
        choices=SCOPE_CHOICES,
        required=False,
        initial=DEFAULT_SCOPE.value,
        widget=forms.RadioSelect,
        help_text=_(
            "My organisation: every case you may see, and the actions of your organisation."
        ),
    )

    def __init__(self, *args: Any, default_scope: BoardScope = DEFAULT_SCOPE, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The kinds other apps registered are known only once every app is ready.
        self.fields["kind"].choices = board_kinds()  # type: ignore[attr-defined]
        self.default_scope = default_scope
        self.fields["scope"].initial = default_scope.value

    def filters(self) -> tuple[list[str], BoardPeriod, BoardScope]:
        """The chosen kinds, period and scope; the defaults for anything invalid or missing."""
        if not self.is_valid():
            return [], DEFAULT_PERIOD, self.default_scope
        data = self.cleaned_data
        return (
            list(data["kind"]),
            BoardPeriod(data["period"] or DEFAULT_PERIOD),
            BoardScope(data["scope"] or self.default_scope),
        )
