"""Escalation that suggests the chain approach (issue 17, part 6): the one home of the rule.

**The suggestion.** An open case in track 1 or 2 (not an anonymous consult) is suggested for
track 3 and for the next case consultation when any of these reasons holds:

* ``threshold``: its current risk record (``risk.current``'s rule) reached the instrument's
  high threshold: the score's level suggests escalation, or a joint assessment agreed "high";
* ``judgement``: the assessor's professional judgement put the current assessment at a level
  that suggests escalation (a raise above the computed level, or an instrument without a total);
* ``escalation``: at least ``FJC_ESCALATION_INCIDENTS`` incidents in ``FJC_ESCALATION_MONTHS``
  months, as an assessment of that period records them, or as the case's police reports and
  breaches dated in that period count them;
* ``repeat``: the case is, for this user, a repeat of an earlier case they may see
  (``access.policy.visible_repeat_exists``, row by row: never an oracle about other
  organisations' cases).

A reason the case director already answered does not suggest again: a ``RiskDecision`` on the
current record (``risk.services.risk_decision_record``) answers ``threshold`` and ``judgement``;
an :class:`~risk.models.EscalationDismissal` answers every reason whose ground (its *key*: the
assessment, the newest incident, the repeat) it listed. A new ground shows the suggestion again.

**The chain setup.** A track-3 case that, ``FJC_CHAIN_SETUP_WEEKS`` weeks after it last entered
track 3 (its last ``TrackChange`` to track 3, else its opening), still lacks one of the
registered *chain setup checks* shows a warning. The checks are registered with
:func:`register_chain_setup_check`: this module registers the joint risk assessment,
``consultations`` registers the case consultation in its ``AppConfig.ready()``; another part
(the plan of approach) adds its own with one call. Each check is an ``Exists`` over the case
(``OuterRef("pk")``) of a record dated on or after the day the case entered track 3
(``OuterRef("chain_since")``).

Both are computed in ONE query over a ``Case`` queryset the caller restricted (the steering page,
the deadline board, the consultation's agenda suggestions), so their answers cannot differ.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.policy import Action, CaseAccess, restrict, visible_repeat_exists
from accounts.models import User
from cases.models import (
    Breach,
    Case,
    PlanOfApproach,
    PlanStatus,
    PoliceReport,
    Status,
    Track,
    TrackChange,
)
from common.dates import add_months

from .current import newest_first
from .models import Assessment, EscalationDismissal, JointAssessment, RiskDecision, RiskGrade


class ReasonCode(models.TextChoices):
    THRESHOLD = "threshold", _("the risk instrument's high threshold is reached")
    JUDGEMENT = "judgement", _("professional judgement: high risk")
    ESCALATION = "escalation", _("escalation")
    REPEAT = "repeat", _("repeat of an earlier case")


def reason_label(code: str) -> str:
    """The Dutch (or English) label of a reason code; escalation names its numbers."""
    if code == ReasonCode.ESCALATION:
        return gettext("escalation: %(incidents)s or more incidents in %(months)s months") % {
            "incidents": settings.FJC_ESCALATION_INCIDENTS,
            "months": settings.FJC_ESCALATION_MONTHS,
        }
    try:
        return str(ReasonCode(code).label)
    except ValueError:
        return code


@dataclass(frozen=True)
class Reason:
    code: str
    # Since when the reason holds (the assessment's date, the newest incident, ...).
    on: datetime.date
    # The grounds it stands on; a dismissal that listed them all answers the reason.
    keys: tuple[str, ...]

    @property
    def label(self) -> str:
        return reason_label(self.code)


@dataclass
class Suggestion:
    """An open track-1/2 case suggested for track 3 and the next case consultation."""

    case: Case
    reasons: list[Reason]

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    @property
    def keys(self) -> list[str]:
        return sorted({key for reason in self.reasons for key in reason.keys})

    @property
    def labels(self) -> list[str]:
        return [reason.label for reason in self.reasons]

    @property
    def reason_text(self) -> str:
        return "; ".join(self.labels)

    @property
    def since(self) -> datetime.date:
        """The day the newest reason arose."""
        return max(reason.on for reason in self.reasons)


# --- chain setup checks ---


@dataclass(frozen=True)
class ChainSetupCheck:
    """Something a track-3 case should have within ``FJC_CHAIN_SETUP_WEEKS`` weeks.

    ``done`` gives an ``Exists`` over the case (``OuterRef("pk")``) of a record dated on or after
    the day it entered track 3 (``OuterRef("chain_since")``); ``missing`` says what is lacking
    ("no joint risk assessment")."""

    code: str
    missing: str | Promise
    done: Callable[[], Exists]


_CHECKS: dict[str, ChainSetupCheck] = {}


def register_chain_setup_check(check: ChainSetupCheck) -> None:
    """Add a check (the order of registration is the order of the warning's words)."""
    _CHECKS[check.code] = check


def chain_setup_checks() -> list[ChainSetupCheck]:
    return list(_CHECKS.values())


def dated_record_check(
    code: str, missing: str | Promise, model: type[models.Model], date_field: str
) -> ChainSetupCheck:
    """A check that the case has a ``model`` row (with a ``case`` foreign key) whose
    ``date_field`` is on or after the day it entered track 3. The plan of approach's check is
    ``dated_record_check("plan_of_approach", _("no plan of approach"), PlanOfApproach, "…")``."""

    def done() -> Exists:
        return Exists(
            model._default_manager.filter(
                case_id=OuterRef("pk"), **{f"{date_field}__gte": OuterRef("chain_since")}
            )
        )

    return ChainSetupCheck(code, missing, done)


JOINT_ASSESSMENT_CHECK = dated_record_check(
    "joint_assessment", _("no joint risk assessment"), JointAssessment, "held_on"
)


def _active_plan() -> Exists:
    # A plan made while the case was still in track 2 counts too: it is the family's one plan.
    return Exists(PlanOfApproach.objects.filter(case_id=OuterRef("pk"), status=PlanStatus.ACTIVE))


PLAN_OF_APPROACH_CHECK = ChainSetupCheck(
    "plan_of_approach", _("no active plan of approach"), _active_plan
)


@dataclass
class ChainWarning:
    """A track-3 case still lacking part of the chain approach after the set weeks."""

    case: Case
    since: datetime.date  # the day it entered track 3
    due_on: datetime.date  # ``since`` + FJC_CHAIN_SETUP_WEEKS weeks
    missing: list[str]

    @property
    def missing_text(self) -> str:
        return " / ".join(self.missing)


def chain_setup_due(since: datetime.date) -> datetime.date:
    return since + datetime.timedelta(weeks=settings.FJC_CHAIN_SETUP_WEEKS)


# --- the one query ---


def _json(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _date(value: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


def _moment(value: Any) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value) if value else datetime.datetime.min


def annotated(
    queryset: QuerySet[Case],
    *,
    user: User,
    today: datetime.date,
    checks: Sequence[ChainSetupCheck] | None = None,
    suggestion: bool = True,
    chain: bool = True,
) -> QuerySet[Case]:
    """``queryset`` (restricted by the caller) with what the rule needs, in the same query.

    ``suggestion``: what :func:`suggestion_of` and :func:`reasons_of` read; ``chain``: what
    :func:`chain_warning_of` reads. Each caller asks only the half it reads: each annotation
    is a correlated subquery to build, compile and plan (the steering page's largest
    statement was these annotations, half of them unread)."""
    if suggestion:
        queryset = _suggestion_annotated(queryset, user=user, today=today)
    if chain:
        queryset = _chain_annotated(queryset, checks=checks)
    return queryset


def _suggestion_annotated(
    queryset: QuerySet[Case], *, user: User, today: datetime.date
) -> QuerySet[Case]:
    start = add_months(today, -settings.FJC_ESCALATION_MONTHS)
    case = OuterRef("pk")
    newest_assessment = newest_first(
        Assessment.objects.filter(case_id=case, assessed_on__lte=today)
    ).values(
        data=JSONObject(
            pk="pk",
            on="assessed_on",
            recorded="created_at",
            level="level_id",
            level_suggests="level__suggests_escalation",
            computed_suggests="computed_level__suggests_escalation",
            decided=Exists(RiskDecision.objects.filter(assessment_id=OuterRef("pk"))),
        )
    )[:1]
    newest_joint = newest_first(
        JointAssessment.objects.filter(case_id=case, held_on__lte=today)
    ).values(
        data=JSONObject(
            pk="pk",
            on="held_on",
            recorded="recorded_at",
            level="level",
            decided=Exists(RiskDecision.objects.filter(joint_assessment_id=OuterRef("pk"))),
        )
    )[:1]
    escalated = (
        Assessment.objects.filter(
            case_id=case,
            escalation=True,
            escalation_incidents__gte=settings.FJC_ESCALATION_INCIDENTS,
            assessed_on__gte=start,
            assessed_on__lte=today,
        )
        .order_by("-assessed_on", "-pk")
        .values(data=JSONObject(pk="pk", on="assessed_on"))[:1]
    )

    def incidents(model: type[models.Model], date_field: str) -> Subquery:
        rows = (
            model._default_manager.filter(
                case_id=case, **{f"{date_field}__gte": start, f"{date_field}__lte": today}
            )
            .order_by()
            .values("case_id")
            .annotate(data=JSONObject(n=Count("pk"), last=Max(date_field), top=Max("pk")))
            .values("data")
        )
        return Subquery(rows, output_field=models.JSONField())

    dismissal = (
        EscalationDismissal.objects.filter(case_id=case)
        .order_by("-recorded_at", "-pk")
        .values("reason_keys")[:1]
    )
    json = models.JSONField()
    return queryset.annotate(
        esc_assessment=Subquery(newest_assessment, output_field=json),
        esc_joint=Subquery(newest_joint, output_field=json),
        esc_escalated=Subquery(escalated, output_field=json),
        esc_police=incidents(PoliceReport, "drawn_up_on"),
        esc_breaches=incidents(Breach, "occurred_on"),
        esc_repeat=models.ExpressionWrapper(
            visible_repeat_exists(user), output_field=models.BooleanField()
        ),
        esc_dismissed=Subquery(dismissal, output_field=json),
    )


def _chain_annotated(
    queryset: QuerySet[Case], *, checks: Sequence[ChainSetupCheck] | None
) -> QuerySet[Case]:
    chain_since = (
        TrackChange.objects.filter(case_id=OuterRef("pk"), to_track=Track.CHAIN)
        .order_by("-changed_on", "-pk")
        .values("changed_on")[:1]
    )
    queryset = queryset.annotate(chain_since=Coalesce(Subquery(chain_since), F("opened_on")))
    checks = chain_setup_checks() if checks is None else checks
    return queryset.annotate(**{f"chain_{check.code}": check.done() for check in checks})


def _current_reasons(row: Case) -> list[Reason]:
    """``threshold`` and ``judgement``, from the current record (``risk.current``'s order)."""
    assessment = _json(getattr(row, "esc_assessment", None))
    joint = _json(getattr(row, "esc_joint", None))
    a_on, j_on = _date(assessment.get("on")), _date(joint.get("on"))
    if j_on is not None and (
        a_on is None
        or (j_on, _moment(joint.get("recorded"))) >= (a_on, _moment(assessment.get("recorded")))
    ):
        if joint.get("level") == RiskGrade.HIGH and not joint.get("decided"):
            return [Reason(ReasonCode.THRESHOLD, j_on, (f"threshold:j{joint['pk']}",))]
        return []
    if a_on is None or assessment.get("decided"):
        return []
    pk = assessment["pk"]
    if assessment.get("computed_suggests"):
        return [Reason(ReasonCode.THRESHOLD, a_on, (f"threshold:a{pk}",))]
    if assessment.get("level_suggests"):
        return [Reason(ReasonCode.JUDGEMENT, a_on, (f"judgement:a{pk}:{assessment['level']}",))]
    return []


def _escalation_reason(row: Case) -> Reason | None:
    threshold = settings.FJC_ESCALATION_INCIDENTS
    keys: list[str] = []
    days: list[datetime.date] = []
    escalated = _json(getattr(row, "esc_escalated", None))
    if escalated:
        keys.append(f"escalation:a{escalated['pk']}")
        days.append(_date(escalated["on"]) or row.opened_on)
    police = _json(getattr(row, "esc_police", None))
    breaches = _json(getattr(row, "esc_breaches", None))
    if police.get("n", 0) + breaches.get("n", 0) >= threshold:
        # The newest report and breach: a new incident is a new ground.
        keys.append(f"incidents:p{police.get('top', 0)}:b{breaches.get('top', 0)}")
        days.extend(d for d in (_date(police.get("last")), _date(breaches.get("last"))) if d)
    if not keys:
        return None
    return Reason(ReasonCode.ESCALATION, max(days), tuple(keys))


def reasons_of(row: Case) -> list[Reason]:
    """Every reason that holds for an annotated row (before any dismissal)."""
    reasons = _current_reasons(row)
    escalation = _escalation_reason(row)
    if escalation is not None:
        reasons.append(escalation)
    if getattr(row, "esc_repeat", False):
        reasons.append(Reason(ReasonCode.REPEAT, row.repeat_since or row.opened_on, ("repeat",)))
    return reasons


def may_be_suggested(case: Case) -> bool:
    return (
        case.track != Track.CHAIN and case.status != Status.CLOSED and not case.is_anonymous_consult
    )


def suggestion_of(row: Case) -> Suggestion | None:
    """The suggestion for an annotated row: None when nothing holds, or when the last dismissal
    listed every ground that holds now."""
    if not may_be_suggested(row):
        return None
    reasons = reasons_of(row)
    if not reasons:
        return None
    dismissed = set(getattr(row, "esc_dismissed", None) or ())
    if all(key in dismissed for reason in reasons for key in reason.keys):
        return None
    return Suggestion(case=row, reasons=reasons)


def chain_warning_of(
    row: Case, today: datetime.date, checks: Sequence[ChainSetupCheck] | None = None
) -> ChainWarning | None:
    """The warning for an annotated open track-3 row past its set weeks, or None."""
    if row.track != Track.CHAIN or row.status == Status.CLOSED or row.is_anonymous_consult:
        return None
    since: datetime.date = row.chain_since  # type: ignore[attr-defined]
    due_on = chain_setup_due(since)
    if today < due_on:
        return None
    checks = chain_setup_checks() if checks is None else checks
    missing = [str(c.missing) for c in checks if not getattr(row, f"chain_{c.code}", True)]
    if not missing:
        return None
    return ChainWarning(case=row, since=since, due_on=due_on, missing=missing)


# --- what the pages ask ---


def escalation_suggestions(
    cases: QuerySet[Case], *, user: User, today: datetime.date | None = None
) -> dict[int, Suggestion]:
    """The suggestions among ``cases`` (restricted by the caller), by case id. One query."""
    today = today or timezone.localdate()
    candidates = cases.exclude(track=Track.CHAIN).exclude(status=Status.CLOSED)
    rows = annotated(
        candidates.filter(is_anonymous_consult=False), user=user, today=today, chain=False
    )
    found = {}
    for row in rows:
        suggestion = suggestion_of(row)
        if suggestion is not None:
            found[row.pk] = suggestion
    return found


def chain_setup_warnings(
    cases: QuerySet[Case],
    *,
    user: User,
    today: datetime.date | None = None,
    checks: Sequence[ChainSetupCheck] | None = None,
) -> dict[int, ChainWarning]:
    """The chain setup warnings among ``cases`` (restricted by the caller). One query."""
    today = today or timezone.localdate()
    rows = annotated(
        cases.filter(track=Track.CHAIN, is_anonymous_consult=False).exclude(status=Status.CLOSED),
        user=user,
        today=today,
        checks=checks,
        suggestion=False,
    )
    found = {}
    for row in rows:
        warning = chain_warning_of(row, today, checks)
        if warning is not None:
            found[row.pk] = warning
    return found


@dataclass
class CaseEscalation:
    """What the steering page shows: a suggestion, or (track 3) a chain setup warning."""

    suggestion: Suggestion | None = None
    warning: ChainWarning | None = None
    may_dismiss: bool = False
    # May plan a consultation (the link to put the case on an agenda).
    may_plan: bool = False
    reasons: list[Reason] = field(default_factory=list)

    @property
    def weeks(self) -> int:
        return int(settings.FJC_CHAIN_SETUP_WEEKS)


def _one(case: Case, user: User, access: CaseAccess | None = None) -> QuerySet[Case]:
    """``case`` if the user may change it (those who steer it), in the same query; with
    ``access`` (the case's access decided for this request) by its id alone when it gives
    change access, without asking the grants again."""
    if access is not None and access.case_id == case.pk:
        return Case.objects.filter(pk=case.pk) if access.can_change else Case.objects.none()
    return restrict(Case.objects.filter(pk=case.pk), user, Action.CHANGE)


def case_escalation(
    *,
    case: Case,
    user: User,
    may_dismiss: bool,
    today: datetime.date | None = None,
    access: CaseAccess | None = None,
) -> CaseEscalation:
    """For one case the user may change (the caller checked): at most one query, none for a
    closed case or an anonymous consult. ``access``: the case's access decided for the
    request (``access.policy.decide_case_access``), which saves asking the grants again.

    ``case``'s track (read in this request) says which half of the rule applies: a track-3
    case gets the chain setup warning only, any other the suggestion only."""
    today = today or timezone.localdate()
    if case.status == Status.CLOSED or case.is_anonymous_consult:
        return CaseEscalation()
    chain = case.track == Track.CHAIN
    row = (
        annotated(
            _one(case, user, access), user=user, today=today, suggestion=not chain, chain=chain
        )
        .order_by()
        .first()
    )
    if row is None:
        return CaseEscalation()
    if chain:
        return CaseEscalation(warning=chain_warning_of(row, today))
    suggestion = suggestion_of(row)
    return CaseEscalation(
        suggestion=suggestion,
        may_dismiss=may_dismiss and suggestion is not None,
        reasons=reasons_of(row),
    )


def current_reasons(*, case: Case, user: User, today: datetime.date | None = None) -> list[Reason]:
    """Every reason that holds now for ``case`` (dismissed or not): what a dismissal lists."""
    today = today or timezone.localdate()
    row = annotated(_one(case, user), user=user, today=today, chain=False).first()
    return reasons_of(row) if row is not None and may_be_suggested(row) else []
