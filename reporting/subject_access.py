"""The data-subject access report (GDPR art. 15; CJEU C-579/21): which organisations and
users read or changed one person's data, when and for what purpose.

The selector gathers every audit row about the person: rows on the person and on each of their
places in a case (``CaseParty``), and rows on the cases they were in while they were in them
(a case page shows its people), including case lists that listed those cases. The cases come
from the parties' history, so a case the person was later taken out of still counts, for the
time they were in it. Denials are left out: they read nothing.

The report names the person asked about and no one else: its rows are audit rows (ids, staff
names, organisations, pages, purposes) and case references, never another party's name.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from cases.models import Case, CaseParty, Person
from cases.services.people import normalise_name
from common.pdf import render_pdf

PURPOSE = "data-subject access report"
SEARCH_PURPOSE = "data-subject search"
LISTING = (AuditAction.LIST, AuditAction.EXPORT)


@dataclass(frozen=True)
class Involvement:
    case_id: int
    party_ids: frozenset[int]
    start: datetime.datetime
    end: datetime.datetime | None  # None: still in the case


def involvements(person: Person) -> list[Involvement]:
    """The person's places in cases, past and present, from the parties' history (1 query)."""
    rows = (
        CaseParty.history.filter(person_id=person.pk)  # type: ignore[attr-defined]
        .order_by("history_date", "history_id")
        .values_list("case_id", "id", "history_type", "history_date")
    )
    by_case: dict[int, dict[str, Any]] = {}
    for case_id, party_id, kind, at in rows:
        entry = by_case.setdefault(case_id, {"parties": set(), "start": at, "end": None})
        entry["parties"].add(party_id)
        # A removal ends the stay; a later addition (re-added) starts it again.
        entry["end"] = at if kind == "-" else None
    return [
        Involvement(
            case_id=case_id,
            party_ids=frozenset(entry["parties"]),
            start=entry["start"],
            end=entry["end"],
        )
        for case_id, entry in by_case.items()
    ]


def _during(stay: Involvement) -> Q:
    period = Q(at__gte=stay.start)
    return period & Q(at__lte=stay.end) if stay.end is not None else period


def subject_access_events(
    *, person: Person, case_ids: Collection[int] | None = None
) -> tuple[list[Involvement], QuerySet[AuditEvent]]:
    """The audit rows about ``person``, oldest first. ``case_ids``: only these cases (what a
    case director may see); the rows on the person themselves, outside any case, then stay out
    too (they could tell of a case the requester may not see). None: everything (the auditor).
    """
    stays = [s for s in involvements(person) if case_ids is None or s.case_id in case_ids]
    about = Q(pk__in=[])
    if case_ids is None:
        about |= Q(object_type="cases.person", object_id=str(person.pk))
    party_ids = [str(pk) for stay in stays for pk in stay.party_ids]
    if party_ids:
        about |= Q(object_type="cases.caseparty", object_id__in=party_ids)
    for stay in stays:
        about |= _during(stay) & (
            Q(case_id=stay.case_id)
            | Q(
                object_type="cases.case",
                action__in=LISTING,
                detail__ids__contains=[str(stay.case_id)],
            )
        )
    events = (
        AuditEvent.objects.filter(about)
        .exclude(action=AuditAction.DENIED)
        .select_related("organisation", "user")
        .order_by("at", "id")
    )
    return stays, events


def find_people(
    *, last_name: str, first_name: str = "", date_of_birth: datetime.date | None = None
) -> QuerySet[Person]:
    """People by name (accents and case ignored) and, when given, date of birth."""
    people = Person.objects.filter(name_key__startswith=normalise_name(last_name))
    if first_name:
        people = people.filter(name_key__contains=f" {normalise_name(first_name)}")
    if date_of_birth is not None:
        people = people.filter(date_of_birth=date_of_birth)
    return people.order_by("last_name", "first_name", "pk")[:50]


@dataclass(frozen=True)
class ReportLine:
    event: AuditEvent
    case_reference: str


def report_html(*, person: Person, case_ids: Collection[int] | None, requested_by: object) -> str:
    stays, events = subject_access_events(person=person, case_ids=case_ids)
    references = dict(
        Case.objects.filter(pk__in=[s.case_id for s in stays]).values_list("pk", "reference")
    )
    lines = [
        ReportLine(event=event, case_reference=references.get(event.case_id or 0, ""))
        for event in events
    ]
    return render_to_string(
        "reporting/audit/subject_access_pdf.html",
        {
            "person": person,
            "lines": lines,
            "cases": [references.get(s.case_id, str(s.case_id)) for s in stays],
            "complete": case_ids is None,
            "requested_by": requested_by,
            "made_at": timezone.localtime(),
        },
    )


def report_pdf(*, person: Person, case_ids: Collection[int] | None, requested_by: object) -> bytes:
    return render_pdf(report_html(person=person, case_ids=case_ids, requested_by=requested_by))
