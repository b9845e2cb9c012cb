"""The steering page decides a case's access once (``access.policy.decide_case_access``).

Its child reads filter by the case's id plus their per-row rules, applied from that decision,
instead of ``restrict``'s permission subqueries per query. These tests hold it to the rule it
replaces: for every kind of reader, each child read on the steering page returns exactly the
rows ``restrict`` returns (the reference: the only other way), and the page answers with the
exact status. A case is filled so that every per-row rule has rows on both sides: a journal
entry for the team only, a confidential and a removed document, timeline lines about a case
the reader may and may not see, a hit notice to someone else.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from access.parts import ALL_PARTS, CasePart, ShareScope
from access.policy import Action, CaseAccess, decide_case_access, is_permitted, restrict
from cases.models import (
    Breach,
    Case,
    CaseAction,
    CaseDocument,
    CaseEvent,
    CasePartner,
    CaseParty,
    CaseShare,
    Channel,
    CoDirector,
    DocumentKind,
    EntryKind,
    EventKind,
    Hearing,
    HitNotice,
    JournalEntry,
    JudicialCondition,
    Measure,
    PartyRelation,
    PlanOfApproach,
    PoliceReport,
    ProsecutionDecision,
    Referral,
    SafetyPlan,
    Visibility,
)
from cases.selectors import case_steering
from cases.selectors.steering import contact_summary
from cases.services import journal_entry_add, share_create, share_stop
from cases.services.break_glass import break_glass_end, break_glass_open
from cases.services.documents import document_add, document_remove
from cases.services.sharing import revoke_case_from_user
from risk.selectors import risk_overview

from .conftest import whole_file_share
from .factories import make_case

pytestmark = pytest.mark.django_db


def _pks(rows: Any) -> list[int]:
    return [row.pk for row in rows]


def _fill(world: Any) -> Case:
    """City B's case with rows on both sides of every per-row rule."""
    case = Case.objects.get(pk=world.cases["city_b"].pk)
    director = case.case_director
    journal_entry_add(
        case=case, by=director, kind=EntryKind.NOTE, text="Open note", visibility=Visibility.ALL
    )
    journal_entry_add(
        case=case,
        by=director,
        kind=EntryKind.CONTACT_ATTEMPT,
        channel=Channel.PHONE,
        reached=False,
        text="Team try",
    )
    journal_entry_add(
        case=case,
        by=director,
        kind=EntryKind.CONTACT_ATTEMPT,
        channel=Channel.PHONE,
        reached=True,
        text="Open call",
        visibility=Visibility.ALL,
    )
    for title, confidential in (("Open letter", False), ("Secret letter", True)):
        document_add(
            case=case,
            by=director,
            title=title,
            kind=DocumentKind.LETTER,
            confidential=confidential,
            upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.7 decision"),
        )
    removed = document_add(
        case=case,
        by=director,
        title="Removed letter",
        kind=DocumentKind.LETTER,
        confidential=False,
        upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.7 removed"),
    )
    document_remove(case=case, by=director, document=removed)
    # Timeline lines "marked as a repeat" of another of city B's cases (its team sees it, a
    # reader of this case only does not), of city A's case (nobody here sees it) and one
    # whose other case is gone (nobody).
    earlier = make_case(director)
    for about in (earlier, world.cases["city_a"], None):
        CaseEvent.objects.create(
            case=case, kind=EventKind.MARKED_REPEAT, actor=director, about_case=about
        )
    # A hit notice to the co-director: the director's (from the world) is not theirs.
    HitNotice.objects.create(
        recipient=world.users["co_director"], case=case, other_organisation=world.orgs["caw_a"]
    )
    return case


def _share(world: Any, case: Case, scope: str, **changes: Any) -> CaseShare:
    return share_create(
        case=case,
        by=case.case_director,
        organisation=world.orgs["parket_b"],
        terms=whole_file_share(scope=scope, **changes),
    )


def _case_team(world: Any, case: Case) -> Any:
    return world.users["director_city_b"]


def _co_director(world: Any, case: Case) -> Any:
    return world.users["co_director"]


def _share_reader(scope: str) -> Callable[[Any, Case], Any]:
    def reader(world: Any, case: Case) -> Any:
        _share(world, case, scope)
        return world.users["liaison_parket_b"]

    return reader


def _share_past_its_end(world: Any, case: Case) -> Any:
    share = _share(world, case, ShareScope.WHOLE_FILE)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CaseShare.objects.filter(pk=share.pk).update(
        starts_on=yesterday - datetime.timedelta(days=1), ends_on=yesterday
    )
    return world.users["liaison_parket_b"]


def _share_stopped(world: Any, case: Case) -> Any:
    _share(world, case, ShareScope.WHOLE_FILE)
    share_stop(case=case, by=case.case_director, organisation=world.orgs["parket_b"])
    return world.users["liaison_parket_b"]


