"""Forms for the case journal and the actions. The rules live in the services."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.versioning import VersionField
from partners.models import Organisation

from ..models import CaseAction, Channel, EntryKind, JournalEntry, Visibility
from ..selectors.journal import action_assignee_candidates
from .core import DateInput


def _now_to_the_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class _SplitDateTimeWidget(forms.SplitDateTimeWidget):
    """A native date and time input, each with its own accessible name."""

    def __init__(self) -> None:
        # Lazy labels, so each request renders them in its own language.
        date_attrs: dict[str, Any] = {"type": "date", "aria-label": _("Date")}
        time_attrs: dict[str, Any] = {"type": "time", "aria-label": _("Time")}
        super().__init__(
            date_attrs=date_attrs,
            time_attrs=time_attrs,
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        )


def _staff_label(user: User) -> str:
    return f"{user} ({user.organisation})" if user.organisation_id else str(user)


def _reached(value: str) -> bool:
    return value == "yes"


class JournalEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=EntryKind.choices)
    occurred_at = forms.SplitDateTimeField(
        label=_("When"), widget=_SplitDateTimeWidget, initial=_now_to_the_minute
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", "—"), *Channel.choices],
        required=False,
        help_text=_("Required for a contact attempt; a note has no channel."),
    )
    reached = forms.TypedChoiceField(
        label=_("Reached"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=_reached,
        empty_value=None,
        required=False,
        help_text=_("Only for a contact attempt: was the person reached?"),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required for a note."),
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"),
        choices=Visibility.choices,
        initial=Visibility.TEAM,
        widget=forms.RadioSelect,
        help_text=_(
            "Organisations the case is shared with (such as the prosecutor's office) "
            "only read entries visible to everyone with access."
        ),
    )


class JournalCorrectForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The earlier text is kept in the history of the entry."),
    )

    def __init__(self, *args: Any, entry: JournalEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].initial = entry.text


class JournalFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("All kinds")), *EntryKind.choices],
        required=False,
    )


class CaseActionForm(forms.Form):
    description = forms.CharField(label=_("What"), max_length=300)
    assignee_user = forms.ModelChoiceField(
        label=_("Who: a staff member"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Choose a staff member or a partner organisation, not both."),
    )
    assignee_organisation = forms.ModelChoiceField(
        label=_("Who: a partner organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
    )
    due_on = forms.DateField(label=_("By when"), widget=DateInput)

    def __init__(self, *args: Any, action: CaseAction | None = None, **kwargs: Any) -> None:
        self.case = kwargs.pop("case")
        super().__init__(*args, **kwargs)
        users = action_assignee_candidates(case=self.case)
        organisations = Organisation.objects.filter(is_active=True)
        if action is not None:
            # Keep the current assignee selectable even if they no longer qualify.
            users = (
                User.objects.filter(Q(pk__in=users.values("pk")) | Q(pk=action.assignee_user_id))
                .select_related("organisation")
                .order_by("last_name", "first_name", "pk")
            )
            organisations = Organisation.objects.filter(
                Q(is_active=True) | Q(pk=action.assignee_organisation_id)
            )
        user_field = self.fields["assignee_user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = users
        user_field.label_from_instance = _staff_label  # type: ignore[method-assign,assignment]
        organisation_field = self.fields["assignee_organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = organisations


class CaseActionEditForm(CaseActionForm):
    done_on = forms.DateField(
        label=_("Done on"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty while the action is open."),
    )
    version = VersionField()
