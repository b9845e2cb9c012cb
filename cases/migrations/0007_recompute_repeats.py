"""Recompute every case's repeat flag with the rule of issue 12 (part 2).

The flag went stale (only the case whose people changed was checked) and the window was
365 days. Now: a case repeats the most recent earlier case with the same victim and
perpetrator opened within FJC_REPEAT_WINDOW_MONTHS calendar months before it (see
cases.services.people.refresh_repeats). This migration applies that rule to the cases that
exist, with the models as they are at this migration, so later schema changes cannot break
it. Only cases whose flag changes are written: their version goes up, simple-history gets a
row (the old value stays in the earlier rows), and a case newly marked gets the usual
"marked as a repeat" line, naming nobody. Running it again changes nothing; backwards it
does nothing (the old values are in the history).
"""

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from common.dates import add_months

REASON = "Repeat rule: re-evaluated, window in calendar months"
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


def expected_repeats(apps: Any) -> dict[int, int | None]:
    """Every case's ``repeat_of`` under the rule, computed in memory from two queries."""
    Case = apps.get_model("cases", "Case")
    CaseParty = apps.get_model("cases", "CaseParty")
    months = settings.FJC_REPEAT_WINDOW_MONTHS
    # A person is matched by their row, or by name key and known date of birth.
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
    result: dict[int, int | None] = dict.fromkeys(opened)
    for case_id in {c for c, _role in tokens}:
        with_victim = set().union(*(cases_with[VICTIM, t] for t in tokens[case_id, VICTIM]))
        with_perpetrator = set().union(
            *(cases_with[PERPETRATOR, t] for t in tokens[case_id, PERPETRATOR])
        )
        day = opened[case_id]
        start = _window_start(day, months)
        # Earlier: opened before, or the same day and registered first; most recent first.
        earlier = [
            (opened[other], other)
            for other in (with_victim & with_perpetrator) - {case_id}
            if start <= opened[other] <= day and (opened[other], other) < (day, case_id)
        ]
        result[case_id] = max(earlier)[1] if earlier else None
    return result


def recompute_repeats(apps: Any, schema_editor: Any = None) -> int:
    """Write the changed flags; returns how many cases changed."""
    Case = apps.get_model("cases", "Case")
    HistoricalCase = apps.get_model("cases", "HistoricalCase")
    HistoricalForms = apps.get_model("cases", "HistoricalCase_violence_forms")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    expected = expected_repeats(apps)
    current = dict(Case.objects.values_list("pk", "repeat_of_id"))
    changed = [pk for pk, repeat_of in expected.items() if current[pk] != repeat_of]
    now = timezone.now()
    history_fields = {f.attname for f in HistoricalCase._meta.concrete_fields}
    copied = [f.attname for f in Case._meta.concrete_fields if f.attname in history_fields]
    for case in Case.objects.select_for_update().filter(pk__in=changed).order_by("pk"):
        was_repeat = case.repeat_of_id is not None
        case.repeat_of_id = expected[case.pk]
        case.version += 1
        Case.objects.filter(pk=case.pk).update(repeat_of_id=case.repeat_of_id, version=case.version)
        record = HistoricalCase.objects.create(
            **{name: getattr(case, name) for name in copied},
            history_date=now,
            history_type="~",
            history_user_id=None,
            history_change_reason=REASON,
        )
        HistoricalForms.objects.bulk_create(
            HistoricalForms(history_id=record.pk, case_id=case.pk, violenceform_id=form_id)
            for form_id in case.violence_forms.values_list("pk", flat=True)
        )
        if case.repeat_of_id is not None and not was_repeat:
            CaseEvent.objects.create(case_id=case.pk, kind="marked_repeat", at=now, actor=None)
    return len(changed)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_referrals"),
    ]

    operations = [
        migrations.RunPython(recompute_repeats, migrations.RunPython.noop, elidable=True),
    ]
