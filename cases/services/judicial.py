"""The judicial outcome of a case: the prosecution decision, conditions, breaches, and a
restraining order lifted early.

Every fact is dated with the day it happened (valid time): the figures count it by that day,
and a later decision is a new row, never an edit of the earlier one. Who decided is an
organisation from the list, never free text, so the figures can count by it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.models import User
from common.dates import DateKind, check_date, check_dates
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import (
    Breach,
    Case,
    ConditionKind,
    EventKind,
    JudicialCondition,
    Measure,
    MeasureKind,
    ProsecutionDecision,
    ProsecutionDecisionKind,
)
from .events import record_event


def _short(day: datetime.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else "…"


def _check_trajectory(case: Case) -> None:
    # An anonymous consult holds no personal data; a judicial outcome would identify someone.
    if case.is_anonymous_consult:
        raise ValidationError(_("An anonymous consult has no judicial or care trajectory."))


def check_decider(organisation: Organisation | None, field: str = "decided_by") -> None:
    if not isinstance(organisation, Organisation):
        raise ValidationError({field: _("Choose the organisation that decided from the list.")})
    if not organisation.is_active:
        raise ValidationError({field: _("This organisation is no longer active.")})


def _check_text(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


# --- the prosecution decision ---


@transaction.atomic
def prosecution_decision_add(
    *,
    case: Case,
    by: User,
    kind: ProsecutionDecisionKind | str,
    decided_on: datetime.date,
    decided_by: Organisation,
    note: str = "",
) -> ProsecutionDecision:
    """Record a decision on prosecution. A later decision (a dismissal followed by a summons
    after new facts) is added, not written over the earlier one."""
    _check_trajectory(case)
    kind = ProsecutionDecisionKind(kind)
    check_date(decided_on, DateKind.HAPPENED, field="decided_on")
    check_decider(decided_by)
    decision = ProsecutionDecision(
        case=case, kind=kind, decided_on=decided_on, decided_by=decided_by, note=note.strip()
    )
    attribute(decision, by)
    decision.save()
    record_event(
        case=case,
        kind=EventKind.PROSECUTION_DECIDED,
        actor=by,
        summary=f"{kind.label}, {_short(decided_on)} ({decided_by.name})",
    )
    return decision


# --- conditions ---


def _check_condition_dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    check_dates(
        {"starts_on": (starts_on, DateKind.HAPPENED), "ends_on": (ends_on, DateKind.PLANNED)}
    )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot be before the start.")})


@transaction.atomic
def condition_add(
    *,
    case: Case,
    by: User,
    kind: ConditionKind | str,
    description: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> JudicialCondition:
    _check_trajectory(case)
    kind = ConditionKind(kind)
    description = _check_text("description", description)
    _check_condition_dates(starts_on, ends_on)
    condition = JudicialCondition(
        case=case, kind=kind, description=description, starts_on=starts_on, ends_on=ends_on
    )
    attribute(condition, by)
    condition.save()
    # The description may name people; the kind and the period may go on the timeline.
    record_event(
        case=case,
        kind=EventKind.CONDITIONS_IMPOSED,
        actor=by,
        summary=f"{kind.label}, {_short(starts_on)} \N{EN DASH} {_short(ends_on)}",
    )
    return condition


@transaction.atomic
def condition_update(
    *,
    condition: JudicialCondition,
    by: User,
    expected_version: int,
    description: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> JudicialCondition:
    """Correct a condition's text or period (an earlier end set by the court, a typing error)."""
    current = locked_for_update(condition, expected_version)
    current.description = _check_text("description", description)
    _check_condition_dates(starts_on, ends_on)
    first_breach = current.breaches.order_by("occurred_on").values_list("occurred_on", flat=True)
    if (day := first_breach.first()) is not None and day < starts_on:
        raise ValidationError(
            {"starts_on": _("A breach of these conditions is recorded before this start.")}
        )
    current.starts_on = starts_on
    current.ends_on = ends_on
    save_versioned(current, by)
    return current


