"""The short label beside a case's reference in lists and on the home page (issue 16).

A reference alone ("2025-0042") tells a busy case worker nothing; the full name of a victim
on every list row tells a passer-by too much. The label is the (first) victim's initials or
first name and last initial, as ``settings.FJC_CASE_LABEL`` says, computed in the list's own
query (a subquery per row, no query per row).

Who sees it: the label is read from the case's people, the part of the file every reader of
the case in a list may read (``access.policy``: the case and its people are both the
summary). A name field that ``access.policy`` declares confidential is shown only to those
who may see confidential details of that case (the case team); anyone else gets no label.
An anonymous track-1 consult has no person: the template says so instead (``case_label``).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Case as ExpressionCase
from django.db.models import (
    CharField,
    Expression,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Left, Upper

from access.policy import confidential_fields, kept_for_request, may_see_confidential_condition
from accounts.models import User

from ..models import Case, CaseParty

VICTIM_INITIALS = "victim_initials"
VICTIM_FIRST_NAME_INITIAL = "victim_first_name_initial"
NO_LABEL = "none"
# The Person fields a label may show.
LABEL_FIELDS = ("first_name", "last_name")


def _initial(field: str) -> Expression:
    return Concat(Upper(Left(f"person__{field}", 1)), Value("."), output_field=CharField())


def _label_text(style: str) -> Expression:
    if style == VICTIM_FIRST_NAME_INITIAL:
        return Concat(
            "person__first_name", Value(" "), _initial("last_name"), output_field=CharField()
        )
    return Concat(
        _initial("first_name"), Value(" "), _initial("last_name"), output_field=CharField()
    )


def _shown_to_team_only(user: User) -> Q | None:
    """On a party row: when a field of the label is confidential there
    (``access.policy.CONFIDENTIAL_FIELDS``), the condition for seeing it (the case team);
    None when no field of the label is declared confidential."""
    flags: list[str] = []
    for declared in confidential_fields("cases.person"):
        if declared.name not in LABEL_FIELDS:
            continue
        if declared.when is None:
            return may_see_confidential_condition(user, "case_id")
        flags.append(declared.when)
    if not flags:
        return None
    return may_see_confidential_condition(user, "case_id") | Q(
        **{f"person__{flag}": False for flag in flags}
    )


def case_label_expression(user: User, case_path: str = "pk") -> Expression | Subquery:
    """An expression for the label of the case at ``case_path`` of the outer query ("" for
    none): the first victim in the case (by the start of their involvement), as the setting
    says. Callers annotate a queryset already restricted by ``access.policy``.

    Built once per request (``access.policy.kept_for_request``): the home page's board
    annotates it in a dozen queries, and Django copies an expression when a query uses it,
    never changing the one given."""
    style = settings.FJC_CASE_LABEL
    return kept_for_request(
        ("case label", user.pk, case_path, style), lambda: _label_expression(user, case_path, style)
    )


def case_labels(user: User, case_ids: Iterable[int]) -> dict[int, str]:
    """The labels of these cases by id, in one query (none for no case). The caller found the
    cases through ``access.policy`` already (the deadline board's items)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = (
        Case.objects.filter(pk__in=ids)
        .annotate(shown_label=case_label_expression(user))
        .values_list("pk", "shown_label")
    )
    return {pk: label or "" for pk, label in rows}


def _label_expression(user: User, case_path: str, style: str) -> Expression | Subquery:
    if style == NO_LABEL:
        return Value("", output_field=CharField())
    text: Expression = _label_text(style)
    shown = _shown_to_team_only(user)
    if shown is not None:
        text = ExpressionCase(
            When(shown, then=text),
            default=Value(""),
            output_field=CharField(),
        )
    victims = (
        CaseParty.objects.filter(case_id=OuterRef(case_path), is_victim=True)
        .order_by("involved_since", "pk")
        .annotate(label=text)
        .values("label")[:1]
    )
    return Subquery(victims, output_field=CharField())