def _break_glass(*, ended: bool) -> Callable[[Any, Case], Any]:
    def reader(world: Any, case: Case) -> Any:
        user = world.users["director_caw_a"]
        access = break_glass_open(
            by=user,
            reference=case.reference,
            reason="Dringende vraag van de politie.",
            hours=1,
            link=lambda c: "http://testserver/",
        )
        if ended:
            break_glass_end(access=access, by=user)
        return user

    return reader


def _revoked_co_director(world: Any, case: Case) -> Any:
    user = world.users["co_director"]
    revoke_case_from_user(case=case, user=user, by=case.case_director)
    return user


def _administrator(world: Any, case: Case) -> Any:
    return world.users["admin_city_a"]


def _other_organisation(world: Any, case: Case) -> Any:
    return world.users["director_caw_b"]


# reader -> (how to make them, the page's status, the parts decided, may change)
READERS: dict[str, tuple[Callable[[Any, Case], Any], int, frozenset[CasePart], bool]] = {
    "case team": (_case_team, 200, ALL_PARTS, True),
    "co-director": (_co_director, 200, ALL_PARTS, True),
    "share, summary": (
        _share_reader(ShareScope.SUMMARY),
        200,
        frozenset({CasePart.SUMMARY}),
        False,
    ),
    "share, summary and risk": (
        _share_reader(ShareScope.SUMMARY_RISK),
        200,
        frozenset({CasePart.SUMMARY, CasePart.RISK}),
        False,
    ),
    "share, judicial": (
        _share_reader(ShareScope.SUMMARY_RISK_JUDICIAL),
        200,
        frozenset({CasePart.SUMMARY, CasePart.RISK, CasePart.JUDICIAL}),
        False,
    ),
    "share, whole file": (_share_reader(ShareScope.WHOLE_FILE), 200, ALL_PARTS, False),
    "share past its end": (_share_past_its_end, 404, frozenset(), False),
    "share stopped": (_share_stopped, 404, frozenset(), False),
    "break-glass open": (_break_glass(ended=False), 200, ALL_PARTS, False),
    "break-glass ended": (_break_glass(ended=True), 404, frozenset(), False),
    "revoked co-director": (_revoked_co_director, 404, frozenset(), False),
    "administrator": (_administrator, 404, frozenset(), False),
    "another organisation": (_other_organisation, 404, frozenset(), False),
}


def _reference(case: Case, user: Any) -> dict[str, list[int]]:
    """What each child read shows, through ``restrict`` (the rule before the decision)."""

    def scoped(model: Any) -> Any:
        return restrict(model.objects.filter(case=case), user)

    return {
        "parties": _pks(scoped(CaseParty)),
        "relations": _pks(scoped(PartyRelation)),
        "co_directors": _pks(scoped(CoDirector)),
        "open_actions": _pks(scoped(CaseAction).filter(done_on__isnull=True)),
        "recent_journal": _pks(scoped(JournalEntry)[:5]),
        "police_reports": _pks(scoped(PoliceReport)),
        "measures": _pks(scoped(Measure)),
        "hearings": _pks(scoped(Hearing)),
        "prosecution_decisions": _pks(scoped(ProsecutionDecision)),
        "conditions": _pks(scoped(JudicialCondition)),
        "breaches": _pks(scoped(Breach)),
        "partners": _pks(scoped(CasePartner)),
        "referrals": _pks(scoped(Referral)),
        "events": _pks(scoped(CaseEvent)[:15]),
        "documents": sorted(_pks(scoped(CaseDocument).filter(removed_at__isnull=True))),
        "hit_notices": sorted(_pks(scoped(HitNotice))),
        "shares": _pks(
            scoped(CaseShare)
            .filter(ended_at__isnull=True, ends_on__gte=timezone.localdate())
            .order_by("ended_at", "-starts_on", "-id")
        ),
        "safety_plans": sorted(_pks(scoped(SafetyPlan))),
        "plan": _pks(scoped(PlanOfApproach)),
    }


def _shown(steering: Any) -> dict[str, list[int]]:
    shown = {
        name: _pks(getattr(steering, name)) for name in _reference_names() if name != "parties"
    }
    shown["parties"] = [line.party.pk for line in steering.parties]
    shown["hit_notices"] = sorted(shown["hit_notices"])  # unread first there
    shown["shares"] = _pks(steering.shares)
    shown["safety_plans"] = sorted(line.plan.pk for line in steering.safety_plans if line.plan)
    shown["plan"] = [steering.plan.plan.pk] if steering.plan and steering.plan.plan else []
    # The documents' order is not part of the rule (their read groups by document).
    shown["documents"] = sorted(shown["documents"])
    return shown


def _reference_names() -> list[str]:
    return [
        "parties",
        "relations",
        "co_directors",
        "open_actions",
        "recent_journal",
        "police_reports",
        "measures",
        "hearings",
        "prosecution_decisions",
        "conditions",
        "breaches",
        "partners",
        "referrals",
        "events",
        "documents",
        "hit_notices",
    ]


