"""Everything the steering page shows, in a fixed number of queries."""

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Count, F, Max, Prefetch, Q, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone

from access.parts import ALL_PARTS, CasePart
from access.policy import (
    CaseAccess,
    decide_case_access,
    may_see_confidential,
    restrict,
    visible_repeated_cases,
)
from accounts.models import User
from partners.models import Gap

from ..models import (
    Breach,
    BreakGlassAccess,
    Case,
    CaseAction,
    CaseDocument,
    CaseEvent,
    CasePartner,
    CaseParty,
    CaseShare,
    ChildFile,
    CoDirector,
    EntryKind,
    Hearing,
    HitNotice,
    JournalEntry,
    JudicialCondition,
    Measure,
    MeasureExtension,
    MeasureKind,
    PartyRelation,
    PlanOfApproach,
    PoliceReport,
    ProsecutionDecision,
    Referral,
    RepeatMatch,
    SafetyPlan,
)
from .children import ChildLine, child_lines
from .core import open_shares
from .deadlines import Deadline, next_consultation_at, next_deadline, restraining_order_end
from .documents import case_documents
from .inbox import with_partner_answer
from .journal import with_overdue_flag
from .people import ShownParty, shown_party
from .plan import PlanState, plan_state
from .referrals import case_gaps, case_referrals
from .safety import PlanLine, plan_lines
from .violence import ViolenceFacts, violence_facts


@dataclass
class MeasureWarning:
    measure: Measure
    days_left: int


@dataclass
class ContactSummary:
    attempts: int = 0
    failed_attempts: int = 0
    last_real_contact: datetime.datetime | None = None


@dataclass
class Steering:
    can_change: bool
    # The case team's: where the confidential details of its people are shown.
    may_see_confidential: bool = False
    parties: list[ShownParty] = field(default_factory=list)
    relations: list[PartyRelation] = field(default_factory=list)
    co_directors: list[CoDirector] = field(default_factory=list)
    open_actions: list[CaseAction] = field(default_factory=list)
    recent_journal: list[JournalEntry] = field(default_factory=list)
    contacts: ContactSummary = field(default_factory=ContactSummary)
    police_reports: list[PoliceReport] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    measure_warnings: list[MeasureWarning] = field(default_factory=list)
    hearings: list[Hearing] = field(default_factory=list)
    # The judicial outcome: decisions (latest last), conditions, breaches.
    prosecution_decisions: list[ProsecutionDecision] = field(default_factory=list)
    conditions: list[JudicialCondition] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    partners: list[CasePartner] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    # The documents in use the user may see (confidential ones for the team only).
    documents: list[CaseDocument] = field(default_factory=list)
    # The shares that give access today (the disclosure records), for the case team and
    # readers of the whole file; and whether one still lacks a confirmed ground.
    shares: list[CaseShare] = field(default_factory=list)
    has_unconfirmed_share: bool = False
    # The parts of the file the user reads (a scoped share reads only some).
    parts: frozenset[CasePart] = ALL_PARTS
    # The earlier cases the user may see of which this case is a repeat (most recent first):
    # the full hit inside the user's own cases, and nothing about the others.
    repeats_shown: list[Case] = field(default_factory=list)
    # Hit notices to this user about this case, unread first.
    hit_notices: list[HitNotice] = field(default_factory=list)
    # Per victim and child: their safety plan (if any) and its review date.
    safety_plans: list[PlanLine] = field(default_factory=list)
    # Per child: age, exposure, last conversation, plan, VK/OCJ report, psychologist.
    children: list[ChildLine] = field(default_factory=list)
    # The plan of approach's state (None for a reader without the rest of the file).
    plan: PlanState | None = None
    # The summary strip: the soonest date to act on, and the restraining order's end.
    next_deadline: Deadline | None = None
    restraining_order_end: datetime.date | None = None
    today: datetime.date = field(default_factory=timezone.localdate)
    # The case's relationship contexts and forms of violence (one query for both).
    violence: ViolenceFacts = field(default_factory=ViolenceFacts)
    # The case's access decided once for this request (``access.policy.decide_case_access``):
    # the risk panel's reads use it too.
    access: CaseAccess | None = None

    @property
    def sees_risk(self) -> bool:
        return CasePart.RISK in self.parts

    @property
    def sees_judicial(self) -> bool:
        return CasePart.JUDICIAL in self.parts

    @property
    def sees_file(self) -> bool:
        return CasePart.FILE in self.parts

    @property
    def is_repeat_shown(self) -> bool:
        return bool(self.repeats_shown)


