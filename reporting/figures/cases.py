"""Case figures: new and running cases per track, anonymous consults, track moves,
referrers, relationship contexts and forms of violence."""

from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from cases.models import (
    Case,
    CaseContextPeriod,
    CaseFormPeriod,
    ClassificationPeriodModel,
    FormOfViolence,
    ReferrerKind,
    RelationshipContext,
    TrackChange,
)
from partners.models import Sector

from .base import Table, Value, column_sums
from .common import (
    anonymous_rule,
    count_column,
    counts_table,
    label_column,
    new_cases,
    running_cases,
    track_choices,
)
from .onepass import count_by_initial_track, count_by_track_on
from .period import Period


def cases_per_track(period: Period) -> Table:
    """New cases by the track they were registered in; running cases by their track at the
    end of the period (so a report over a past year does not change with later moves)."""
    new = count_by_initial_track(new_cases(period))
    running = count_by_track_on(running_cases(period), period.end)
    rows: list[list[Value]] = [
        [label, new.get(value, 0), running.get(value, 0)] for value, label in track_choices()
    ]
    rows.append([_("Total"), sum(new.values()), sum(running.values())])
    return Table(
        key="cases_per_track",
        title=_("New and running cases per track"),
        columns=(
            label_column("track", _("Track")),
            count_column("new", _("New cases")),
            count_column("running", _("Running cases")),
        ),
        rows=rows,
        row_keys=[*(str(value) for value, _label in track_choices()), "total"],
        relations=column_sums(
            [*(str(value) for value, _label in track_choices()), "total"], ["new", "running"]
        ),
        note=" ".join(
            [
                _(
                    "New: registered in the period, by the track they were registered in. "
                    "Running: open on at least one day of the period by the dated status "
                    "changes (registered by its end, and not closed on the day before it "
                    "starts unless reopened in the period; a case closed on its first day "
                    "counts), by their track at the end of the period. A change dated after "
                    "the period never changes these figures."
                ),
                anonymous_rule(),
            ]
        ),
    )


def anonymous_consults(period: Period) -> Table:
    counts = (
        unrestricted_for_aggregates(Case.objects.all())
        .filter(is_anonymous_consult=True)
        .aggregate(
            new=Count("id", filter=Q(opened_on__range=(period.start, period.end))),
        )
    )
    return Table(
        key="anonymous_consults",
        title=_("Anonymous consults"),
        columns=(label_column("label", _("Consults")), count_column("count", _("Number"))),
        rows=[[_("Anonymous consults registered in the period"), counts["new"]]],
        row_keys=["new"],
        note=_(
            "Track-1 advice without any personal data. They are counted only here, not among "
            "the cases of track 1 nor in any other table."
        ),
    )


def track_moves(period: Period) -> Table:
    counts = {
        (row["from_track"], row["to_track"]): row["n"]
        for row in unrestricted_for_aggregates(TrackChange.objects.all())
        .filter(changed_on__range=(period.start, period.end))
        .values("from_track", "to_track")
        .annotate(n=Count("id"))
    }
    tracks = track_choices()
    rows: list[list[Value]] = []
    keys: list[str] = []
    for origin, _origin_label in tracks:
        for target, _target_label in tracks:
            if origin == target:
                continue
            rows.append(
                [
                    _("From track %(from)s to track %(to)s") % {"from": origin, "to": target},
                    counts.get((origin, target), 0),
                ]
            )
            keys.append(f"{origin}-{target}")
    rows.append([_("Total"), sum(counts.values())])
    keys.append("total")
    return Table(
        key="track_moves",
        title=_("Moves between tracks"),
        columns=(label_column("move", _("Move")), count_column("count", _("Moves"))),
        rows=rows,
        row_keys=keys,
        relations=column_sums(keys, ["count"]),
        note=_("Every move made in the period counts; a case may move more than once."),
    )


def by_referrer(period: Period) -> Table:
    counts = dict(
        new_cases(period)
        .values("referrer_kind")
        .annotate(n=Count("id"))
        .values_list("referrer_kind", "n")
    )
    return counts_table(
        key="cases_by_referrer",
        title=_("New cases by who reported them"),
        label=_("Reported by"),
        choices=ReferrerKind.choices,
        counts=counts,
        count_label=_("New cases"),
        note=anonymous_rule(),
    )


def by_referrer_sector(period: Period) -> Table:
    counts: dict[str | None, int] = dict(
        new_cases(period)
        .filter(referrer_kind=ReferrerKind.PARTNER)
        .values("referrer_organisation__sector")
        .annotate(n=Count("id"))
        .values_list("referrer_organisation__sector", "n")
    )
    unknown = counts.pop(None, 0) + counts.pop("", 0)
    return counts_table(
        key="cases_by_referrer_sector",
        title=_("New cases reported by a partner, by the partner's sector"),
        label=_("Sector"),
        choices=Sector.choices,
        counts=counts,
        count_label=_("New cases"),
        extra=[("unknown", _("Sector or organisation not recorded"), unknown)],
        note=anonymous_rule(),
    )


