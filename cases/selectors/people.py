"""Reads for the client system. Every one starts from ``access.policy.restrict``."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from access.policy import HIDDEN, restrict, shown_fields
from accounts.models import User

from ..models import Case, CaseParty, Person
from ..services.people import make_name_key, normalise_name


@dataclass(frozen=True)
class Shown:
    """A value as an output shows it: the value, or ``hidden`` (then a fixed word, no value)."""

    value: Any
    hidden: bool = False


@dataclass
class ShownParty:
    """A person's involvement in a case as a page shows it: the confidential fields of
    ``access.policy`` already decided for the reader (templates decide nothing)."""

    party: CaseParty
    address: Shown
    address_confidential: bool
    safe_contact: Shown

    @property
    def person(self) -> Person:
        return self.party.person


def shown_party(party: CaseParty, *, may_see: bool) -> ShownParty:
    """``party`` with its situation as ``access.policy`` lets this reader see it."""
    shown = shown_fields(party, may_see=may_see)

    def one(name: str) -> Shown:
        value = shown[name]
        return Shown(None, hidden=True) if value is HIDDEN else Shown(value)

    return ShownParty(
        party=party,
        address=one("address"),
        address_confidential=party.address_confidential,
        safe_contact=one("safe_contact"),
    )


@dataclass
class DuplicateCandidate:
    person: Person
    # Only the cases the user may see: others must not even be hinted at.
    cases: list[Case] = field(default_factory=list)
    in_this_case: bool = False


def _is_probably_same(
    person: Person, name_key: str, last_name: str, date_of_birth: datetime.date | None
) -> bool:
    if person.name_key == name_key and (
        date_of_birth is None
        or person.date_of_birth is None
        or person.date_of_birth == date_of_birth
    ):
        return True
    return (
        date_of_birth is not None
        and person.date_of_birth == date_of_birth
        and normalise_name(person.last_name) == last_name
    )


def probable_duplicates(
    *,
    user: User,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    case: Case | None = None,
) -> list[DuplicateCandidate]:
    """People the user may see who are probably this person, with the cases the user may see.

    Same name key and the same date of birth (or either date unknown), or the same date of
    birth and the same last name. Never a person who is only in cases out of the user's scope.
    """
    name_key = make_name_key(first_name=first_name, last_name=last_name)
    wanted = Q(name_key=name_key)
    if date_of_birth is not None:
        # Same-birthday people are few; their last names are compared below.
        wanted |= Q(date_of_birth=date_of_birth)
    last = normalise_name(last_name)
    people = [
        p
        for p in restrict(Person.objects.filter(wanted), user)
        if _is_probably_same(p, name_key, last, date_of_birth)
    ]
    if not people:
        return []
    cases_of: dict[int, list[Case]] = defaultdict(list)
    involvements = (
        restrict(CaseParty.objects.filter(person__in=people), user)
        .select_related("case")
        .order_by("-case__opened_on", "-case_id")
    )
    for party in involvements:
        cases_of[party.person_id].append(party.case)
    return [
        DuplicateCandidate(
            person=p,
            cases=cases_of[p.pk],
            in_this_case=case is not None and any(c.pk == case.pk for c in cases_of[p.pk]),
        )
        for p in people
    ]


def case_parties(*, case: Case, user: User) -> QuerySet[CaseParty]:
    """The people of one case the user may see, with their person loaded."""
    return restrict(CaseParty.objects.filter(case=case), user).select_related("person")
