"""Small fictional data sets for the figures tests: cases made with the services, people
and consultation rows made directly (as the other tests do)."""

import datetime
import itertools
from typing import Any

from accounts.roles import RoleCode
from cases.models import CaseParty, ClosingReason, FormOfViolence, Person, RelationshipContext
from cases.services import case_change_track, case_close, case_create
from partners.models import OrganisationKind

from .factories import MunicipalityFactory, PoliceZoneFactory, make_organisation, make_user

D = datetime.date
_numbers = itertools.count(1)

# municipality -> (inhabitants on 1 January 2024, police zone)
REGION = {
    "Mechelen": (86921, "Rivierenland"),
    "Heist-op-den-Berg": (42950, "Heist"),
    "Lier": (36646, "Lier"),
    "Willebroek": (26826, "Rivierenland"),
    "Puurs-Sint-Amands": (26142, "Rivierenland"),
    "Nijlen": (22936, "Berlaar-Nijlen"),
    "Bornem": (21353, "Rivierenland"),
    "Sint-Katelijne-Waver": (21026, "Bodukap"),
    "Putte": (17927, "Bodukap"),
    "Duffel": (17664, "Bodukap"),
    "Bonheiden": (15078, "Bodukap"),
    "Berlaar": (11656, "Berlaar-Nijlen"),
}


def make_region() -> dict[str, Any]:
    return {
        name: MunicipalityFactory(name=name, police_zone=PoliceZoneFactory(name=zone))
        for name, (_inhabitants, zone) in REGION.items()
    }


def make_director(name: str = "director_figures") -> Any:
    organisation = make_organisation(f"Stad {name}", OrganisationKind.CITY)
    return make_user(name, organisation, RoleCode.CASE_DIRECTOR)


def new_case(
    director: Any,
    opened: datetime.date,
    track: int = 1,
    *,
    contexts: tuple[str, ...] = (),
    forms: tuple[str, ...] = (),
    closed: datetime.date | None = None,
    reason: ClosingReason | None = None,
    **extra: Any,
) -> Any:
    case = case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        track=track,
        opened_on=opened,
        relationship_contexts=RelationshipContext.objects.filter(code__in=contexts),
        forms_of_violence=FormOfViolence.objects.filter(code__in=forms),
        **extra,
    )
    if closed is not None:
        close(case, closed, reason)
    return case


def close(case: Any, on: datetime.date, reason: ClosingReason | None = None) -> Any:
    reason = reason or ClosingReason.objects.filter(is_active=True).first()
    return case_close(case=case, by=case.case_director, closing_reason=reason, closed_on=on)


def move(case: Any, to_track: int, on: datetime.date) -> Any:
    return case_change_track(
        case=case, by=case.case_director, to_track=to_track, changed_on=on, reason="Risico"
    )


def person(
    case: Any, role: dict[str, Any], *, since: datetime.date | None = None, **fields: Any
) -> CaseParty:
    """A new person in ``case``, involved since ``since`` (the case's opening by default)."""
    n = next(_numbers)
    someone = Person.objects.create(
        first_name="Test", last_name=f"Persoon{n}", name_key=f"persoon{n} test", **fields
    )
    return CaseParty.objects.create(
        case=case, person=someone, **role, involved_since=since or case.opened_on
    )


def link(
    case: Any, party: CaseParty, role: dict[str, Any], *, since: datetime.date | None = None
) -> CaseParty:
    return CaseParty.objects.create(
        case=case, person=party.person, **role, involved_since=since or case.opened_on
    )


def table(chapters_or_tables: Any, key: str) -> Any:
    for item in chapters_or_tables:
        for t in getattr(item, "tables", [item]):
            if t.key == key:
                return t
    raise AssertionError(f"no table {key}")


def values(t: Any) -> dict[str, Any]:
    """row key -> the row's values without its label columns (language-independent)."""
    keep = [i for i, c in enumerate(t.columns) if not c.is_label]
    rows = {}
    for row_key, row in zip(t.row_keys, t.rows, strict=True):
        picked = [row[i] for i in keep]
        rows[row_key] = picked[0] if len(picked) == 1 else tuple(picked)
    return rows
