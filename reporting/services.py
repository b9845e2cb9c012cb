"""Writes for funding: the year's amounts, its staffing and the municipalities' inhabitants."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.dates import MAX_FTE, MAX_POPULATION, check_number, check_year
from common.history import attribute
from common.versioning import locked_for_update
from partners.models import Municipality, MunicipalityPopulation

from .models import Funder, FundingYear, StaffingLine, StaffRole

# The annual report runs (issue 7) live in reports.py; their write is offered here too.
from .reports import report_ask as report_ask
from .reports import report_request as report_request
from .runs import expire_stale_runs as expire_stale_runs


@dataclass(frozen=True)
class StaffingInput:
    funder: str
    role: str
    fte: Decimal


# The amount columns of FundingYear: DecimalField(max_digits=12, decimal_places=2).
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")

# The first years the columns' validators allow (MunicipalityPopulation, FundingYear).
POPULATION_EARLIEST_YEAR = 1990
FUNDING_EARLIEST_YEAR = 2000

# The form's "not a number" message is this one too, so both doors say the same.
AMOUNT_NOT_A_NUMBER = gettext_lazy("Enter the amount as a number, e.g. 275000.00.")


def validate_amount(value: Decimal) -> None:
    """An amount in euro the column can hold exactly: a finite number, not negative, in
    cents at most (0.015 is refused, never rounded) and at most ``MAX_AMOUNT``. Used by the
    services and, as a validator, by the forms: one rule and one message for both."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(AMOUNT_NOT_A_NUMBER, code="invalid")
    if value < 0:
        raise ValidationError(_("An amount cannot be negative."), code="min_value")
    if value > MAX_AMOUNT:
        raise ValidationError(
            _("An amount is at most %(max)s euro.")
            % {"max": number_format(MAX_AMOUNT, use_l10n=True, force_grouping=True)},
            code="max_value",
        )
    if value != value.quantize(CENT):
        raise ValidationError(
            _("An amount has at most two decimals (cents)."), code="decimal_places"
        )


def _check_amount(field: str, value: Decimal) -> None:
    try:
        validate_amount(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


@transaction.atomic
def funding_year_create(
    *,
    by: User,
    year: int,
    flemish_amount: Decimal = Decimal("0.00"),
    local_amount: Decimal = Decimal("0.00"),
    notes: str = "",
) -> FundingYear:
    check_year(year, field="year", earliest=FUNDING_EARLIEST_YEAR)
    if FundingYear.objects.filter(year=year).exists():
        raise ValidationError({"year": _("This year already has its funding.")})
    _check_amount("flemish_amount", flemish_amount)
    _check_amount("local_amount", local_amount)
    funding = FundingYear(
        year=year,
        flemish_amount=flemish_amount,
        local_amount=local_amount,
        notes=notes.strip(),
        created_by=by,
        updated_by=by,
    )
    attribute(funding, by)
    funding.save()
    return funding


def _check_staffing(lines: Iterable[StaffingInput]) -> list[StaffingInput]:
    checked = list(lines)
    for line in checked:
        if line.funder not in Funder.values or line.role not in StaffRole.values:
            raise ValidationError(_("Choose a funder and a role for every staffing line."))
        if line.fte <= 0:
            raise ValidationError(_("FTE must be more than zero."))
        check_number(line.fte, field="staffing", maximum=MAX_FTE)
    return checked


def _check_inhabitants(inhabitants: Mapping[Municipality, int | None]) -> None:
    for municipality, count in inhabitants.items():
        if count is not None and count < 0:
            raise ValidationError(
                _("The inhabitants of %(name)s cannot be negative.") % {"name": municipality.name}
            )
        if count is not None and count > MAX_POPULATION:
            raise ValidationError(
                _("The inhabitants of %(name)s are implausibly many; at most %(max)d.")
                % {"name": municipality.name, "max": MAX_POPULATION}
            )


def population_set_for_year(
    *, by: User, year: int, inhabitants: Mapping[Municipality, int | None], source: str = ""
) -> None:
    """Write the inhabitants of each municipality for ``year``; None leaves a figure as it is."""
    check_year(year, field="year", earliest=POPULATION_EARLIEST_YEAR)
    _check_inhabitants(inhabitants)
    existing = {
        p.municipality_id: p
        for p in MunicipalityPopulation.objects.select_for_update().filter(
            year=year, municipality__in=list(inhabitants)
        )
    }
    for municipality, count in inhabitants.items():
        if count is None:
            continue
        row = existing.get(municipality.pk)
        if row is None:
            MunicipalityPopulation.objects.create(
                municipality=municipality, year=year, inhabitants=count, source=source
            )
        elif row.inhabitants != count:
            row.inhabitants = count
            if source:
                row.source = source
            row.save(update_fields=["inhabitants", "source"])


@transaction.atomic
def funding_year_update(
    *,
    funding: FundingYear,
    by: User,
    expected_version: int | None,
    flemish_amount: Decimal,
    local_amount: Decimal,
    notes: str = "",
    staffing: Iterable[StaffingInput] | None = None,
    inhabitants: Mapping[Municipality, int | None] | None = None,
) -> FundingYear:
    """Save the year's amounts, replace its staffing lines and write the inhabitants.

    All or nothing: a broken rule anywhere leaves the year, its staffing and the
    population figures as they were.
    """
    current = locked_for_update(funding, expected_version)
    _check_amount("flemish_amount", flemish_amount)
    _check_amount("local_amount", local_amount)
    lines = _check_staffing(staffing) if staffing is not None else None
    if inhabitants is not None:
        population_set_for_year(by=by, year=current.year, inhabitants=inhabitants)
    current.flemish_amount = flemish_amount
    current.local_amount = local_amount
    current.notes = notes.strip()
    current.updated_by = by
    current.version += 1
    attribute(current, by)
    current.save()
    if lines is not None:
        for old in current.staffing_lines.all():
            attribute(old, by)
            old.delete()
        for line in lines:
            new = StaffingLine(
                funding_year=current, funder=line.funder, role=line.role, fte=line.fte
            )
            attribute(new, by)
            new.save()
    return current
