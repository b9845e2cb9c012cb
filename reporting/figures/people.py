"""People in the client systems of the new cases: by role, gender and age band; minors apart."""

import datetime

from django.db.models import Case as When_
from django.db.models import CharField, Count, F, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from access.policy import unrestricted_for_aggregates
from cases.models import AgeBand, CaseParty, Gender, PartyRole, Person

from .base import Table
from .common import anonymous_rule, counts_table, new_cases
from .period import Period

# (lowest age of the band, band), youngest first; the 65+ band has no upper limit.
_BAND_STARTS = (
    (6, AgeBand.UNDER_6),
    (12, AgeBand.AGE_6_11),
    (18, AgeBand.AGE_12_17),
    (25, AgeBand.AGE_18_24),
    (45, AgeBand.AGE_25_44),
    (65, AgeBand.AGE_45_64),
)
MINOR_BANDS = (AgeBand.UNDER_6, AgeBand.AGE_6_11, AgeBand.AGE_12_17)


def _born_on_or_before(day: datetime.date, years: int) -> datetime.date:
    """Whoever was born on or before this date is at least ``years`` old on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: the birthday falls on 28 February that year
        return day.replace(year=day.year - years, day=28)


def age_band_on(day: datetime.date, prefix: str = "") -> When_:
    """The age band on ``day`` from the date of birth; without one, the band as entered.

    Computed by comparing dates, not with a database's age function, so it runs anywhere.
    """
    dob = f"{prefix}date_of_birth"
    whens = [
        When(**{f"{dob}__gt": _born_on_or_before(day, start)}, then=Value(band.value))
        for start, band in _BAND_STARTS
    ]
    return When_(
        When(**{f"{dob}__isnull": True}, then=F(f"{prefix}age_band")),
        *whens,
        default=Value(AgeBand.AGE_65_PLUS.value),
        output_field=CharField(),
    )


def _people(period: Period) -> QuerySet[Person]:
    parties = (
        unrestricted_for_aggregates(CaseParty.objects.all())
        .filter(case__in=new_cases(period))
        .values("person_id")
    )
    return unrestricted_for_aggregates(Person.objects.all()).filter(pk__in=parties)


NOTE = gettext_noop(
    "People in the client system of the cases registered in the period, each person once "
    "(also when they are in several of those cases). Age on the last day of the period, "
    "from the date of birth; without one, the age band as entered."
)


def people_by_role(period: Period) -> Table:
    counts = dict(
        unrestricted_for_aggregates(CaseParty.objects.all())
        .filter(case__in=new_cases(period))
        .values("role")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("role", "n")
    )
    return counts_table(
        key="people_by_role",
        title=_("People by role in the client system"),
        label=_("Role"),
        choices=PartyRole.choices,
        counts=counts,
        count_label=_("People"),
        total=False,
        note=" ".join(
            [
                _(NOTE),
                _("Someone with different roles in different cases counts once per role."),
                anonymous_rule(),
            ]
        ),
    )


def people_by_gender(period: Period) -> Table:
    counts = dict(
        _people(period).values("gender").annotate(n=Count("id")).values_list("gender", "n")
    )
    return counts_table(
        key="people_by_gender",
        title=_("People by gender"),
        label=_("Gender"),
        choices=Gender.choices,
        counts=counts,
        count_label=_("People"),
        note=_(NOTE),
    )


def _age_counts(period: Period) -> dict[str, int]:
    return dict(
        _people(period)
        .annotate(band=age_band_on(period.end))
        .values("band")
        .annotate(n=Count("id"))
        .values_list("band", "n")
    )


def people_by_age(period: Period, counts: dict[str, int] | None = None) -> Table:
    counts = _age_counts(period) if counts is None else counts
    return counts_table(
        key="people_by_age",
        title=_("People by age band"),
        label=_("Age band"),
        choices=AgeBand.choices,
        counts=counts,
        count_label=_("People"),
        note=_(NOTE),
    )


def minors_by_role(period: Period, age_counts: dict[str, int] | None = None) -> Table:
    age_counts = _age_counts(period) if age_counts is None else age_counts
    minors = [band.value for band in MINOR_BANDS]
    counts = dict(
        unrestricted_for_aggregates(CaseParty.objects.all())
        .filter(case__in=new_cases(period))
        .annotate(band=age_band_on(period.end, prefix="person__"))
        .filter(band__in=minors)
        .values("role")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("role", "n")
    )
    return counts_table(
        key="minors_by_role",
        title=_("Children and young people (under 18) by role"),
        label=_("Role"),
        choices=PartyRole.choices,
        counts=counts,
        count_label=_("Minors"),
        total=False,
        extra=[
            (
                "total",
                _("Minors in all (each person once)"),
                sum(age_counts.get(b, 0) for b in minors),
            )
        ],
        note=" ".join(
            [
                _(NOTE),
                _("Someone with different roles in different cases counts once per role."),
            ]
        ),
    )


def people_tables(period: Period) -> list[Table]:
    age_counts = _age_counts(period)
    return [
        people_by_role(period),
        people_by_gender(period),
        people_by_age(period, age_counts),
        minors_by_role(period, age_counts),
    ]
