"""Track 3 (chain approach): the judicial trajectory and the care trajectory of a case.

Rules broken raise a ``ValidationError`` keyed by the parameter's name, so a form can show
the message next to the field it is about.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from common.dates import DateKind, check_date
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation, PoliceZone

from ..models import (
    Case,
    CasePartner,
    EventKind,
    Hearing,
    Measure,
    MeasureExtension,
    MeasureKind,
    PoliceReport,
)
from .events import record_event
from .judicial import check_decider


def _check_past_date(field: str, day: datetime.date) -> None:
    """A date that already happened: the shared rule (not in the future, not before the
    service existed: 0202 for 2022 is a typing error, not a real PV or measure)."""
    check_date(day, DateKind.HAPPENED, field=field)


def _check_required(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _check_case_has_trajectory(case: Case) -> None:
    # An anonymous consult holds no personal data; a PV number or a measure would identify someone.
    if case.is_anonymous_consult:
        raise ValidationError(_("An anonymous consult has no judicial or care trajectory."))


def _short(day: datetime.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else "…"


# --- judicial trajectory: police reports ---


@transaction.atomic
def police_report_add(
    *,
    case: Case,
    by: User,
    number: str,
    drawn_up_on: datetime.date,
    police_zone: PoliceZone | None = None,
) -> PoliceReport:
    _check_case_has_trajectory(case)
    number = _check_required("number", number)
    _check_past_date("drawn_up_on", drawn_up_on)
    duplicate = ValidationError({"number": _("This PV number is already recorded for this case.")})
    if PoliceReport.objects.filter(case=case, number__iexact=number).exists():
        raise duplicate
    report = PoliceReport(
        case=case, number=number, drawn_up_on=drawn_up_on, police_zone=police_zone
    )
    attribute(report, by)
    try:
        # The constraint decides when two people add the same PV at the same moment.
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise duplicate from None
    # A PV number identifies a police file, not a client: it may go on the timeline.
    record_event(case=case, kind=EventKind.POLICE_REPORT_ADDED, actor=by, summary=number)
    return report


@transaction.atomic
def police_report_remove(*, case: Case, by: User, report: PoliceReport) -> None:
    if report.case_id != case.pk:
        raise ValidationError(_("This police report belongs to another case."))
    attribute(report, by)
    report.delete()


# --- judicial and care trajectory: the parket notice number and the alignment ---


@transaction.atomic
def case_update_trajectory_notes(
    *,
    case: Case,
    by: User,
    expected_version: int,
    parket_notice_number: str,
    alignment_notes: str,
) -> Case:
    """The parket's notice number and how the two trajectories are aligned."""
    current = locked_for_update(case, expected_version)
    _check_case_has_trajectory(current)
    current.parket_notice_number = parket_notice_number.strip()
    current.alignment_notes = alignment_notes.strip()
    save_versioned(current, by)
    return current


# --- judicial trajectory: measures ---


def _check_restraining_order_length(starts_on: datetime.date, ends_on: datetime.date) -> None:
    max_days = settings.FJC_RESTRAINING_ORDER_MAX_DAYS
    if (ends_on - starts_on).days > max_days:
        raise ValidationError(
            {
                "ends_on": _(
                    "A temporary restraining order lasts at most %(days)d days from its start."
                )
                % {"days": max_days}
            }
        )


def _check_restraining_order_extension(
    order: Measure, previous_end: datetime.date, new_end: datetime.date
) -> None:
    """The law of 15 May 2012 (art. 5, as amended): the family court may extend the order
    once, by at most three months. Both limits are settings (README), counted from the
    order's original end over all its extensions."""
    extensions = list(order.extensions.order_by("id").values_list("previous_end", flat=True))
    max_count = settings.FJC_RESTRAINING_ORDER_MAX_EXTENSIONS
    if len(extensions) >= max_count:
        raise ValidationError(
            ngettext(
                "A temporary restraining order can be extended only once.",
                "A temporary restraining order can be extended at most %(count)d times.",
                max_count,
            )
            % {"count": max_count}
            if max_count
            else _("A temporary restraining order cannot be extended.")
        )
    original_end = extensions[0] if extensions else previous_end
    max_days = settings.FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS
    if (new_end - original_end).days > max_days:
        raise ValidationError(
            {
                "new_end": _(
                    "The family court extends a restraining order by at most %(days)d days "
                    "beyond its original end (%(date)s)."
                )
                % {"days": max_days, "date": _short(original_end)}
            }
        )


@transaction.atomic
def measure_add(
    *,
    case: Case,
    by: User,
    kind: MeasureKind | str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    decided_by: Organisation | None = None,
    conditions: str = "",
) -> Measure:
    _check_case_has_trajectory(case)
    kind = MeasureKind(kind)
    _check_past_date("starts_on", starts_on)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot be before the start.")})
    check_date(ends_on, DateKind.PLANNED, field="ends_on")
    if kind == MeasureKind.RESTRAINING_ORDER:
        if ends_on is None:
            raise ValidationError(
                {"ends_on": _("A temporary restraining order always has an end date.")}
            )
        _check_restraining_order_length(starts_on, ends_on)
    if decided_by is not None:
        check_decider(decided_by)
    measure = Measure(
        case=case,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        decided_by=decided_by,
        conditions=conditions.strip(),
    )
    attribute(measure, by)
    measure.save()
    record_event(
        case=case,
        kind=EventKind.MEASURE_STARTED,
        actor=by,
        summary=f"{kind.label}, {_short(starts_on)} \N{EN DASH} {_short(ends_on)}",
    )
    return measure


