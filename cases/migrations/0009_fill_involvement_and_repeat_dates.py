"""Fill ``CaseParty.involved_since`` and ``Case.repeat_since`` for the rows that exist.

Involvement. A person added on the day their case was created came in with the registration:
their involvement began when the case did, on its opening date (which may be earlier than the
day it was registered in the system). Anyone added later began on the day they were added,
never before the case's opening: ``max(added_on, opened_on)``. The history rows of people in a
case get the same rule, with the case's dates taken from its latest history row when the case
itself is gone, and ``added_on`` when nothing is known.

Repeats. A case that is a repeat (``repeat_of``) became one on the earliest day on which a
victim and a perpetrator it shares with an earlier case inside the window
(FJC_REPEAT_WINDOW_MONTHS calendar months before its opening) were involved in both cases:
the later of the four involvement dates and the case's opening, the earliest such day over
every earlier case and pair (see cases.services.people.refresh_repeats). The rule is copied
here with the models as they are at this migration, so later code changes cannot break it.

Only empty values are filled, so a second run changes nothing and nothing a case director
entered is overwritten. Filling a new column is not a change of the case: no version bump,
no history row, no timeline line. Backwards it does nothing (0008 drops the columns).
"""

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from common.dates import add_months

VICTIM, PERPETRATOR = "victim", "perpetrator"


def _involved_since(
    added_on: datetime.date, opened_on: datetime.date | None, created_on: datetime.date | None
) -> datetime.date:
    if opened_on is None:
        return added_on
    if created_on is not None and added_on <= created_on:
        return opened_on  # came in with the registration
    return max(added_on, opened_on)


def _case_dates(apps: Any) -> dict[int, tuple[datetime.date, datetime.date | None]]:
    """case id -> (opened on, local day it was created), for existing and deleted cases."""
    Case = apps.get_model("cases", "Case")
    HistoricalCase = apps.get_model("cases", "HistoricalCase")
    dates: dict[int, tuple[datetime.date, datetime.date | None]] = {}
    # Oldest first, so the latest history row of a deleted case wins; existing cases last.
    history = HistoricalCase.objects.order_by("history_date", "history_id")
    for pk, opened_on, created_at in history.values_list("id", "opened_on", "created_at"):
        dates[pk] = (opened_on, _local_day(created_at))
    for pk, opened_on, created_at in Case.objects.values_list("pk", "opened_on", "created_at"):
        dates[pk] = (opened_on, _local_day(created_at))
    return dates


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def fill_involvement_dates(apps: Any, schema_editor: Any = None) -> int:
    """Fill the empty ``involved_since`` of people in cases and their history rows.

    Returns how many rows (current and history) were filled.
    """
    CaseParty = apps.get_model("cases", "CaseParty")
    HistoricalCaseParty = apps.get_model("cases", "HistoricalCaseParty")
    dates = _case_dates(apps)
    filled = 0
    for model, key in ((CaseParty, "pk"), (HistoricalCaseParty, "history_id")):
        by_day: dict[datetime.date, list[int]] = defaultdict(list)
        rows = model.objects.filter(involved_since__isnull=True)
        for pk, case_id, added_on in rows.values_list(key, "case_id", "added_on").iterator():
            opened_on, created_on = dates.get(case_id, (None, None))
            by_day[_involved_since(added_on, opened_on, created_on)].append(pk)
        for day, pks in by_day.items():
            filled += model.objects.filter(**{f"{key}__in": pks}).update(involved_since=day)
    return filled


def _window_start(opened_on: datetime.date, months: int) -> datetime.date:
    # As cases.services.people.repeat_window_start: earlier + N months >= opened_on.
    start = add_months(opened_on, -months)
    if add_months(start, months) < opened_on:
        start += datetime.timedelta(days=1)
    return start


