"""The full change history of one case: the case and everything in it, newest first.

Built from django-simple-history. Historical rows outlive their objects, so every
source is filtered by this case's id (deleted children included) and only after the
user has been checked against the case as it is now: the history of a case the user
may no longer see (or that was deleted) is shown to nobody.

A fixed number of queries per source model, not per row: each source is read in one
query, diffs are computed in memory against the previous row of the same object, and
the values on one page are turned into labels with one query per related model.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

from django.apps import apps
from django.db import models
from django.db.models import Min, QuerySet
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import (
    Action,
    confidential_fields,
    hidden_in_history,
    is_permitted,
    may_see_confidential,
    restrict,
)
from accounts.models import User

from ..models import (
    Breach,
    Case,
    CaseAction,
    CaseDocument,
    CasePartner,
    CaseParty,
    ChildConversation,
    ChildFile,
    CoDirector,
    Hearing,
    JournalEntry,
    JudicialCondition,
    Measure,
    MeasureExtension,
    PartyRelation,
    Person,
    PlanAgreement,
    PlanEvaluation,
    PlanGoal,
    PlanGoalOutcome,
    PlanOfApproach,
    PoliceReport,
    ProsecutionDecision,
    Referral,
    SafetyPlan,
    SafetyPlanPart,
    Visibility,
)
from .core import organisations_with_access


def case_history(*, user: User, case_pk: int) -> QuerySet[Any]:
    """History rows of the case itself, only if the user may see that case now.

    ``Case.history`` also holds rows of deleted cases; filtering by the visible case ids
    keeps those (and every other case's) out.
    """
    visible = restrict(Case.objects.all(), user, Action.VIEW).values("pk")
    return (
        Case.history.filter(id=case_pk, id__in=visible)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


KIND_LABELS = {
    "+": gettext_lazy("created"),
    "~": gettext_lazy("changed"),
    "-": gettext_lazy("deleted"),
}

# Children whose historical rows carry the case id directly.
CHILD_MODELS: tuple[type[models.Model], ...] = (
    CaseParty,
    PartyRelation,
    CoDirector,
    JournalEntry,
    CaseAction,
    PoliceReport,
    Measure,
    Hearing,
    CasePartner,
    Referral,
    SafetyPlan,
    CaseDocument,
    ProsecutionDecision,
    JudicialCondition,
    Breach,
    PlanOfApproach,
    PlanGoal,
    PlanAgreement,
    PlanEvaluation,
    PlanGoalOutcome,
    ChildFile,
    ChildConversation,
)
# The case's many-to-many fields with history, and the through table's column of each.
CASE_M2M = {
    "violence_forms": "violenceform_id",
    "relationship_contexts": "relationshipcontext_id",
    "forms_of_violence": "formofviolence_id",
}
# Kept by the repeat rule over every case, for the figures: a change of them can come from a
# case out of the viewer's sight and tell of it (hit/no-hit), so the history never shows
# them; the steering page shows the repeats the viewer may see.
NOT_SHOWN = frozenset({"repeat_of", "repeat_since"})
CONFIDENTIAL = object()  # stands in for a value the user may not see


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One row of the history page, ready to show."""

    when: datetime.datetime
    who: Any
    model: str  # e.g. "cases.journalentry"
    object_id: Any
    what: str  # the object's verbose name
    label: str  # which object
    kind: str  # "+", "~" or "-"
    changes: list[Change] = field(default_factory=list)
    # Someone outside this case changed a person who is also in another case: naming
    # them (or their organisation) would tell that the person is known elsewhere.
    who_hidden: bool = False

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_deleted(self) -> bool:
        return self.kind == "-"


@dataclass
class _Row:
    """A historical record with its raw changes (field name, old value, new value)."""

    model: type[models.Model]
    record: Any
    previous: Any
    changes: list[tuple[str, Any, Any]]
    hide_who: bool = False


M2M = dict[tuple[str, int], frozenset[int]]  # (field, history id) -> ids


def _raw_changes(record: Any, previous: Any, m2m: M2M) -> list[tuple[str, Any, Any]]:
    if previous is None or record.history_type != "~":
        return []
    m2m_names = [f.name for f in record._history_m2m_fields]
    hidden = [f.name for f in record._meta.fields if f.name in NOT_SHOWN]
    delta = record.diff_against(previous, excluded_fields=[*m2m_names, *hidden])
    changes = [(c.field, c.old, c.new) for c in delta.changes]
    for name in m2m_names:
        old, new = (
            m2m.get((name, previous.history_id), frozenset()),
            m2m.get((name, record.history_id), frozenset()),
        )
        if old != new:
            changes.append((name, old, new))
    return changes


def _with_previous(
    model: type[models.Model], records: Iterable[Any], m2m: M2M | None = None
) -> list[_Row]:
    """Pair each record with the previous record of the same object (records in date order)."""
    last: dict[Any, Any] = {}
    rows = []
    for record in records:
        previous = last.get(record.id)
        rows.append(_Row(model, record, previous, _raw_changes(record, previous, m2m or {})))
        last[record.id] = record
    return rows


def _history(model: type[models.Model]) -> QuerySet[Any]:
    manager = model.history  # type: ignore[attr-defined]
    return manager.select_related("history_user").order_by("history_date", "history_id")


def _case_m2m(case_records: list[Any]) -> M2M:
    ids: dict[tuple[str, int], set[int]] = defaultdict(set)
    history_ids = [r.history_id for r in case_records]
    for name, column in CASE_M2M.items():
        through = apps.get_model("cases", f"HistoricalCase_{name}")
        for history_id, pk in through.objects.filter(history_id__in=history_ids).values_list(
            "history_id", column
        ):
            ids[(name, history_id)].add(pk)
    return {k: frozenset(v) for k, v in ids.items()}


def _m2m_model(name: str) -> type[models.Model]:
    return Case._meta.get_field(name).related_model  # type: ignore[return-value]


Interval = tuple[datetime.datetime | None, datetime.datetime | None]


def _person_intervals(case_pk: int, party_records: list[Any]) -> dict[int, list[Interval]]:
    """When each person was in this case, from the history of the case's parties.

    A person's own history is shown only for those periods: what was changed about them
    before they joined (in another case) or after they left is not this case's history.
    A person first registered in this case is shown from their creation on.
    """
    intervals: dict[int, list[Interval]] = defaultdict(list)
    by_party: dict[int, list[Any]] = defaultdict(list)
    for record in party_records:
        by_party[record.id].append(record)
    first_here: dict[int, datetime.datetime] = {}
    for records in by_party.values():
        for record, following in zip(records, [*records[1:], None], strict=True):
            if record.history_type == "-":
                continue
            end = following.history_date if following is not None else None
            intervals[record.person_id].append((record.history_date, end))
            first = first_here.get(record.person_id)
            if first is None or record.history_date < first:
                first_here[record.person_id] = record.history_date
    first_anywhere = dict(
        CaseParty.history.filter(person_id__in=list(first_here), history_type="+")
        .values("person_id")
        .annotate(first=Min("history_date"))
        .values_list("person_id", "first")
    )
    for person_id, first in first_here.items():
        if first_anywhere.get(person_id) == first:
            intervals[person_id] = [
                (None, end) if start == first else (start, end)
                for start, end in intervals[person_id]
            ]
    return intervals


def _within(when: datetime.datetime, intervals: list[Interval]) -> bool:
    return any(
        (start is None or when >= start) and (end is None or when <= end)
        for start, end in intervals
    )


class _Labels:
    """Turns raw values of one page into words, with one query per related model."""

    def __init__(
        self,
        user: User,
        person_names: dict[int, str],
        party_people: dict[int, int],
        measure_labels: dict[int, str],
    ) -> None:
        self.user = user
        self.person_names = person_names
        self.party_people = party_people
        self.measure_labels = measure_labels
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.loaded: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, model: type[models.Model] | None, pk: Any) -> None:
        if model is not None and pk is not None and model not in (Person, CaseParty, Measure):
            self.wanted[model].add(pk)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            if model is Case:
                # Another case's reference only if the user may see that case.
                queryset: QuerySet[Any] = restrict(Case.objects.filter(pk__in=pks), self.user)
            else:
                queryset = model._default_manager.filter(pk__in=pks)
            self.loaded[model] = {obj.pk: str(obj) for obj in queryset}

    def of(self, model: type[models.Model] | None, pk: Any) -> str:
        if pk is None:
            return "—"
        if model is Person:
            return self.person_names.get(pk, "—")
        if model is CaseParty:
            return self.person_names.get(self.party_people.get(pk, -1), "—")
        if model is Measure:
            return self.measure_labels.get(pk, "—")
        return self.loaded.get(model, {}).get(pk, "—")  # type: ignore[arg-type]


