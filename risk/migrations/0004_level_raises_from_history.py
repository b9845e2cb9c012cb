"""Every raise of an assessment's level becomes a dated record (issue 12, part 1).

``assessment_raise_level`` used to change ``Assessment.level`` in place, so the level on a
past day was lost to the figures. The history (``HistoricalAssessment``) still holds every
version: each version whose level differs from the version before becomes a ``LevelRaise``
from the earlier level to the new one, dated on the day that version was saved (Brussels
time, never before the assessment's own date), by the user who saved it (else the assessor),
with the note the service appended to the professional judgement as its reason. An
assessment whose current level differs from its last history version (changed without
history) gets a raise for that difference too, dated today. Assessments that already have a
raise are left as they are, so running it again changes nothing; backwards it does nothing
(0003 drops the table).
"""

import re
from collections import defaultdict
from typing import Any

from django.db import migrations
from django.utils import timezone

DATED_NOTE = re.compile(r"^\d{4}-\d{2}-\d{2}: ")


def _reason(before: str, after: str) -> str:
    """The note the raise appended to the judgement (``"<date>: <note>"``), if any."""
    before, after = before or "", after or ""
    if after == before or not after.startswith(before):
        return ""
    return DATED_NOTE.sub("", after[len(before) :].strip(), count=1)


def raises_from_history(apps: Any, schema_editor: Any = None) -> int:
    """Create the raise records; returns how many."""
    Assessment = apps.get_model("risk", "Assessment")
    HistoricalAssessment = apps.get_model("risk", "HistoricalAssessment")
    LevelRaise = apps.get_model("risk", "LevelRaise")
    todo = {
        a.pk: a
        for a in Assessment.objects.filter(raises__isnull=True).only(
            "pk", "level_id", "assessed_on", "assessor_id"
        )
    }
    versions: dict[int, list[Any]] = defaultdict(list)
    for row in HistoricalAssessment.objects.filter(id__in=list(todo)).order_by(
        "history_date", "history_id"
    ):
        versions[row.id].append(row)
    raises = []
    for pk, assessment in todo.items():
        rows = versions.get(pk, [])
        previous = rows[0] if rows else None
        for row in rows[1:]:
            if row.level_id != previous.level_id:
                day = timezone.localtime(row.history_date).date()
                raises.append(
                    LevelRaise(
                        assessment_id=pk,
                        from_level_id=previous.level_id,
                        to_level_id=row.level_id,
                        raised_on=max(day, assessment.assessed_on),
                        reason=_reason(previous.judgement_reason, row.judgement_reason),
                        raised_by_id=row.history_user_id or assessment.assessor_id,
                        created_at=row.history_date,
                    )
                )
            previous = row
        if previous is not None and previous.level_id != assessment.level_id:
            raises.append(
                LevelRaise(
                    assessment_id=pk,
                    from_level_id=previous.level_id,
                    to_level_id=assessment.level_id,
                    raised_on=max(timezone.localdate(), assessment.assessed_on),
                    reason="",
                    raised_by_id=assessment.assessor_id,
                    created_at=timezone.now(),
                )
            )
    LevelRaise.objects.bulk_create(raises)
    return len(raises)


def forward(apps: Any, schema_editor: Any) -> None:
    raises_from_history(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0003_level_raise"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