@pytest.mark.parametrize("reader", list(READERS))
def test_every_child_read_shows_what_restrict_shows(world, client, reader):
    make, status, parts, can_change = READERS[reader]
    case = _fill(world)
    user = make(world, case)

    client.force_login(user)
    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == status
    if status == 200:
        # The page reads its change access with the case (row-shaped CHANGE rule): it is
        # restrict's answer for CHANGE.
        assert response.context["steering"].can_change is can_change
        assert can_change is is_permitted(user, case, Action.CHANGE)

    access = decide_case_access(user, case)
    assert access.parts == parts
    assert access.can_change is can_change
    steering = case_steering(case=case, user=user)
    assert _shown(steering) == _reference(case, user)
    assert steering.contacts == contact_summary(user=user, case=case, access=None)
    assert steering.parts == parts and steering.can_change is can_change
    # The risk panel reads through the same decision (its template tag gets it from the page).
    decided = risk_overview(case=case, user=user, access=steering.access)
    restricted = risk_overview(case=case, user=user)
    for name in ("assessments", "joints"):
        assert _pks(getattr(decided, name)) == _pks(getattr(restricted, name))
    assert decided.decision == restricted.decision


def test_the_rules_have_rows_on_both_sides(world):
    """The filled case really tells the readers apart (else the comparison proves nothing)."""
    case = _fill(world)
    team = _shown(case_steering(case=case, user=world.users["director_city_b"]))
    reader = _share_reader(ShareScope.WHOLE_FILE)(world, case)
    shared = _shown(case_steering(case=case, user=reader))
    assert len(shared["recent_journal"]) < len(team["recent_journal"])
    # The secret letter is the team's only (the removed one is listed for nobody here).
    assert len(team["documents"]) - len(shared["documents"]) == 1
    about = CaseEvent.objects.filter(case=case, kind=EventKind.MARKED_REPEAT)
    seen_by_team = about.get(about_case__case_director=case.case_director).pk
    assert seen_by_team in team["events"] and seen_by_team not in shared["events"]
    assert not set(about.exclude(pk=seen_by_team).values_list("pk", flat=True)) & set(
        team["events"]
    )
    # The rest of the file's own reads have rows for a reader of the whole file.
    assert shared["shares"] and shared["safety_plans"] and shared["plan"]
    # The co-director's hit notice is theirs alone; the director sees their own.
    co_director = _shown(case_steering(case=case, user=world.users["co_director"]))
    assert team["hit_notices"] and co_director["hit_notices"]
    assert set(team["hit_notices"]).isdisjoint(co_director["hit_notices"])


def test_the_journal_counts_follow_the_entries_the_reader_sees(world):
    case = _fill(world)
    team = case_steering(case=case, user=world.users["director_city_b"]).contacts
    reader = _share_reader(ShareScope.WHOLE_FILE)(world, case)
    shared = case_steering(case=case, user=reader).contacts
    assert (team.attempts, team.failed_attempts) == (2, 1)
    assert (shared.attempts, shared.failed_attempts) == (1, 0)


def test_a_part_outside_the_decision_reads_nothing_without_a_query(
    world, django_assert_num_queries
):
    case = world.cases["city_b"]
    access = CaseAccess(
        case_id=case.pk,
        user=world.users["director_city_b"],
        parts=frozenset({CasePart.SUMMARY}),
        can_change=False,
    )
    with django_assert_num_queries(0):
        assert list(access.children(JournalEntry.objects.all())) == []
        assert list(access.children(PoliceReport.objects.all())) == []
    assert access.children(CaseParty.objects.all()).exists()


def test_the_decision_reads_only_its_own_case(world):
    case = world.cases["city_b"]
    access = decide_case_access(world.users["director_city_b"], case)
    other = world.cases["city_a"]
    assert not access.children(JournalEntry.objects.filter(case=other)).exists()
    assert set(access.children(JournalEntry.objects.all()).values_list("case_id", flat=True)) == {
        case.pk
    }


def test_only_children_of_one_case_are_read_through_a_decision(world):
    access = decide_case_access(world.users["director_city_b"], world.cases["city_b"])
    with pytest.raises(ImproperlyConfigured):
        access.children(Case.objects.all())


def test_anyone_who_may_not_hold_case_access_gets_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    case = world.cases["city_b"]
    for user in (AnonymousUser(), world.users["admin_city_a"], world.users["superuser"]):
        access = decide_case_access(user, case, can_change=True)
        assert access.parts == frozenset() and access.can_change is False


def test_the_decision_is_immutable(world):
    import dataclasses

    access = decide_case_access(world.users["director_city_b"], world.cases["city_b"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        access.can_change = False  # type: ignore[misc]