def _foreign_keys(record: Any) -> Iterator[models.ForeignKey[Any, Any]]:
    for f in record._meta.fields:
        if isinstance(f, models.ForeignKey) and f.name not in ("history_user", "case"):
            yield f


def _shown(record: Any, name: str, value: Any, labels: _Labels) -> str:
    if value is CONFIDENTIAL:
        return _("confidential")
    if name in CASE_M2M:
        return ", ".join(sorted(labels.of(_m2m_model(name), pk) for pk in value)) or "—"
    f = record._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        return labels.of(f.related_model, value)  # type: ignore[arg-type]
    if isinstance(value, list):  # a safety plan's parts shared in a consultation
        choices = dict(SafetyPlanPart.choices)
        return ", ".join(str(choices.get(item, item)) for item in value) or "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return formats.number_format(value, use_l10n=True)  # "1,5" in Dutch
    return str(value)


def _field_label(record: Any, name: str) -> str:
    model: Any = Case if name in CASE_M2M else record
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _choice(record: Any, name: str) -> str:
    value = getattr(record, name)
    return str(dict(record._meta.get_field(name).flatchoices).get(value, value))


def _party_summary(record: Any) -> str:
    """A (historical) involvement's family position and roles, as the case shows them now."""
    fields = ("position", "is_victim", "is_perpetrator", "is_witness", "is_involved")
    return CaseParty(**{name: getattr(record, name) for name in fields}).role_summary


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _object_label(model: type[models.Model], r: Any, labels: _Labels) -> str:
    """Which object a row is about, from the row itself (it may no longer exist)."""
    if model is Case:
        return str(r.reference)
    if model is Person:
        return labels.of(Person, r.id)
    if model is CaseParty:
        return f"{labels.of(Person, r.person_id)} ({_party_summary(r)})"
    if model is PartyRelation:
        return (
            f"{labels.of(CaseParty, r.from_party_id)} {_choice(r, 'kind').lower()} "
            f"{labels.of(CaseParty, r.to_party_id)}"
        )
    if model is CoDirector:
        return labels.of(r._meta.get_field("user").related_model, r.user_id)
    if model is JournalEntry:
        return f"{_choice(r, 'kind')} {_date(r.occurred_at)}"
    if model is CaseAction:
        return str(r.description)
    if model is PoliceReport:
        return str(r.number)
    if model is Measure:
        return f"{_choice(r, 'kind')} {_date(r.starts_on)}"
    if model is MeasureExtension:
        return f"{labels.of(Measure, r.measure_id)}: {_date(r.new_end)}"
    if model is Hearing:
        return f"{r.court} {_date(r.held_at)}"
    if model is ProsecutionDecision:
        return f"{_choice(r, 'kind')} {_date(r.decided_on)}"
    if model is JudicialCondition:
        return f"{_choice(r, 'kind')} {_date(r.starts_on)}"
    if model is Breach:
        return _date(r.occurred_on)
    if model is CasePartner:
        return labels.of(r._meta.get_field("organisation").related_model, r.organisation_id)
    if model is CaseDocument:
        return str(r.title)
    if model is Referral:
        partner = labels.of(r._meta.get_field("partner").related_model, r.partner_id)
        return f"{partner}, {_date(r.referred_on)} ({_choice(r, 'direction').lower()})"
    if model is SafetyPlan:
        return labels.of(CaseParty, r.party_id)
    if model is PlanOfApproach:
        return str(_("Plan of approach"))
    if model is PlanGoal:
        return str(Truncator(r.description).chars(60))
    if model is PlanAgreement:
        return str(Truncator(r.what).chars(60))
    if model is PlanEvaluation:
        return _date(r.held_on)
    if model is PlanGoalOutcome:
        return labels.of(PlanGoal, r.goal_id)
    # Never a raw id: a number tells the reader nothing (and is no one's business).
    return "—"