def restraining_order_warnings(
    measures: list[Measure], today: datetime.date
) -> list[MeasureWarning]:
    """Restraining orders that end within the warning period (or ended today)."""
    window = settings.FJC_RESTRAINING_ORDER_WARNING_DAYS
    warnings = []
    for measure in measures:
        if (
            measure.kind != MeasureKind.RESTRAINING_ORDER
            or measure.ends_on is None
            or measure.lifted_on is not None
        ):
            continue
        days_left = (measure.ends_on - today).days
        if 0 <= days_left <= window:
            warnings.append(MeasureWarning(measure, days_left))
    return warnings


def _contact_aggregates() -> dict[str, Any]:
    real = (
        ~Q(kind=EntryKind.NOTE)
        & ~Q(kind=EntryKind.CONTACT_ATTEMPT, reached=False)
        & ~Q(kind=EntryKind.CONTACT_ATTEMPT, reached__isnull=True)
    )
    return {
        "attempts": Count("pk", filter=Q(kind=EntryKind.CONTACT_ATTEMPT)),
        "failed": Count("pk", filter=Q(kind=EntryKind.CONTACT_ATTEMPT) & ~Q(reached=True)),
        "last": Max("occurred_at", filter=real),
    }


def contact_summary(*, user: User, case: Case, access: CaseAccess | None = None) -> ContactSummary:
    """Attempts to reach the client and the last real contact (track 2), from the journal
    entries the user sees (``access``: the case's access decided for the request)."""
    if access is None:
        entries = restrict(JournalEntry.objects.filter(case=case), user)
    else:
        entries = access.children(JournalEntry.objects.all())
    row = entries.aggregate(**_contact_aggregates())
    return ContactSummary(row["attempts"], row["failed"], row["last"])


def recent_journal_and_contacts(
    access: CaseAccess, limit: int = 5
) -> tuple[list[JournalEntry], ContactSummary]:
    """The ``limit`` latest journal entries the user sees and :func:`contact_summary` over all
    of them, in one query: the summary as window aggregates over every visible entry, which
    the database computes before the limit (no entry visible: no row, and nothing to count)."""
    windows = {
        f"contact_{name}": Window(aggregate) for name, aggregate in _contact_aggregates().items()
    }
    entries = list(
        access.children(JournalEntry.objects.all())
        .select_related("author")
        .annotate(**windows)[:limit]
    )
    if not entries:
        return [], ContactSummary()
    first: Any = entries[0]
    return entries, ContactSummary(first.contact_attempts, first.contact_failed, first.contact_last)


def case_hit_notices(
    *, user: User, case: Case | None = None, access: CaseAccess | None = None
) -> Any:
    """The hit notices addressed to ``user`` (on ``case``, or on every case they may see),
    unread first, newest first; the other organisation loaded. ``access``: the case's access
    decided for the request (then ``case`` is that case)."""
    if access is not None:
        notices = access.children(HitNotice.objects.all())
    else:
        notices = restrict(HitNotice.objects.all(), user)
        if case is not None:
            notices = notices.filter(case=case)
    return notices.select_related("case", "other_organisation").order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-pk"
    )