@transaction.atomic
def measure_extend(
    *,
    measure: Measure,
    by: User,
    new_end: datetime.date,
    decided_on: datetime.date,
    decided_by: Organisation | None = None,
    expected_version: int | None = None,
) -> Measure:
    """Extend a measure (a restraining order: by the family court, a limited time each time)."""
    current = locked_for_update(measure, expected_version)
    previous_end = current.ends_on
    if previous_end is None:
        raise ValidationError(_("A measure without an end date cannot be extended."))
    if new_end <= previous_end:
        raise ValidationError({"new_end": _("The new end must be after the current end.")})
    check_date(new_end, DateKind.PLANNED, field="new_end")
    if current.lifted_on is not None:
        raise ValidationError(_("A measure that was lifted cannot be extended."))
    if current.kind == MeasureKind.RESTRAINING_ORDER:
        _check_restraining_order_extension(current, previous_end, new_end)
    _check_past_date("decided_on", decided_on)
    if decided_by is not None:
        check_decider(decided_by)
    if decided_on < current.starts_on:
        raise ValidationError(
            {"decided_on": _("An extension cannot be decided before the measure started.")}
        )
    if decided_on > previous_end:
        # After the end there is nothing left to extend: that is a new measure.
        raise ValidationError(
            {"decided_on": _("An extension must be decided before the measure ends.")}
        )
    extension = MeasureExtension(
        measure=current,
        decided_on=decided_on,
        previous_end=previous_end,
        new_end=new_end,
        decided_by=decided_by,
    )
    attribute(extension, by)
    extension.save()
    current.ends_on = new_end
    save_versioned(current, by)
    record_event(
        case=current.case,
        kind=EventKind.MEASURE_EXTENDED,
        actor=by,
        summary=_("until %(date)s") % {"date": _short(new_end)},
    )
    return current


# --- judicial trajectory: hearings ---


@transaction.atomic
def hearing_add(
    *, case: Case, by: User, held_at: datetime.datetime, court: str, subject: str = ""
) -> Hearing:
    _check_case_has_trajectory(case)
    court = _check_required("court", court)
    check_date(held_at, DateKind.PLANNED, field="held_at")
    hearing = Hearing(case=case, held_at=held_at, court=court, subject=subject.strip())
    attribute(hearing, by)
    hearing.save()
    # The subject may name people; the court and the moment may go on the timeline.
    when = formats.date_format(timezone.localtime(held_at), "SHORT_DATETIME_FORMAT")
    record_event(case=case, kind=EventKind.HEARING_PLANNED, actor=by, summary=f"{court}, {when}")
    return hearing


@transaction.atomic
def hearing_remove(*, case: Case, by: User, hearing: Hearing) -> None:
    if hearing.case_id != case.pk:
        raise ValidationError(_("This hearing belongs to another case."))
    attribute(hearing, by)
    hearing.delete()


# --- care trajectory: partners ---


@transaction.atomic
def partner_add(
    *, case: Case, by: User, organisation: Organisation, role: str, since: datetime.date
) -> CasePartner:
    _check_case_has_trajectory(case)
    if not organisation.is_active:
        raise ValidationError({"organisation": _("This organisation is no longer active.")})
    role = _check_required("role", role)
    _check_past_date("since", since)
    # Serialise additions per case, so two people cannot add the same partner at once.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    # The new entry is open-ended, so any entry still running on ``since`` overlaps it.
    overlapping = CasePartner.objects.filter(case=case, organisation=organisation).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    if overlapping.exists():
        raise ValidationError(
            {
                "organisation": _(
                    "This organisation is already in the care trajectory in that period."
                )
            }
        )
    partner = CasePartner(case=case, organisation=organisation, role=role, since=since)
    attribute(partner, by)
    partner.save()
    record_event(case=case, kind=EventKind.PARTNER_ADDED, actor=by, summary=organisation.name)
    return partner


@transaction.atomic
def partner_end(*, case: Case, by: User, partner: CasePartner, until: datetime.date) -> CasePartner:
    current = (
        CasePartner.objects.select_for_update().select_related("organisation").get(pk=partner.pk)
    )
    if current.case_id != case.pk:
        raise ValidationError(_("This partner belongs to another case."))
    if current.until is not None:
        raise ValidationError(_("This partner has already left the care trajectory."))
    _check_past_date("until", until)
    if until < current.since:
        raise ValidationError(
            {"until": _("The end cannot be before the partner joined the trajectory.")}
        )
    current.until = until
    attribute(current, by)
    current.save()
    record_event(
        case=case, kind=EventKind.PARTNER_ENDED, actor=by, summary=current.organisation.name
    )
    return current