def _shared_since(
    mine: dict[Any, datetime.date], theirs: dict[Any, datetime.date]
) -> datetime.date | None:
    """The earliest day someone matching in both cases was involved in both."""
    days = [max(day, theirs[token]) for token, day in mine.items() if token in theirs]
    return min(days) if days else None


def _pair_rows(CaseParty: Any) -> Any:  # noqa: N803 (a model class)
    """(case, "victim" or "perpetrator", person, name key, date of birth, involved since) of
    every victim and perpetrator: from the one ``role`` of the models of this migration's time,
    or from the roles in the violence of the models since cases/0030 (the tests run this
    function on today's models); someone who is both yields a row for each."""
    fields = (
        "case_id",
        "person_id",
        "person__name_key",
        "person__date_of_birth",
        "involved_since",
    )
    if any(field.name == "role" for field in CaseParty._meta.get_fields()):
        rows = CaseParty.objects.filter(role__in=(VICTIM, PERPETRATOR)).values_list("role", *fields)
        for role, case_id, *rest in rows.iterator():
            yield (case_id, role, *rest)
        return
    for role, flag in ((VICTIM, "is_victim"), (PERPETRATOR, "is_perpetrator")):
        for case_id, *rest in CaseParty.objects.filter(**{flag: True}).values_list(*fields):
            yield (case_id, role, *rest)


def expected_repeat_dates(apps: Any) -> dict[int, datetime.date | None]:
    """Every repeat's ``repeat_since`` under the rule, from two queries (cases not repeats: None)."""
    Case = apps.get_model("cases", "Case")
    CaseParty = apps.get_model("cases", "CaseParty")
    months = settings.FJC_REPEAT_WINDOW_MONTHS
    # (case, role) -> token -> the earliest involvement of someone matching that token; a
    # person matches by their row, or by name key and known date of birth.
    since: dict[tuple[int, str], dict[Any, datetime.date]] = defaultdict(dict)
    for case_id, role, person_id, name_key, date_of_birth, day in _pair_rows(CaseParty):
        tokens = [("row", person_id)]
        if date_of_birth is not None:
            tokens.append(("key", name_key, date_of_birth))
        for token in tokens:
            known = since[case_id, role].get(token)
            since[case_id, role][token] = day if known is None else min(known, day)
    cases = {
        pk: (opened_on, repeat_of)
        for pk, opened_on, repeat_of in Case.objects.values_list("pk", "opened_on", "repeat_of")
    }
    with_pair = {case_id for case_id, _role in since}
    result: dict[int, datetime.date | None] = dict.fromkeys(cases)
    for case_id, (day, repeat_of) in cases.items():
        if repeat_of is None or case_id not in with_pair:
            continue
        start = _window_start(day, months)
        found = []
        for other in with_pair - {case_id}:
            other_day = cases[other][0]
            if not (start <= other_day <= day and (other_day, other) < (day, case_id)):
                continue
            victims = _shared_since(since[case_id, VICTIM], since[other, VICTIM])
            perpetrators = _shared_since(since[case_id, PERPETRATOR], since[other, PERPETRATOR])
            if victims is not None and perpetrators is not None:
                found.append(max(day, victims, perpetrators))
        result[case_id] = min(found) if found else None
    return result


def fill_repeat_dates(apps: Any, schema_editor: Any = None) -> int:
    """Fill the empty ``repeat_since`` of the repeats; returns how many cases were filled."""
    Case = apps.get_model("cases", "Case")
    expected = expected_repeat_dates(apps)
    empty = Case.objects.filter(repeat_of__isnull=False, repeat_since__isnull=True)
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for pk in empty.values_list("pk", flat=True):
        day = expected[pk]
        if day is not None:
            by_day[day].append(pk)
    return sum(
        Case.objects.filter(pk__in=pks).update(repeat_since=day) for day, pks in by_day.items()
    )


def fill(apps: Any, schema_editor: Any = None) -> None:
    fill_involvement_dates(apps, schema_editor)
    fill_repeat_dates(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_involvement_and_repeat_dates"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
