"""Recording a case's relationship contexts and forms of violence as dated periods (see
:mod:`cases.models.classification`). The only writer of those periods and of the case's
fields holding today's values; callers hold a transaction and the case's row lock."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone

from accounts.models import User

from ..models import Case, CaseContextPeriod, CaseFormPeriod, ClassificationPeriodModel

PERIOD_MODELS: tuple[ClassificationPeriodModel, ...] = (CaseContextPeriod, CaseFormPeriod)
_BY_FIELD: dict[str, ClassificationPeriodModel] = {
    model.case_field: model for model in PERIOD_MODELS
}


def classification_record(
    *,
    case: Case,
    by: User | None,
    field: str,
    chosen: Iterable[Model],
    on: datetime.date | None = None,
) -> bool:
    """Record that from ``on`` (today by default) the values of ``field``
    (``relationship_contexts`` or ``forms_of_violence``) are ``chosen``: the periods of the
    values no longer chosen end on that day, each newly chosen value gets a period from it,
    a value kept keeps its period. Returns whether anything changed."""
    model = _BY_FIELD[field]
    day = on or timezone.localdate()
    wanted = {value.pk: value for value in chosen}
    value_id = f"{model.value_field}_id"
    open_periods = {
        getattr(period, value_id): period
        for period in model.objects.select_for_update().filter(case=case).open()
    }
    ended = [period for value, period in open_periods.items() if value not in wanted]
    for period in ended:
        # A value recorded and replaced on the same day never held a day.
        period.recorded_until = max(day, period.recorded_from)
        period.ended_by = by
        period.save(update_fields=["recorded_until", "ended_by"])
    added = [pk for pk in wanted if pk not in open_periods]
    new: list[Any] = [
        model(case=case, recorded_from=day, recorded_by=by, **{value_id: pk}) for pk in added
    ]
    model.objects.bulk_create(new)
    if ended or added:
        getattr(case, field).set(list(wanted.values()))
    return bool(ended or added)


def classification_follows_the_opening(*, case: Case, previous_opening: datetime.date) -> None:
    """After a correction of the case's opening date: the values recorded at the registration
    (their periods began on the former opening) begin on the new one, and no period begins
    before the case did. Only the start of a period moves, never which value it holds."""
    opening = case.opened_on
    for model in PERIOD_MODELS:
        periods = model.objects.filter(case=case)
        if opening < previous_opening:
            periods.filter(recorded_from=previous_opening).update(recorded_from=opening)
        else:
            periods.filter(recorded_from__lt=opening).filter(
                Q(recorded_until__isnull=True) | Q(recorded_until__gt=opening)
            ).update(recorded_from=opening)
            # A value replaced before the new opening never held a day of the case.
            periods.filter(recorded_until__lte=opening).update(
                recorded_from=opening, recorded_until=opening
            )
