"""Reads for risk assessment. Case content always starts from ``access.policy.restrict``."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext as _

from access.policy import Action, CaseAccess, is_permitted, may_decide_on_risk, restrict
from accounts.models import User
from cases.models import Case, CaseParty, CoDirector, Track
from cases.selectors.steering import has_rows

from .charts import ChartPoint
from .current import CurrentRisk, current_risk, newest_first, recency
from .models import (
    Answer,
    Assessment,
    InstrumentVersion,
    JointAssessment,
    RiskDecision,
    RiskGrade,
    VersionStatus,
    in_english,
)


def published_versions() -> list[InstrumentVersion]:
    """The newest published version of every instrument (what a new assessment uses)."""
    newest: dict[int, InstrumentVersion] = {}
    versions = (
        InstrumentVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("instrument")
        .order_by("instrument__name_nl", "-number")
    )
    for version in versions:
        newest.setdefault(version.instrument_id, version)
    return list(newest.values())


def _case_rows[M: Model](
    rows: QuerySet[M], *, user: User, case: Case, access: CaseAccess | None
) -> QuerySet[M]:
    """``rows`` of ``case`` the user may see: through the case's access decided for the
    request when the caller has it (the steering page), else through ``restrict``."""
    if access is not None and access.case_id == case.pk:
        return access.children(rows)
    return restrict(rows.filter(case=case), user)


def assessment_list(
    *, user: User, case: Case, with_parties: bool = True, access: CaseAccess | None = None
) -> QuerySet[Assessment]:
    queryset = _case_rows(
        Assessment.objects.all(), user=user, case=case, access=access
    ).select_related(
        "instrument_version__instrument", "level", "computed_level", "organisation", "assessor"
    )
    if with_parties:
        parties = restrict(CaseParty.objects.select_related("person"), user)
        queryset = queryset.prefetch_related(Prefetch("parties", queryset=parties))
    return newest_first(queryset)


def joint_list(
    *, user: User, case: Case, with_details: bool = True, access: CaseAccess | None = None
) -> QuerySet[JointAssessment]:
    queryset = _case_rows(
        JointAssessment.objects.all(), user=user, case=case, access=access
    ).select_related("recorded_by")
    if with_details:
        queryset = queryset.prefetch_related("organisations", "assessments")
    return newest_first(queryset)


def decision_list(
    *, user: User, case: Case, access: CaseAccess | None = None
) -> QuerySet[RiskDecision]:
    return (
        _case_rows(RiskDecision.objects.all(), user=user, case=case, access=access)
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
    )


def assessment_answers(*, user: User, assessment: Assessment) -> list[Answer]:
    return list(
        restrict(Answer.objects.filter(assessment=assessment), user)
        .select_related("item__section", "option")
        .order_by("item__section__order", "item__order")
    )


def _chart_point(record: Assessment | JointAssessment) -> ChartPoint:
    if isinstance(record, JointAssessment):
        return ChartPoint(
            on=record.held_on,
            grade=record.level,
            level_label=str(RiskGrade(record.level).label),
            series=_("Joint assessment"),
            is_joint=True,
            recorded_at=record.recorded_at,
        )
    return ChartPoint(
        on=record.assessed_on,
        grade=record.level.grade,
        level_label=record.level.label,
        series=record.instrument_version.instrument.name,
        score=record.score,
        max_score=record.instrument_version.max_score,
        recorded_at=record.created_at,
    )


def chart_points(
    *, assessments: Sequence[Assessment], joints: Sequence[JointAssessment]
) -> list[ChartPoint]:
    # Oldest first by the ordering of ``risk.current``, so the last point is the current level.
    records: list[Assessment | JointAssessment] = [*assessments, *joints]
    records.sort(key=recency)
    return [_chart_point(record) for record in records]


@dataclass
class RiskOverview:
    case: Case
    assessments: list[Assessment] = field(default_factory=list)
    joints: list[JointAssessment] = field(default_factory=list)
    current: CurrentRisk | None = None
    decision: RiskDecision | None = None
    points: list[ChartPoint] = field(default_factory=list)
    can_change: bool = False
    may_decide: bool = False

    @property
    def prompt(self) -> bool:
        """Suggest track 3 and a case consultation until the case director has decided."""
        return bool(
            self.current is not None
            and self.current.suggests_escalation
            and self.case.track != Track.CHAIN
            and not self.case.is_closed
            and self.decision is None
        )


def _decision_for(current: CurrentRisk | None, decisions: Sequence[RiskDecision]) -> Any:
    if current is None:
        return None
    for decision in decisions:
        if current.joint is not None and decision.joint_assessment_id == current.joint.pk:
            return decision
        if current.assessment is not None and decision.assessment_id == current.assessment.pk:
            return decision
    return None


def risk_overview(
    *,
    case: Case,
    user: User,
    can_change: bool | None = None,
    co_director_ids: Sequence[int] | None = None,
    with_details: bool = False,
    access: CaseAccess | None = None,
) -> RiskOverview:
    """The risk panel and page: a fixed number of queries, however many assessments there are.

    ``can_change``, ``co_director_ids`` and ``access`` (the case's access decided for the
    request) may come from the steering page, which has them; so may, on ``case``, whether
    each table has rows of it (``cases.selectors.steering.has_rows``): none is read then.
    """
    assessments = (
        list(assessment_list(user=user, case=case, with_parties=with_details, access=access))
        if has_rows(case, "assessments")
        else []
    )
    joints = (
        list(joint_list(user=user, case=case, with_details=with_details, access=access))
        if has_rows(case, "joints")
        else []
    )
    decisions = (
        list(decision_list(user=user, case=case, access=access))
        if has_rows(case, "risk_decisions")
        else []
    )
    current = current_risk(assessments=assessments, joints=joints)
    if can_change is None:
        can_change = is_permitted(user, case, Action.CHANGE)
    if co_director_ids is None:
        co_director_ids = list(
            restrict(CoDirector.objects.filter(case=case), user).values_list("user_id", flat=True)
        )
    may_decide = can_change and may_decide_on_risk(user, case, co_director_ids=co_director_ids)
    return RiskOverview(
        case=case,
        assessments=assessments,
        joints=joints,
        current=current,
        decision=_decision_for(current, decisions),
        points=chart_points(assessments=assessments, joints=joints),
        can_change=can_change,
        may_decide=may_decide,
    )


def answer_differences(assessments: Sequence[Assessment]) -> list[dict[str, Any]]:
    """Items answered differently by assessments that used the same instrument.

    Kept as plain data (both languages) so a joint assessment records what differed then.
    """
    by_instrument: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        by_instrument[assessment.instrument_version.instrument_id].append(assessment)
    compared = [a.pk for group in by_instrument.values() if len(group) > 1 for a in group]
    if not compared:
        return []
    answers = (
        Answer.objects.filter(assessment_id__in=compared)
        .select_related(
            "item__section",
            "option",
            "assessment__organisation",
            "assessment__instrument_version__instrument",
        )
        .order_by("assessment__instrument_version__instrument__name_nl", "item__section__order")
    )
    # (instrument, item code) -> answers of each assessment
    grid: dict[tuple[int, str], list[Answer]] = defaultdict(list)
    for answer in answers:
        grid[(answer.assessment.instrument_version.instrument_id, answer.item.code)].append(answer)
    differences = []
    for (_instrument_id, code), given in grid.items():
        if len(given) < 2 or len({a.option.code for a in given}) < 2:
            continue
        first = given[0]
        instrument = first.assessment.instrument_version.instrument
        differences.append(
            {
                "instrument_nl": instrument.name_nl,
                "instrument_en": instrument.name_en,
                "item": code,
                "text_nl": first.item.text_nl,
                "text_en": first.item.text_en,
                "answers": [
                    {
                        "assessment": a.assessment_id,
                        "organisation": a.assessment.organisation.name,
                        "answer": a.option.code,
                        "label_nl": a.option.label_nl,
                        "label_en": a.option.label_en,
                    }
                    for a in sorted(given, key=lambda a: a.assessment_id)
                ],
            }
        )
    return differences


def localised_differences(differences: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored differences in the reader's language."""
    suffix = "en" if in_english() else "nl"
    return [
        {
            "instrument": d[f"instrument_{suffix}"],
            "item": d["item"],
            "text": d[f"text_{suffix}"],
            "answers": [
                {"organisation": a["organisation"], "label": a[f"label_{suffix}"]}
                for a in d["answers"]
            ],
        }
        for d in differences
    ]