class CaseHistory(Sequence[HistoryEntry]):
    """The merged history, newest first. Slicing renders only the rows asked for,
    so a paginator turns only one page into words."""

    def __init__(self, rows: list[_Row], labels: _Labels) -> None:
        self.rows = rows
        self.labels = labels

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> HistoryEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[HistoryEntry]: ...
    def __getitem__(self, index: int | slice) -> HistoryEntry | list[HistoryEntry]:
        if isinstance(index, slice):
            return self._render(self.rows[index])
        return self._render([self.rows[index]])[0]

    def _render(self, rows: list[_Row]) -> list[HistoryEntry]:
        labels = self.labels
        labels.wanted.clear()
        for row in rows:
            for record in (row.record, row.previous):
                if record is None:
                    continue
                for f in _foreign_keys(record):
                    labels.want(f.related_model, getattr(record, f.attname))  # type: ignore[arg-type]
            for name, old, new in row.changes:
                if name in CASE_M2M:
                    for pk in old | new:
                        labels.want(_m2m_model(name), pk)
        labels.load()
        return [
            HistoryEntry(
                when=row.record.history_date,
                who=None if row.hide_who else row.record.history_user,
                who_hidden=row.hide_who,
                model=row.model._meta.label_lower,
                object_id=row.record.id,
                what=str(capfirst(row.model._meta.verbose_name)),
                label=_object_label(row.model, row.record, labels),
                kind=row.record.history_type,
                changes=[
                    Change(
                        field=_field_label(row.record, name),
                        old=_shown(row.record, name, old, labels),
                        new=_shown(row.record, name, new, labels),
                    )
                    for name, old, new in row.changes
                ],
            )
            for row in rows
        ]


