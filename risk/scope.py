"""Whom a risk instrument is made for (issue 18, part 4), and whether a use is outside it.

An instrument declares the relationship contexts and the ages of the people assessed it is
made for (``Instrument.scope_*``, from its file's "scope"). A use is outside the scope when
what is recorded says so: the case has relationship contexts and none is one of the
instrument's, or a person assessed has an age (from the date of birth on the assessment day,
else from the age band) outside the instrument's ages. What is not recorded does not count
against the use. Outside the scope the assessor gives a reason (risk.services), which the
assessment keeps and shows.
"""

import datetime
from collections.abc import Iterable

from django.utils.translation import gettext as _

from cases.models import AgeBand, Case, CaseParty, RelationshipContext
from cases.services.people import age_on

from .models import Instrument

# The ages an age band stands for (both ends included; None: no upper end).
BAND_AGES: dict[str, tuple[int, int | None]] = {
    AgeBand.UNDER_6: (0, 5),
    AgeBand.AGE_6_11: (6, 11),
    AgeBand.AGE_12_17: (12, 17),
    AgeBand.AGE_18_24: (18, 24),
    AgeBand.AGE_25_44: (25, 44),
    AgeBand.AGE_45_64: (45, 64),
    AgeBand.AGE_65_PLUS: (65, None),
}


def has_scope(instrument: Instrument) -> bool:
    return bool(
        instrument.scope_contexts
        or instrument.scope_min_age is not None
        or instrument.scope_max_age is not None
    )


def scope_text(instrument: Instrument) -> str:
    """What the instrument is made for, in words ("" when it declares nothing)."""
    parts = []
    if instrument.scope_contexts:
        names = {c.code: str(c) for c in RelationshipContext.objects.all()}
        parts.append(", ".join(names.get(code, code) for code in instrument.scope_contexts))
    low, high = instrument.scope_min_age, instrument.scope_max_age
    if low is not None and high is not None:
        parts.append(_("people aged %(min)s to %(max)s") % {"min": low, "max": high})
    elif low is not None:
        parts.append(_("people aged %(min)s or older") % {"min": low})
    elif high is not None:
        parts.append(_("people aged %(max)s or younger") % {"max": high})
    return "; ".join(parts)


def _ages(party: CaseParty, on: datetime.date) -> tuple[int, int | None] | None:
    person = party.person
    if person.date_of_birth is not None:
        age = age_on(person.date_of_birth, on)
        return age, age
    return BAND_AGES.get(person.age_band)


def scope_problems(
    *, instrument: Instrument, case: Case, parties: Iterable[CaseParty], on: datetime.date
) -> list[str]:
    """Why this use is outside the instrument's scope (empty: within it, or unknown)."""
    problems: list[str] = []
    if instrument.scope_contexts:
        recorded = list(case.relationship_contexts.all())
        if recorded and not {c.code for c in recorded} & set(instrument.scope_contexts):
            problems.append(
                _("The case's relationship context (%(case)s) is not one it is made for.")
                % {"case": ", ".join(str(c) for c in recorded)}
            )
    low, high = instrument.scope_min_age, instrument.scope_max_age
    if low is None and high is None:
        return problems
    for party in parties:
        ages = _ages(party, on)
        if ages is None:
            continue
        youngest, oldest = ages
        too_young = low is not None and oldest is not None and oldest < low
        too_old = high is not None and youngest > high
        if too_young or too_old:
            problems.append(
                _("%(person)s is outside the ages it is made for.") % {"person": party.person}
            )
    return problems
