"""The auditor's reading of the audit trail: the filters and the one selector behind the page.

The page shows what the rows hold (ids, staff usernames and organisations, actions, pages,
purposes), never a client's personal data: the rows hold none.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from access.models import AuditAction, AuditEvent
from accounts.models import User
from partners.models import Organisation

ACCOUNT = "accounts.user"


class AuditEventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From (date)")
    )
    date_to = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To (date)")
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    user = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("username"), label=_("Acting user")
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.order_by("name"), label=_("Organisation")
    )
    object_type = django_filters.CharFilter(label=_("Object type"))
    case_id = django_filters.NumberFilter(label=_("Case id"))
    account = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("username"),
        method="filter_account",
        label=_("Account concerned"),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_account(self, queryset: QuerySet[AuditEvent], name: str, value: User) -> Any:
        return queryset.filter(object_type=ACCOUNT, object_id=str(value.pk))


def audit_events(*, data: Any) -> tuple[AuditEventFilter, QuerySet[AuditEvent]]:
    """The filter form bound to ``data`` and the events it selects, newest first."""
    base = AuditEvent.objects.select_related("organisation").order_by("-at", "-id")
    found = AuditEventFilter(data or None, queryset=base)
    return found, found.qs


def applied_filters(found: AuditEventFilter) -> dict[str, str]:
    """The filters in use, as text for the page's own audit row (ids, never names)."""
    if not found.is_bound or not found.form.is_valid():
        return {}
    return {
        name: str(getattr(value, "pk", value))
        for name, value in found.form.cleaned_data.items()
        if value not in (None, "")
    }
