"""Every change of a gap's status becomes a dated record (issue 12, part 1).

``gap_set_status`` used to write over ``Gap.status``, so the network's figures could only
count gaps "by their status now". The history (``HistoricalGap``) holds every version: a gap
whose first version is not "new" gets a change from "new" on the day it was signalled, and
each later version whose status differs from the version before becomes a change dated on the
day it was saved (Brussels time, never before the signalling nor before the change before
it), by the user who saved it (else whoever signalled the gap). A gap whose status differs
from its last history version (changed without history) gets a change for that difference,
dated on the last known day. Gaps that already have a change are left as they are, so running
it again changes nothing; backwards it does nothing (0003 drops the table).
"""

from collections import defaultdict
from typing import Any

from django.db import migrations
from django.utils import timezone

NEW = "new"


def changes_from_history(apps: Any, schema_editor: Any = None) -> int:
    """Create the status change records; returns how many."""
    Gap = apps.get_model("partners", "Gap")
    HistoricalGap = apps.get_model("partners", "HistoricalGap")
    GapStatusChange = apps.get_model("partners", "GapStatusChange")
    todo = {gap.pk: gap for gap in Gap.objects.filter(status_changes__isnull=True)}
    versions: dict[int, list[Any]] = defaultdict(list)
    for row in HistoricalGap.objects.filter(id__in=list(todo)).order_by(
        "history_date", "history_id"
    ):
        versions[row.id].append(row)
    changes = []
    for pk, gap in todo.items():
        status, day = NEW, gap.signalled_on
        for index, row in enumerate(versions.get(pk, [])):
            if row.status != status:
                # The first version is the gap as signalled: its status holds from that day.
                if index:
                    day = max(day, timezone.localtime(row.history_date).date())
                changes.append(
                    GapStatusChange(
                        gap_id=pk,
                        from_status=status,
                        to_status=row.status,
                        changed_on=day,
                        changed_by_id=row.history_user_id or gap.signalled_by_id,
                        created_at=row.history_date,
                    )
                )
                status = row.status
        if gap.status != status:
            changes.append(
                GapStatusChange(
                    gap_id=pk,
                    from_status=status,
                    to_status=gap.status,
                    changed_on=day,
                    changed_by_id=gap.signalled_by_id,
                    created_at=timezone.now(),
                )
            )
    GapStatusChange.objects.bulk_create(changes)
    return len(changes)


def forward(apps: Any, schema_editor: Any) -> None:
    changes_from_history(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_gap_status_change"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