def _hide_confidential(rows: list[_Row], *, may_see: bool) -> None:
    """As on the steering page: the confidential fields of access.policy are for the case team
    only, in every version (:func:`access.policy.hidden_in_history`)."""
    if may_see:
        return
    versions: dict[tuple[type[models.Model], Any], list[Any]] = defaultdict(list)
    for row in rows:
        if confidential_fields(row.model):
            versions[row.model, row.record.id].append(row.record)
    for row in rows:
        if not row.changes or not confidential_fields(row.model):
            continue
        records = versions[row.model, row.record.id]
        row.changes = [
            (name, CONFIDENTIAL, CONFIDENTIAL)
            if hidden_in_history(records, name, may_see=False)
            else (name, old, new)
            for name, old, new in row.changes
        ]


def case_full_history(*, user: User, case_pk: int) -> CaseHistory:
    """Everything that changed in the case and in what belongs to it, newest first.

    Journal entries that were ever "case team only" are left out for users without
    change access: an older version of an entry may hold what the team kept to itself.
    """
    case_records = list(
        case_history(user=user, case_pk=case_pk).order_by("history_date", "history_id")
    )
    if not case_records:
        return CaseHistory([], _Labels(user, {}, {}, {}))
    can_change = is_permitted(user, Case(pk=case_pk), Action.CHANGE)

    case_rows = _with_previous(Case, case_records, _case_m2m(case_records))
    rows = list(case_rows)
    children: dict[type[models.Model], list[Any]] = {}
    for model in CHILD_MODELS:
        queryset = _history(model).filter(case_id=case_pk)
        if model is JournalEntry and not can_change:
            ever_team_only = JournalEntry.history.filter(
                case_id=case_pk, visibility=Visibility.TEAM
            ).values("id")
            queryset = queryset.exclude(id__in=ever_team_only)
        if model is CaseDocument and not can_change:
            # As for the journal: a document that was ever confidential is the team's only.
            ever_confidential = CaseDocument.history.filter(
                case_id=case_pk, confidential=True
            ).values("id")
            queryset = queryset.exclude(id__in=ever_confidential)
        children[model] = list(queryset)
    measure_ids = Measure.history.filter(case_id=case_pk).values("id")
    children[MeasureExtension] = list(_history(MeasureExtension).filter(measure_id__in=measure_ids))
    for model, records in children.items():
        rows += _with_previous(model, records)

    party_records = children[CaseParty]
    intervals = _person_intervals(case_pk, party_records)
    person_records = list(_history(Person).filter(id__in=list(intervals)))
    person_names = {r.id: f"{r.first_name} {r.last_name}" for r in person_records}
    # Diffs against the version before a change are fine: that version was what this
    # case saw at the time (or when the person joined it).
    person_rows = [
        row
        for row in _with_previous(Person, person_records)
        if _within(row.record.history_date, intervals[row.record.id])
    ]
    # The case row too: a change in another case re-evaluates this one's repeat flag, and
    # naming who made it would tell that the pair is known there.
    directors = {r.case_director_id for r in case_records}
    rows_by_others = person_rows + [
        r for r in case_rows if r.record.history_user_id not in directors
    ]
    if rows_by_others:
        insiders = directors | {r.user_id for r in children[CoDirector]}
        organisations = set(
            organisations_with_access(case=Case(pk=case_pk)).values_list("pk", flat=True)
        )
        for row in rows_by_others:
            by = row.record.history_user
            row.hide_who = by is not None and not (
                by.pk in insiders or by.organisation_id in organisations
            )
    rows += person_rows
    _hide_confidential(
        rows, may_see=may_see_confidential(user, Case(pk=case_pk), can_change=can_change)
    )

    # A save that changed nothing shown here (e.g. only the version number) is noise.
    rows = [r for r in rows if r.record.history_type != "~" or r.changes]
    rows.sort(key=lambda r: (r.record.history_date, r.record.history_id), reverse=True)
    measure_labels = {r.id: _choice(r, "kind") for r in children[Measure]}
    party_people = {r.id: r.person_id for r in party_records}
    return CaseHistory(rows, _Labels(user, person_names, party_people, measure_labels))
