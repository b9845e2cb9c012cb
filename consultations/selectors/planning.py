"""Reads for planning consultations and for the consultation view of an agenda case.

Each function asks :mod:`access.policy` first and loads what a page shows in a fixed number
of queries, whatever the number of rows.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import (
    Action,
    may_manage_consultation,
    may_see_consultation_identity,
    may_see_judicial_information,
    restrict,
    restrict_consultation_view,
    restrict_consultations,
    restrict_registrations,
    shown_in_consultation,
)
from accounts.models import User
from cases.models import (
    Case,
    CaseAction,
    CaseParty,
    Hearing,
    Measure,
    PlanAgreement,
    PlanGoal,
    PlanOfApproach,
    PoliceReport,
    RegistrationStatus,
    RegistrationStatusRecord,
    SafetyPlan,
    SafetyPlanPart,
    Status,
    Track,
    TrackChange,
)
from cases.selectors.registrations import OPEN_STATUSES
from cases.selectors.safety import ShownPart
from cases.services.people import age_on
from risk.current import CurrentRisk, current_grade_expression, current_risk, newest_first
from risk.escalation import ChainSetupCheck, escalation_suggestions
from risk.models import Assessment, JointAssessment, RiskGrade

from ..models import (
    AgendaItem,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    LegalBasis,
    Participant,
    PlanReview,
    TriageItem,
)
from .minutes import may_download_documents, triage_lines


def legal_basis_list() -> QuerySet[LegalBasis]:
    return (
        LegalBasis.objects.prefetch_related("allowed_organisations")
        .select_related("issuing_office", "agreement__organisation")
        .order_by("-is_active", "-dated_on", "reference")
    )


@dataclass
class ConsultationList:
    visible: list[Consultation]
    # Consultations the user takes part in without having confirmed secrecy: only their date
    # and a link to the confirmation page are shown.
    awaiting_secrecy: list[Consultation]


def consultation_list(*, user: User) -> ConsultationList:
    visible = restrict_consultations(Consultation.objects.all(), user).select_related(
        "legal_basis", "chair"
    )
    awaiting = Consultation.objects.filter(
        pk__in=Participant.objects.filter(
            user_id=user.pk, removed_at__isnull=True, secrecy_confirmed_at__isnull=True
        ).values("consultation_id")
    ).exclude(status=ConsultationStatus.CANCELLED)
    return ConsultationList(
        visible=list(visible),
        awaiting_secrecy=list(awaiting.only("pk", "scheduled_at", "status")),
    )


def _visible_items(consultation: Consultation, user: User) -> QuerySet[AgendaItem]:
    return restrict_consultation_view(
        AgendaItem.objects.filter(consultation=consultation), user
    ).select_related("case")


@dataclass
class ConsultationDetail:
    consultation: Consultation
    participants: list[Participant]
    items: list[AgendaItem]
    may_manage: bool
    # The agenda and minutes PDFs (the same rule as their views).
    may_download_documents: bool = False
    # A triage table's registrations the user's table decides (with their current status),
    # and how many others are on the agenda (never which).
    triage_items: list[TriageItem] = field(default_factory=list)
    triage_hidden: int = 0
    # The attendance register was kept (else the minutes use the invitation list).
    register_kept: bool = False

    @property
    def may_keep_register(self) -> bool:
        """The chair keeps the attendance register of a consultation that is not cancelled."""
        return self.may_manage and not self.consultation.is_cancelled

    @property
    def may_change(self) -> bool:
        """The chair changes date, agenda and participants while the consultation is planned."""
        return self.may_manage and self.consultation.is_planned


def consultation_detail(*, consultation: Consultation, user: User) -> ConsultationDetail:
    participants = list(
        consultation.participants.filter(removed_at__isnull=True).select_related(
            "user", "organisation", "represented_by_organisation"
        )
    )
    items = list(_visible_items(consultation, user).order_by("order", "id"))
    triage_items: list[TriageItem] = []
    triage_hidden = 0
    if consultation.kind == ConsultationKind.TRIAGE:
        all_items = TriageItem.objects.filter(consultation=consultation)
        visible = restrict_registrations(all_items, user, Action.CHANGE)
        triage_items = list(
            visible.select_related("registration__registrant_organisation")
            .annotate(
                registration_status=Subquery(
                    RegistrationStatusRecord.objects.filter(
                        registration_id=OuterRef("registration_id")
                    )
                    .order_by("-recorded_at", "-pk")
                    .values("status")[:1]
                )
            )
            .order_by("order", "pk")
        )
        for triage_item in triage_items:
            status = triage_item.registration_status  # type: ignore[attr-defined]
            triage_item.status_label = str(RegistrationStatus(status).label) if status else ""  # type: ignore[attr-defined]
        triage_hidden = all_items.count() - len(triage_items)
        # The decision taken at this table, per registration (the minutes' own reading).
        decided = {
            line.registration_id: line
            for line in triage_lines(consultation=consultation, user=user)[0]
            if line.decision is not None
        }
        for triage_item in triage_items:
            line = decided.get(triage_item.registration_id)
            triage_item.decided_here = line.decision_label if line else ""  # type: ignore[attr-defined]
            triage_item.may_decide = triage_item.registration_status in OPEN_STATUSES  # type: ignore[attr-defined]
    return ConsultationDetail(
        consultation=consultation,
        participants=participants,
        items=items,
        triage_items=triage_items,
        triage_hidden=triage_hidden,
        register_kept=any(p.attendance for p in participants),
        may_manage=may_manage_consultation(user, consultation),
        may_download_documents=may_download_documents(
            user=user, consultation=consultation, items=[*items, *triage_items]
        ),
    )


# --- Agenda suggestions ---


def _consultation_done() -> Exists:
    """For ``risk.escalation``'s chain setup: the case is on the agenda of a consultation (held
    or planned, not cancelled) on or after the day it entered track 3."""
    return Exists(
        AgendaItem.objects.filter(
            case_id=OuterRef("pk"),
            removed_at__isnull=True,
            consultation__scheduled_at__date__gte=OuterRef("chain_since"),
        ).exclude(consultation__status=ConsultationStatus.CANCELLED)
    )


CONSULTATION_CHECK = ChainSetupCheck(
    "consultation", gettext_lazy("no case consultation"), _consultation_done
)


@dataclass
class Suggestion:
    case: Case
    reasons: list[str]

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def _previous_consultation(consultation: Consultation) -> Consultation | None:
    return (
        Consultation.objects.filter(
            chair_id=consultation.chair_id, scheduled_at__lt=consultation.scheduled_at
        )
        .exclude(status=ConsultationStatus.CANCELLED)
        .exclude(pk=consultation.pk)
        .order_by("-scheduled_at")
        .first()
    )


def _high_risk_case_ids(cases: QuerySet[Case]) -> set[int]:
    """The cases whose current level (``risk.current``'s rule) is high, in one query."""
    return set(
        cases.annotate(current_grade=current_grade_expression())
        .filter(current_grade=RiskGrade.HIGH)
        .values_list("pk", flat=True)
    )


def _earlier_agenda_cases(consultation: Consultation) -> Any:
    """The cases on the agenda of a consultation (not cancelled) before this one."""
    return (
        AgendaItem.objects.filter(
            removed_at__isnull=True, consultation__scheduled_at__lt=consultation.scheduled_at
        )
        .exclude(consultation=consultation)
        .exclude(consultation__status=ConsultationStatus.CANCELLED)
        .values("case_id")
    )


def open_reviews(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """Agenda items with a review date whose case is not back on a later agenda (of a
    consultation not cancelled, after the item's own)."""
    later = AgendaItem.objects.filter(
        case_id=OuterRef("case_id"),
        removed_at__isnull=True,
        consultation__scheduled_at__gt=OuterRef("consultation__scheduled_at"),
    ).exclude(consultation__status=ConsultationStatus.CANCELLED)
    return (
        items.filter(review_on__isnull=False, removed_at__isnull=True)
        .exclude(consultation__status=ConsultationStatus.CANCELLED)
        .exclude(Exists(later))
    )


def reviews_due(
    cases: QuerySet[Case], *, consultation: Consultation, on: datetime.date
) -> list[tuple[int, str]]:
    """(case id, review date) for each of ``cases`` whose review date, set on an earlier
    consultation's agenda, has come by ``on`` and that no later agenda took up yet."""
    rows = (
        open_reviews(AgendaItem.objects.filter(case__in=cases, review_on__lte=on))
        .filter(consultation__scheduled_at__lt=consultation.scheduled_at)
        .values_list("case_id", "review_on")
        .order_by("review_on", "pk")
    )
    return [(case_id, review_on.isoformat()) for case_id, review_on in rows if review_on]


def agenda_suggestions(*, consultation: Consultation, user: User) -> list[Suggestion]:
    """Cases the user steers (may change), not closed, not on the agenda yet, that are due."""
    on_agenda = AgendaItem.objects.filter(
        consultation=consultation, removed_at__isnull=True
    ).values("case_id")
    if consultation.kind == ConsultationKind.TRIAGE:
        return []  # a triage table's agenda holds registrations (services.craft)
    candidates = (
        restrict(Case.objects.all(), user, Action.CHANGE)
        .exclude(status=Status.CLOSED)
        .exclude(pk__in=on_agenda)
    )
    if consultation.kind == ConsultationKind.FOLLOW_UP:
        candidates = candidates.filter(pk__in=_earlier_agenda_cases(consultation))
    meeting_day = timezone.localtime(consultation.scheduled_at).date()
    previous = _previous_consultation(consultation)
    since = (
        timezone.localtime(previous.scheduled_at).date()
        if previous
        else meeting_day - datetime.timedelta(days=30)
    )
    reasons: dict[int, list[str]] = {}

    def add(case_id: int, reason: str) -> None:
        found = reasons.setdefault(case_id, [])
        if reason not in found:
            found.append(reason)

    for case_id in sorted(_high_risk_case_ids(candidates)):
        add(case_id, _("current risk level high"))
    for case_id, suggestion in escalation_suggestions(candidates, user=user).items():
        add(
            case_id,
            _("suggested for track 3: %(reasons)s") % {"reasons": suggestion.reason_text},
        )
    moved = TrackChange.objects.filter(
        case__in=candidates, to_track=Track.CHAIN, changed_on__gte=since
    ).values_list("case_id", "changed_on")
    for case_id, changed_on in moved:
        add(case_id, _("moved to track 3 on %(date)s") % {"date": changed_on.isoformat()})
    carried = (
        CaseAction.objects.filter(
            case__in=candidates,
            done_on__isnull=True,
            consultation_link__agenda_item__consultation__scheduled_at__lt=(
                consultation.scheduled_at
            ),
        )
        .exclude(consultation_link__agenda_item__consultation=consultation)
        .values_list("case_id", "consultation_link__agenda_item__consultation__scheduled_at")
        .order_by("consultation_link__agenda_item__consultation__scheduled_at")
    )
    for case_id, held_at in carried:
        add(
            case_id,
            _("open actions from the consultation of %(date)s")
            % {"date": timezone.localtime(held_at).date().isoformat()},
        )
    due = (
        CaseAction.objects.filter(
            case__in=candidates, done_on__isnull=True, due_on__lte=meeting_day
        )
        .exclude(consultation_link__isnull=False)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for case_id in due:
        add(case_id, _("an action is due before the meeting (review)"))
    for case_id, review_on in reviews_due(candidates, consultation=consultation, on=meeting_day):
        add(case_id, _("review date %(date)s of an earlier consultation") % {"date": review_on})
    cases = Case.objects.filter(pk__in=reasons).select_related("case_director")
    return [
        Suggestion(case=case, reasons=reasons[case.pk])
        for case in sorted(cases, key=lambda c: c.reference)
    ]


# --- The consultation view of one agenda case ---


@dataclass
class Judicial:
    parket_notice_number: str
    police_reports: list[PoliceReport]
    measures: list[Measure]
    hearings: list[Hearing]


@dataclass
class IdentityLine:
    """One person of the client system as a consultation shows them: who, not where."""

    party_id: int
    first_name: str
    last_name: str
    date_of_birth: datetime.date | None
    age: int | None
    age_band: str  # the band's label, when the date of birth is not known
    role: str


# The fields of a person the consultation view reads, and no others: an address (confidential
# or not) and a safe contact are never loaded, so no template or export can show them.
IDENTITY_FIELDS = (
    "position",
    "is_victim",
    "is_perpetrator",
    "is_witness",
    "is_involved",
    "person__first_name",
    "person__last_name",
    "person__date_of_birth",
    "person__age_band",
)


def consultation_identity(*, item: AgendaItem, on: datetime.date) -> list[IdentityLine]:
    """The client system's minimal identity for the consultation view of ``item``: names,
    date of birth or age, role in the case (the page adds the case's municipality). The
    caller has asked ``access.policy.may_see_consultation_identity``. One query."""
    parties = (
        CaseParty.objects.filter(case_id=item.case_id)
        .select_related("person")
        .only(*IDENTITY_FIELDS, "case_id", "person_id")
        .order_by(
            "-is_victim",
            "-is_perpetrator",
            "position",
            "person__last_name",
            "person__first_name",
            "pk",
        )
    )
    lines = []
    for party in parties:
        person = party.person
        born = person.date_of_birth
        lines.append(
            IdentityLine(
                party_id=party.pk,
                first_name=person.first_name,
                last_name=person.last_name,
                date_of_birth=born,
                age=age_on(born, on) if born is not None else None,
                age_band=str(person.get_age_band_display()),
                role=party.role_summary,
            )
        )
    return lines


def case_people_names(case: Case) -> list[str]:
    """The names of the case's people, for spotting them in a free-text summary."""
    rows = CaseParty.objects.filter(case=case).values_list(
        "person__first_name", "person__last_name"
    )
    return [part for row in rows for part in row]


@dataclass(frozen=True)
class ConsultationPlan:
    """A safety plan as a consultation view shows it: the parts the case director chose to
    share that ``access.policy`` lets a consultation hear, nothing else."""

    party_id: int
    role: str
    agreed_on: datetime.date
    review_on: datetime.date
    parts: list[ShownPart]
    # The person's name, for who may see the client system's identity in this view.
    name: str | None = None


def consultation_safety_plans(
    *, item: AgendaItem, identity: list[IdentityLine] | None
) -> list[ConsultationPlan]:
    """The shareable parts of each safety plan of the agenda case, the confidential ones never
    (``access.policy.shown_in_consultation``): only the fields that may be shown are copied
    out, and a plan with nothing to share is left out. One query."""
    names = {line.party_id: f"{line.first_name} {line.last_name}" for line in identity or ()}
    plans = (
        SafetyPlan.objects.filter(case_id=item.case_id)
        .select_related("party")
        .order_by("-party__is_victim", "party__position", "pk")
    )
    shown = []
    for plan in plans:
        fields = shown_in_consultation(plan, plan.shareable_parts)
        if not fields:
            continue
        shown.append(
            ConsultationPlan(
                party_id=plan.party_id,
                role=plan.party.role_summary,
                agreed_on=plan.agreed_on,
                review_on=plan.review_on,
                parts=[
                    ShownPart(name, str(SafetyPlanPart(name).label), getattr(plan, name), True)
                    for name in fields
                ],
                name=names.get(plan.party_id),
            )
        )
    return shown


@dataclass(frozen=True)
class ConsultationGoal:
    """A goal of the plan of approach as a consultation view shows it: for whom, the goal and
    its agreements; never the note for the case team (``access.policy``)."""

    whom: str
    description: str
    agreements: list[PlanAgreement]


@dataclass
class ConsultationPlanOfApproach:
    plan: PlanOfApproach
    goals: list[ConsultationGoal]
    # Goals the case director did not show in a consultation (counted, never described).
    not_shown: int = 0
    last_review: PlanReview | None = None


def consultation_plan_of_approach(
    *, item: AgendaItem, identity: list[IdentityLine] | None
) -> ConsultationPlanOfApproach | None:
    """The agenda case's plan of approach for the consultation view: its state and dates, the
    goals the case director chose to show (``shared_in_consultation``) with their agreements,
    only the fields ``access.policy.shown_in_consultation`` lets through, and the last review
    in a consultation. Four queries at most, whatever the number of goals."""
    plan = PlanOfApproach.objects.filter(case_id=item.case_id).first()
    if plan is None:
        return None
    names = {line.party_id: f"{line.first_name} {line.last_name}" for line in identity or ()}
    goals = (
        PlanGoal.objects.filter(plan=plan, removed_at__isnull=True)
        .select_related("party")
        .prefetch_related(
            Prefetch(
                "agreements",
                queryset=PlanAgreement.objects.select_related("organisation", "user"),
            )
        )
        .order_by("created_at", "pk")
    )
    shown: list[ConsultationGoal] = []
    not_shown = 0
    for goal in goals:
        fields = shown_in_consultation(goal, ["description"]) if goal.shared_in_consultation else []
        if not fields:
            not_shown += 1
            continue
        if goal.party is None:
            whom = _("The family as a whole")
        elif goal.party_id in names:
            whom = f"{names[goal.party_id]} ({goal.party.role_summary})"
        else:
            whom = str(goal.party.role_summary)
        shown.append(
            ConsultationGoal(
                whom=whom, description=goal.description, agreements=list(goal.agreements.all())
            )
        )
    return ConsultationPlanOfApproach(
        plan=plan,
        goals=shown,
        not_shown=not_shown,
        last_review=PlanReview.objects.filter(plan=plan).first(),
    )


@dataclass
class ConsultationView:
    item: AgendaItem
    case: Case
    joints: list[JointAssessment]
    current: CurrentRisk | None
    judicial: Judicial | None
    # The client system's minimal identity, or None for who may not see it.
    identity: list[IdentityLine] | None = None
    # The parts of the safety plans that may be shared in the consultation.
    safety_plans: list[ConsultationPlan] = field(default_factory=list)
    # The case's plan of approach, as far as the case director shows it in a consultation.
    plan_of_approach: ConsultationPlanOfApproach | None = None


def consultation_view(*, item: AgendaItem, user: User) -> ConsultationView:
    """What an agenda case shows in a consultation: summary, joint risk assessments and the
    current level, decisions, and the judicial information for those who may see it.

    The caller fetched ``item`` through ``access.policy.restrict_consultation_view``. The risk
    and judicial models are read directly here because ``risk.selectors`` and the case
    selectors filter by case access, which an outside participant does not have; nothing
    else of the case (journal, people, addresses) is read.
    """
    case = item.case
    joints = list(
        newest_first(JointAssessment.objects.filter(case=case).prefetch_related("organisations"))
    )
    latest = newest_first(Assessment.objects.filter(case=case).select_related("level"))[:1]
    judicial = None
    if may_see_judicial_information(user, case):
        judicial = Judicial(
            parket_notice_number=case.parket_notice_number,
            police_reports=list(PoliceReport.objects.filter(case=case).order_by("drawn_up_on")),
            measures=list(
                Measure.objects.filter(case=case)
                .prefetch_related("extensions")
                .order_by("starts_on", "id")
            ),
            hearings=list(Hearing.objects.filter(case=case).order_by("held_at")),
        )
    identity = None
    if may_see_consultation_identity(user, item):
        identity = consultation_identity(item=item, on=timezone.localdate())
    return ConsultationView(
        safety_plans=consultation_safety_plans(item=item, identity=identity),
        plan_of_approach=consultation_plan_of_approach(item=item, identity=identity),
        item=item,
        case=case,
        joints=joints,
        current=current_risk(assessments=latest, joints=joints[:1]),
        judicial=judicial,
        identity=identity,
    )


__all__ = [
    "ConsultationDetail",
    "ConsultationGoal",
    "ConsultationList",
    "ConsultationPlan",
    "ConsultationPlanOfApproach",
    "ConsultationView",
    "IdentityLine",
    "Suggestion",
    "agenda_suggestions",
    "case_people_names",
    "consultation_detail",
    "consultation_identity",
    "consultation_list",
    "consultation_plan_of_approach",
    "consultation_safety_plans",
    "consultation_view",
    "legal_basis_list",
    "reviews_due",
]
