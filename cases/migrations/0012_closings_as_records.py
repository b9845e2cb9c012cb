"""Every closing becomes a dated record with its closing reason (issue 12, part 1).

The figures count a closing in the period of its own date, with its own reason; until now the
reason lived only on the case row, where reopening cleared it. This migration, with the models
as they are here:

* gives every closing (a ``StatusChange`` to "closed") without a reason the reason the case had
  when that closing was made, from the case's history (``HistoricalCase``): each run of
  history rows in which the case is closed is one closing, matched to a closing record on its
  date (else in order);
* creates the closing record of a case that is closed but has none dated on its ``closed_on``
  (from the case row, attributed to whoever closed it in the history, else the case director);
* uses an inactive "unknown" reason only for a closing whose reason no history row holds, so
  the new rule (a closing has a reason) never invents one silently.

Nothing is deleted or overwritten: only empty reasons are filled and missing records added.
Running it again changes nothing; backwards it does nothing (0008 drops the field).
"""

from collections import defaultdict
from typing import Any

from django.db import migrations
from django.db.models import Exists, OuterRef

CLOSED = "closed"
UNKNOWN_NL = "Onbekend (niet terug te vinden in de geschiedenis)"
UNKNOWN_EN = "Unknown (not found in the history)"


def _closings_in_history(rows: list[Any]) -> list[dict[str, Any]]:
    """One entry per run of consecutive closed history rows, with its last values (a
    correction made while the case stayed closed counts)."""
    episodes: list[dict[str, Any]] = []
    previous_status = None
    for row in rows:
        if row.status == CLOSED:
            values = {
                "closed_on": row.closed_on,
                "reason": row.closing_reason_id,
                "user": row.history_user_id,
                "from_status": previous_status or "registered",
            }
            if previous_status == CLOSED and episodes:
                episodes[-1].update(
                    {k: v for k, v in values.items() if k in ("closed_on", "reason") and v}
                )
            else:
                episodes.append(values)
        previous_status = row.status
    return episodes


def fill_closings(apps: Any, schema_editor: Any = None) -> dict[str, int]:
    """Returns how many closing reasons were filled and closing records created."""
    Case = apps.get_model("cases", "Case")
    StatusChange = apps.get_model("cases", "StatusChange")
    HistoricalCase = apps.get_model("cases", "HistoricalCase")
    ClosingReason = apps.get_model("cases", "ClosingReason")

    without_reason = StatusChange.objects.filter(to_status=CLOSED, closing_reason__isnull=True)
    recorded = StatusChange.objects.filter(
        case_id=OuterRef("pk"), to_status=CLOSED, changed_on=OuterRef("closed_on")
    )
    unrecorded = Case.objects.filter(status=CLOSED).exclude(Exists(recorded))
    case_ids = set(without_reason.values_list("case_id", flat=True)) | set(
        unrecorded.values_list("pk", flat=True)
    )
    history: dict[int, list[Any]] = defaultdict(list)
    for row in HistoricalCase.objects.filter(id__in=case_ids).order_by(
        "history_date", "history_id"
    ):
        history[row.id].append(row)
    unknown_reason: list[int] = []

    def unknown() -> int:
        if not unknown_reason:
            reason, _created = ClosingReason.objects.get_or_create(
                name_nl=UNKNOWN_NL,
                defaults={"name_en": UNKNOWN_EN, "is_active": False, "order": 999},
            )
            unknown_reason.append(reason.pk)
        return unknown_reason[0]

    filled = created = 0
    unrecorded_ids = set(unrecorded.values_list("pk", flat=True))
    for case in Case.objects.filter(pk__in=case_ids).order_by("pk"):
        episodes = _closings_in_history(history[case.pk])
        unused = list(range(len(episodes)))
        closings = list(
            StatusChange.objects.filter(case_id=case.pk, to_status=CLOSED).order_by("id")
        )
        # Closings that have their reason keep it, and their history episode is taken.
        for closing in closings:
            match = next((i for i in unused if episodes[i]["closed_on"] == closing.changed_on), None)
            if closing.closing_reason_id is None:
                if match is None and unused:
                    match = unused[0]
                reason = episodes[match]["reason"] if match is not None else None
                if reason is None and case.status == CLOSED and case.closed_on == closing.changed_on:
                    reason = case.closing_reason_id
                closing.closing_reason_id = reason or unknown()
                closing.save(update_fields=["closing_reason"])
                filled += 1
            if match is not None:
                unused.remove(match)
        if case.pk in unrecorded_ids:
            episode = next(
                (episodes[i] for i in unused if episodes[i]["closed_on"] == case.closed_on),
                episodes[-1] if episodes else None,
            )
            last = (
                StatusChange.objects.filter(case_id=case.pk)
                .order_by("-changed_on", "-id")
                .values_list("to_status", flat=True)
                .first()
            )
            StatusChange.objects.create(
                case_id=case.pk,
                from_status=last or (episode["from_status"] if episode else "registered"),
                to_status=CLOSED,
                changed_on=case.closed_on or case.opened_on,
                reason="",
                closing_reason_id=case.closing_reason_id
                or (episode["reason"] if episode else None)
                or unknown(),
                changed_by_id=(episode["user"] if episode else None) or case.case_director_id,
            )
            created += 1
    return {"filled": filled, "created": created}


def forward(apps: Any, schema_editor: Any) -> None:
    fill_closings(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_statuschange_closing_reason"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
