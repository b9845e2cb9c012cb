"""Fill ``RepeatMatch`` for the cases that exist (issue 13, part 2: hit/no-hit).

A user is now shown a repeat only of an earlier case they may see, so every match of the
repeat rule is kept, not only the most recent one that ``Case.repeat_of`` holds for the
figures. This migration computes them with the rule as it is at this migration (the models
of this state only, so later changes cannot break it): the same victim as victim and the
same perpetrator as perpetrator (by row, or by name key and known date of birth), the
earlier case opened at most FJC_REPEAT_WINDOW_MONTHS calendar months before, and on the same
day registered first. It adds what is missing and removes nothing else; ``Case.repeat_of``,
``repeat_since``, versions and history are not touched (nothing is lost). Running it again
adds nothing; backwards it does nothing (the table goes with the schema migration before it).

Earlier "marked as a repeat" lines keep their rows; they have no ``about_case`` and
access.policy shows such a line to nobody, since which case it was about is not known.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import migrations

from common.dates import add_months

VICTIM, PERPETRATOR = "victim", "perpetrator"


def _window_start(opened_on: datetime.date, months: int) -> datetime.date:
    # As cases.services.people.repeat_window_start: earlier + N months >= opened_on.
    start = add_months(opened_on, -months)
    if add_months(start, months) < opened_on:
        start += datetime.timedelta(days=1)
    return start


def _pair_rows(CaseParty: Any) -> Any:  # noqa: N803 (a model class)
    """(case, "victim" or "perpetrator", person, name key, date of birth) of every victim and
    perpetrator: from the one ``role`` of the models of this migration's time, or from the roles
    in the violence of the models since cases/0030 (the tests run this function on today's
    models); someone who is both yields a row for each."""
    fields = ("case_id", "person_id", "person__name_key", "person__date_of_birth")
    if any(field.name == "role" for field in CaseParty._meta.get_fields()):
        rows = CaseParty.objects.filter(role__in=(VICTIM, PERPETRATOR)).values_list("role", *fields)
        for role, case_id, *rest in rows.iterator():
            yield (case_id, role, *rest)
        return
    for role, flag in ((VICTIM, "is_victim"), (PERPETRATOR, "is_perpetrator")):
        for case_id, *rest in CaseParty.objects.filter(**{flag: True}).values_list(*fields):
            yield (case_id, role, *rest)


def expected_matches(apps: Any) -> set[tuple[int, int]]:
    """Every (later, earlier) pair of the repeat rule, computed in memory from two queries."""
    Case = apps.get_model("cases", "Case")
    CaseParty = apps.get_model("cases", "CaseParty")
    months = settings.FJC_REPEAT_WINDOW_MONTHS
    tokens: dict[tuple[int, str], set[Any]] = defaultdict(set)
    for case_id, role, person_id, name_key, date_of_birth in _pair_rows(CaseParty):
        tokens[case_id, role].add(("row", person_id))
        if date_of_birth is not None:
            tokens[case_id, role].add(("key", name_key, date_of_birth))
    cases_with: dict[tuple[str, Any], set[int]] = defaultdict(set)
    for (case_id, role), found in tokens.items():
        for token in found:
            cases_with[role, token].add(case_id)
    opened = dict(Case.objects.values_list("pk", "opened_on"))
    matches = set()
    for case_id in {c for c, _role in tokens}:
        with_victim = set().union(*(cases_with[VICTIM, t] for t in tokens[case_id, VICTIM]))
        with_perpetrator = set().union(
            *(cases_with[PERPETRATOR, t] for t in tokens[case_id, PERPETRATOR])
        )
        day = opened[case_id]
        start = _window_start(day, months)
        for other in (with_victim & with_perpetrator) - {case_id}:
            if start <= opened[other] <= day and (opened[other], other) < (day, case_id):
                matches.add((case_id, other))
    return matches


def fill_repeat_matches(apps: Any, schema_editor: Any = None) -> int:
    """Add the missing matches; returns how many were added."""
    RepeatMatch = apps.get_model("cases", "RepeatMatch")
    known = set(RepeatMatch.objects.values_list("later_id", "earlier_id"))
    missing = sorted(expected_matches(apps) - known)
    RepeatMatch.objects.bulk_create(
        RepeatMatch(later_id=later, earlier_id=earlier) for later, earlier in missing
    )
    return len(missing)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_hit_notices_and_repeat_matches"),
    ]

    operations = [
        migrations.RunPython(fill_repeat_matches, migrations.RunPython.noop, elidable=True),
    ]