def _tagged_counts(period: Period, model: ClassificationPeriodModel) -> dict[str, tuple[int, int]]:
    """Per code of one of the case's managed lists, the (new, running) cases that had it
    recorded at the end of the period (a case once per code). One query."""
    recorded = unrestricted_for_aggregates(model.objects.on(period.end))
    is_new = Q(case__opened_on__range=(period.start, period.end))
    code = f"{model.value_field}__code"
    return {
        row[code]: (row["new"], row["running"])
        for row in recorded.filter(case__in=running_cases(period))
        .values(code)
        .annotate(
            new=Count("case_id", distinct=True, filter=is_new),
            running=Count("case_id", distinct=True),
        )
    }


def _untagged_counts(
    period: Period, models: Sequence[ClassificationPeriodModel]
) -> list[tuple[int, int]]:
    """Per list (``models``), the (new, running) cases with nothing of it recorded at the end
    of the period. One query for all the lists: the running cases are found once (an
    anti-join over the status changes, the costly part at scale), not once per list."""
    is_new = Q(opened_on__range=(period.start, period.end))
    aggregates = {}
    for index, model in enumerate(models):
        recorded = unrestricted_for_aggregates(model.objects.on(period.end))
        none = ~Exists(recorded.filter(case_id=OuterRef("pk")))
        aggregates[f"new_{index}"] = Count("id", filter=Q(none) & is_new)
        aggregates[f"running_{index}"] = Count("id", filter=Q(none))
    row = running_cases(period).aggregate(**aggregates)
    return [(row[f"new_{i}"], row[f"running_{i}"]) for i in range(len(models))]


def _list_rule(what: str) -> str:
    return " ".join(
        [
            _(
                "New cases: registered in the period; running cases: open on at least one "
                "day of it. A case counts once for every %(what)s recorded on it at the end of "
                "the period (a value changed later still counts as it was then), so the rows "
                "can add up to more than the number of cases; a case with none then counts in "
                "the last row."
            )
            % {"what": what},
            anonymous_rule(),
        ]
    )


def _tagged_table(
    period: Period,
    model: ClassificationPeriodModel,
    without: tuple[int, int],
    *,
    key: str,
    title: str,
    label: str,
    choices: list[tuple[str, str]],
    none_label: str,
    what: str,
) -> Table:
    """One row per entry of the list (inactive ones too: a past period may have them) and a
    row for the cases with none (``without``); the rows overlap, so there is no total row."""
    counts = _tagged_counts(period, model)
    rows: list[list[Value]] = [[text, *counts.get(code, (0, 0))] for code, text in choices]
    rows.append([none_label, *without])
    return Table(
        key=key,
        title=title,
        columns=(
            label_column("label", label),
            count_column("new", _("New cases")),
            count_column("running", _("Running cases")),
        ),
        rows=rows,
        row_keys=[*(code for code, _text in choices), "none"],
        note=_list_rule(what),
    )


def violence_tables(period: Period) -> list[Table]:
    """Cases by relationship context and by form of violence, as recorded at the period's
    end: the two tables together, so the cases with neither are counted in one query."""
    without_context, without_form = _untagged_counts(period, [CaseContextPeriod, CaseFormPeriod])
    return [
        _tagged_table(
            period,
            CaseContextPeriod,
            without_context,
            key="cases_by_relationship_context",
            title=_("Cases by relationship context"),
            label=_("Relationship context"),
            choices=[(c.code, str(c)) for c in RelationshipContext.objects.all()],
            none_label=_("No context recorded"),
            what=_("relationship context"),
        ),
        _tagged_table(
            period,
            CaseFormPeriod,
            without_form,
            key="cases_by_form_of_violence",
            title=_("Cases by form of violence"),
            label=_("Form of violence"),
            choices=[(f.code, str(f)) for f in FormOfViolence.objects.all()],
            none_label=_("No form recorded"),
            what=_("form of violence"),
        ),
    ]


def by_relationship_context(period: Period) -> Table:
    return violence_tables(period)[0]


def by_form_of_violence(period: Period) -> Table:
    return violence_tables(period)[1]


def case_tables(period: Period) -> list[Table]:
    return [
        cases_per_track(period),
        anonymous_consults(period),
        track_moves(period),
        by_referrer(period),
        by_referrer_sector(period),
        *violence_tables(period),
    ]