# The sections that are empty in most cases. Whether the case has any row in each comes with
# the page's own read of the case (``steering_presence``: one EXISTS each, on the table's
# case index), and a section without rows costs no query of its own: its read would find
# nothing whatever the user's access. A section with rows is read as before, through the
# access decided for the request. Only whether rows exist is read here, never shown.
# Name -> (model, its foreign key to the case whose rows the section reads). Another app adds
# its own sections with ``register_presence`` in its ``AppConfig.ready()`` (``cases`` cannot
# import it): the risk panel's reads, the next consultation.
_PRESENT_BY_CASE: dict[str, tuple[type[Any], str]] = {
    "shares": (CaseShare, "case"),
    "measures": (Measure, "case"),
    "hearings": (Hearing, "case"),
    "relations": (PartyRelation, "case"),
    "co_directors": (CoDirector, "case"),
    "police_reports": (PoliceReport, "case"),
    "prosecution_decisions": (ProsecutionDecision, "case"),
    "conditions": (JudicialCondition, "case"),
    "breaches": (Breach, "case"),
    "partners": (CasePartner, "case"),
    "referrals": (Referral, "case"),
    "documents": (CaseDocument, "case"),
    "hit_notices": (HitNotice, "case"),
    "gaps": (Gap, "case"),
    "plan": (PlanOfApproach, "case"),
    "break_glass": (BreakGlassAccess, "case"),
    # Whether the case is a repeat of any case at all: without a match there is no earlier
    # case to show (``visible_repeated_cases``), whoever asks; with one, the policy decides.
    "repeats": (RepeatMatch, "later"),
    # The victims' and children's lines show without these rows (no plan, no file yet).
    "safety_plans": (SafetyPlan, "case"),
    "child_files": (ChildFile, "case"),
}


def register_presence(name: str, model: type[Any], fk: str = "case") -> None:
    """Tell the steering page's read of the case to say whether ``model`` has rows of the
    case (through its foreign key ``fk``); read with :func:`has_rows`. Called at start-up."""
    known = _PRESENT_BY_CASE.get(name)
    if known == (model, fk):
        return  # the app registry made ready twice (a test reloading apps)
    if known is not None:
        raise ValueError(f"presence {name!r} is another table's already")
    _PRESENT_BY_CASE[name] = (model, fk)
    _bits.cache_clear()
    _presence_sql.cache_clear()


@functools.cache
def _bits() -> dict[str, int]:
    return {name: 1 << n for n, name in enumerate(_PRESENT_BY_CASE)}


def _column(field: Any) -> str:
    assert field.column is not None
    return str(field.column)


@functools.cache
def _presence_sql() -> str:
    """One integer, a bit per section whose table has a row of the case. Plain SQL made once
    per process from the models (table and column names only): as ORM ``Exists`` the
    fifteen subqueries took longer to compile than the page's whole read of the case."""
    qn = connection.ops.quote_name
    case = f"{qn(Case._meta.db_table)}.{qn(_column(Case._meta.pk))}"
    terms = []
    bits = _bits()
    for name, (model, fk) in _PRESENT_BY_CASE.items():
        table = qn(model._meta.db_table)
        column = qn(_column(model._meta.get_field(fk)))
        # Names from the models only, no value: nothing to inject.
        terms.append(
            f"CASE WHEN EXISTS (SELECT 1 FROM {table} WHERE {table}.{column} = {case})"  # noqa: S608
            f" THEN {bits[name]} ELSE 0 END"
        )
    # A bigint: room for 63 sections.
    return "(" + " + ".join(terms) + ")"


def steering_presence() -> dict[str, RawSQL]:
    """The annotation for the query that reads the case of the steering page (a ``Case``
    queryset; ``case_steering`` reads it): which mostly-empty sections have rows of the case."""
    presence = RawSQL(_presence_sql(), (), output_field=BigIntegerField())  # noqa: S611
    return {"steering_presence": presence}


def has_rows(case: Any, name: str) -> bool:
    """Whether section ``name`` of ``case`` may hold rows: False only when the case was read
    with ``steering_presence`` in this request and the section's table had no row of it
    (read without it, every section is read)."""
    presence = getattr(case, "steering_presence", None)
    return presence is None or bool(presence & _bits()[name])