@transaction.atomic
def condition_remove(*, case: Case, by: User, condition: JudicialCondition) -> None:
    if condition.case_id != case.pk:
        raise ValidationError(_("These conditions belong to another case."))
    if condition.breaches.exists():
        raise ValidationError(
            _("A breach of these conditions is recorded: remove the breach first.")
        )
    attribute(condition, by)
    condition.delete()


# --- breaches ---


@transaction.atomic
def breach_add(
    *,
    case: Case,
    by: User,
    occurred_on: datetime.date,
    description: str,
    measure: Measure | None = None,
    condition: JudicialCondition | None = None,
) -> Breach:
    """A breach of a restraining order (or another measure) or of conditions, on a day
    those held."""
    _check_trajectory(case)
    if (measure is None) == (condition is None):
        raise ValidationError(
            {"breached": _("Choose the one measure or the conditions that were breached.")}
        )
    breached = measure or condition
    assert breached is not None
    if breached.case_id != case.pk:
        raise ValidationError({"breached": _("This belongs to another case.")})
    description = _check_text("description", description)
    check_date(occurred_on, DateKind.HAPPENED, field="occurred_on")
    until = measure.in_force_until if measure is not None else breached.ends_on
    if occurred_on < breached.starts_on or (until is not None and occurred_on > until):
        raise ValidationError(
            {"occurred_on": _("On that day the measure or the conditions did not hold.")}
        )
    breach = Breach(
        case=case,
        measure=measure,
        condition=condition,
        occurred_on=occurred_on,
        description=description,
    )
    attribute(breach, by)
    breach.save()
    what = measure.get_kind_display() if measure is not None else breached.get_kind_display()  # type: ignore[union-attr]
    record_event(
        case=case,
        kind=EventKind.BREACH_RECORDED,
        actor=by,
        summary=f"{what}, {_short(occurred_on)}",
    )
    return breach


@transaction.atomic
def breach_remove(*, case: Case, by: User, breach: Breach) -> None:
    if breach.case_id != case.pk:
        raise ValidationError(_("This breach belongs to another case."))
    attribute(breach, by)
    breach.delete()


# --- a restraining order lifted early ---


@transaction.atomic
def measure_lift(
    *,
    measure: Measure,
    by: User,
    lifted_on: datetime.date,
    lifted_by: Organisation,
    reason: str,
    expected_version: int | None = None,
) -> Measure:
    """End a restraining order before its planned end. ``ends_on`` keeps the planned end;
    the order is in force up to and including ``lifted_on``."""
    current = locked_for_update(measure, expected_version)
    if current.kind != MeasureKind.RESTRAINING_ORDER:
        raise ValidationError(_("Only a temporary restraining order can be lifted early here."))
    if current.lifted_on is not None:
        raise ValidationError(_("This restraining order has already been lifted."))
    check_date(lifted_on, DateKind.HAPPENED, field="lifted_on")
    check_decider(lifted_by, field="lifted_by")
    reason = _check_text("reason", reason)
    assert current.ends_on is not None  # a restraining order always has an end
    if lifted_on < current.starts_on:
        raise ValidationError({"lifted_on": _("An order cannot be lifted before it started.")})
    if lifted_on >= current.ends_on:
        raise ValidationError(
            {
                "lifted_on": _("Lifted early means before the planned end (%(date)s).")
                % {"date": _short(current.ends_on)}
            }
        )
    if current.breaches.filter(occurred_on__gt=lifted_on).exists():
        raise ValidationError(
            {"lifted_on": _("A breach of this order is recorded after that day.")}
        )
    current.lifted_on = lifted_on
    current.lifted_by = lifted_by
    current.lift_reason = reason
    save_versioned(current, by)
    record_event(
        case=current.case,
        kind=EventKind.MEASURE_LIFTED,
        actor=by,
        summary=f"{_short(lifted_on)} ({lifted_by.name})",
    )
    return current