def case_steering(*, case: Case, user: User, can_change: bool | None = None) -> Steering:
    """Everything the steering page shows of ``case``, which the caller read through
    ``access.policy.restrict`` in this request (the page's own query).

    The case's access is decided once (``access.policy.decide_case_access``: the parts the
    user reads and whether they may change it) and every child read below filters by the
    case's id and its per-row rules from that decision, without a permission subquery per
    query. ``can_change``: ``restrict(..., Action.CHANGE)``'s answer for the case when the
    caller has it (the steering page reads it with the case)."""
    today = timezone.localdate()
    access = decide_case_access(user, case, can_change=can_change)
    can_change = access.can_change
    parts = access.parts
    may_see = may_see_confidential(user, case, can_change=can_change)

    def scoped(rows: Any) -> Any:
        return access.children(rows.all())

    def rows(name: str, read: Any) -> list[Any]:
        """The section's rows: ``read()`` when the case has any there (``has_rows``)."""
        return list(read()) if has_rows(case, name) else []

    shares = rows("shares", lambda: open_shares(case=case, user=user, access=access))
    measures = rows(
        "measures",
        lambda: (
            scoped(Measure.objects)
            .select_related("lifted_by")
            .prefetch_related(
                Prefetch("extensions", queryset=MeasureExtension.objects.order_by("decided_on"))
            )
        ),
    )
    open_actions = list(
        with_overdue_flag(
            with_partner_answer(
                scoped(CaseAction.objects)
                .filter(done_on__isnull=True)
                .select_related("assignee_user", "assignee_organisation"),
                action=True,
            ),
            today,
        )
    )
    hearings = rows("hearings", lambda: scoped(Hearing.objects))
    parties = [
        shown_party(party, may_see=may_see)
        for party in scoped(CaseParty.objects).select_related("person")
    ]
    # The family's own file (plans, children, plan of approach): not for an anonymous consult.
    family_file = CasePart.FILE in parts and not case.is_anonymous_consult
    case_parties = [s.party for s in parties]
    safety_plans = (
        plan_lines(
            user=user,
            case=case,
            parties=case_parties,
            today=today,
            access=access,
            read=has_rows(case, "safety_plans"),
        )
        if family_file
        else []
    )
    children = (
        child_lines(
            user=user,
            case=case,
            parties=case_parties,
            today=today,
            access=access,
            read=has_rows(case, "child_files"),
        )
        if family_file
        else []
    )
    consultation_at = (
        next_consultation_at(case=case, user=user, access=access)
        if CasePart.FILE in parts and has_rows(case, "agenda_items")
        else None
    )
    recent_journal, contacts = recent_journal_and_contacts(access)
    return Steering(
        can_change=can_change,
        may_see_confidential=may_see,
        parties=parties,
        safety_plans=safety_plans,
        children=children,
        plan=(
            (
                plan_state(user=user, case=case, today=today, access=access)
                if has_rows(case, "plan")
                else PlanState(plan=None, today=today)
            )
            if family_file
            else None
        ),
        relations=rows(
            "relations",
            lambda: scoped(PartyRelation.objects).select_related(
                "from_party__person", "to_party__person"
            ),
        ),
        co_directors=rows(
            "co_directors",
            lambda: scoped(CoDirector.objects).select_related("user__organisation"),
        ),
        open_actions=open_actions,
        recent_journal=recent_journal,
        contacts=contacts,
        police_reports=rows(
            "police_reports", lambda: scoped(PoliceReport.objects).select_related("police_zone")
        ),
        measures=measures,
        measure_warnings=restraining_order_warnings(measures, today),
        hearings=hearings,
        prosecution_decisions=rows(
            "prosecution_decisions",
            lambda: scoped(ProsecutionDecision.objects).select_related("decided_by"),
        ),
        conditions=rows("conditions", lambda: scoped(JudicialCondition.objects)),
        breaches=rows(
            "breaches", lambda: scoped(Breach.objects).select_related("measure", "condition")
        ),
        partners=rows(
            "partners", lambda: scoped(CasePartner.objects).select_related("organisation")
        ),
        referrals=rows("referrals", lambda: case_referrals(case=case, user=user, access=access)),
        gaps=rows("gaps", lambda: case_gaps(case=case, user=user, access=access)),
        events=list(scoped(CaseEvent.objects).select_related("actor")[:15]),
        documents=(
            rows("documents", lambda: case_documents(user=user, case=case, access=access))
            if CasePart.FILE in parts
            else []
        ),
        shares=shares,
        has_unconfirmed_share=any(share.is_legacy for share in shares),
        parts=parts,
        repeats_shown=rows("repeats", lambda: visible_repeated_cases(user, case)),
        hit_notices=rows("hit_notices", lambda: case_hit_notices(user=user, access=access)),
        next_deadline=next_deadline(
            today=today,
            open_actions=open_actions,
            hearings=hearings,
            measures=measures,
            consultation_at=consultation_at,
        ),
        restraining_order_end=restraining_order_end(measures, today),
        today=today,
        violence=violence_facts(case),
        access=access,
    )
