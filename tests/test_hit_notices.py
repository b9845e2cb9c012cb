"""Hit/no-hit (issue 13, part 2): repeat and duplicate detection across organisations show a
user only the cases they may see; the other side gets a hit notice, in the audit trail.

The finding reproduced: a director who adds a guessed victim/perpetrator pair to their own
case used to see a repeat badge (and a "marked as a repeat" line, a new version, a history
row) pointing at another organisation's case. Figures still count that repeat.
"""

import csv
import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from access.policy import restrict, visible_repeat_condition
from cases.models import Case, CaseEvent, CaseParty, EventKind, HitNotice, RepeatMatch
from cases.selectors import case_steering
from cases.services import (
    case_party_remove,
    person_create_in_case,
    person_link_to_case,
    share_create,
)
from reporting.figures.duration import repeats
from reporting.figures.period import Period

from . import party_roles as pr
from .conftest import whole_file_share

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
VICTIM = {"first_name": "Anna", "last_name": "Verhulst", "date_of_birth": datetime.date(1990, 3, 4)}
PERPETRATOR = {
    "first_name": "Bram",
    "last_name": "Claes",
    "date_of_birth": datetime.date(1988, 7, 9),
}
NAMES = ("Anna", "Verhulst", "Bram", "Claes", "04/03/1990", "1990-03-04")


def made():
    """The notices the test made (the world holds one per case for the permission matrix,
    about no other case)."""
    return HitNotice.objects.filter(other_case__isnull=False)


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def opened(case: Case, days_ago: int) -> Case:
    Case.objects.filter(pk=case.pk).update(opened_on=TODAY() - datetime.timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def add(case: Case, by, role, person: dict) -> CaseParty:
    return person_create_in_case(case=case, by=by, **role, confirm_new=True, **person)


def pair(case: Case, by=None) -> None:
    by = by or case.case_director
    add(case, by, pr.VICTIM, VICTIM)
    add(case, by, pr.PERPETRATOR, PERPETRATOR)


def post_person(client, case: Case, role: dict, person: dict):
    data = {
        "position": role.get("position", ""),
        "roles": role.get("roles", []),
        "involved_since": TODAY().isoformat(),
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "date_of_birth": person["date_of_birth"].isoformat(),
        "age_band": "unknown",
        "gender": "unknown",
    }
    return client.post(url("person_add", case), data)


def what_the_user_sees(client, user, case: Case) -> dict:
    """Everything a repeat could show up in for ``user`` about ``case``."""
    steering = case_steering(case=Case.objects.get(pk=case.pk), user=user)
    listed = client.get(reverse("cases:list"), {"scope": "mine", "repeat": "yes"})
    export = client.get(reverse("cases:export"), {"scope": "mine"})
    rows = {
        r[0]: r
        for r in csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";")
    }
    history = client.get(url("history", case)).content.decode()
    return {
        "badge": steering.is_repeat_shown,
        "repeats_shown": [c.reference for c in steering.repeats_shown],
        "timeline": [(e.kind, e.summary) for e in steering.events],
        "listed_as_repeat": case.reference in [c.reference for c in listed.context["cases"]],
        "export_repeat_cell": rows[case.reference][7],
        "history_mentions_repeat": "Herhaling van" in history or "Herhaling sinds" in history,
        "version": Case.objects.get(pk=case.pk).version,
        "notices": list(made().filter(recipient=user)),
    }


# --- the finding ---------------------------------------------------------------------


def test_a_guessed_pair_shows_the_guesser_nothing_and_tells_the_other_side(world, client):
    attacker = world.users["director_city_a"]
    # The other organisation's earlier case with the pair; and a control case of the
    # attacker's own, where the same guess finds nothing.
    earlier = opened(world.cases["caw_b"], 100)
    pair(earlier)
    hit, miss = world.cases["city_a"], world.cases["city_b"]
    client.force_login(attacker)
    for role, person in ((pr.VICTIM, VICTIM), (pr.PERPETRATOR, PERPETRATOR)):
        assert post_person(client, hit, role, person).status_code == 302
    # The same guess on a case where there is nothing to find: the other director's case.
    client.force_login(world.users["director_city_b"])
    for role, person in (
        (pr.VICTIM, {**VICTIM, "first_name": "Anja"}),
        (pr.PERPETRATOR, {**PERPETRATOR, "first_name": "Bart"}),
    ):
        assert post_person(client, miss, role, person).status_code == 302

    # The figures count the repeat, system-wide.
    hit.refresh_from_db()
    assert (hit.repeat_of, hit.repeat_since) == (earlier, TODAY())
    assert RepeatMatch.objects.filter(later=hit, earlier=earlier).exists()
    assert repeats(Period.year(TODAY().year)).rows[1][1] == 1

    # The attacker's screen: exactly what a miss shows.
    client.force_login(attacker)
    seen = what_the_user_sees(client, attacker, hit)
    client.force_login(world.users["director_city_b"])
    control = what_the_user_sees(client, world.users["director_city_b"], miss)
    assert seen["badge"] is control["badge"] is False
    assert seen["repeats_shown"] == control["repeats_shown"] == []
    assert seen["timeline"][:2] == control["timeline"][:2]
    assert [k for k, _s in seen["timeline"]].count(EventKind.MARKED_REPEAT) == 0
    assert seen["listed_as_repeat"] is control["listed_as_repeat"] is False
    assert seen["export_repeat_cell"] == control["export_repeat_cell"] == "Nee"
    assert seen["history_mentions_repeat"] is control["history_mentions_repeat"] is False
    assert seen["version"] == world.cases["city_a"].version  # an open form stays valid
    assert seen["notices"] == control["notices"]
    page = client.get(url("detail", hit)).content.decode()
    assert earlier.reference not in page and "CAW Beta" not in page

    # The other side: one notice per director of the earlier case, naming the organisation.
    sent = made().filter(case=earlier)
    assert made().count() == 2
    assert {n.recipient.username for n in sent} == {"director_caw_b", "co_director"}
    assert {(n.other_case_id, n.other_organisation_id) for n in sent} == {
        (hit.pk, world.orgs["city_a"].pk)
    }
    rows = AuditEvent.objects.filter(action=AuditAction.NOTICE)
    assert rows.count() == 2
    for row in rows:
        assert (row.user, row.case_id, row.object_type) == (attacker, earlier.pk, "cases.hitnotice")
        assert set(row.detail) == {"recipient", "other_case", "other_organisation"}
        assert not any(name in str(row.detail) + row.purpose for name in NAMES)


def test_the_notice_is_sent_once_per_pair_of_cases(world):
    earlier = opened(world.cases["caw_b"], 100)
    pair(earlier)
    case, director = world.cases["city_a"], world.users["director_city_a"]
    # The victim alone (same name and date of birth) is already a hit on a person.
    add(case, director, pr.VICTIM, VICTIM)
    assert made().filter(case=earlier).count() == 2
    # The pair, then taking the perpetrator out and adding them again: no new notice.
    perpetrator = add(case, director, pr.PERPETRATOR, PERPETRATOR)
    case_party_remove(party=perpetrator, by=director)
    add(case, director, pr.PERPETRATOR, PERPETRATOR)
    assert made().filter(case=earlier).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE).count() == 2


def test_when_the_earlier_case_gains_the_pair_the_later_cases_team_is_told(world, client):
    later, director = world.cases["city_a"], world.users["director_city_a"]
    pair(later)
    earlier = opened(world.cases["caw_b"], 30)
    actor = world.users["director_caw_b"]
    pair(earlier, by=actor)
    later.refresh_from_db()
    assert later.repeat_of == earlier
    # The actor (the earlier case's director) is told nothing; the later case's team is.
    assert not made().filter(recipient=actor).exists()
    notice = made().get(recipient=director)
    assert (notice.case, notice.other_organisation) == (later, world.orgs["caw_b"])
    # And the later case's director still sees no repeat of a case they may not see.
    client.force_login(director)
    page = client.get(url("detail", later)).content.decode()
    assert earlier.reference not in page
    assert case_steering(case=later, user=director).is_repeat_shown is False
    assert "CAW Beta" in page  # the notice names the organisation, nothing else


# --- the full hit inside one's own cases -------------------------------------------------


def test_within_visible_cases_the_full_hit_and_no_notice(world, client):
    director = world.users["director_city_a"]
    earlier = opened(world.cases["city_a_shared"], 40)
    pair(earlier)
    case = world.cases["city_a"]
    pair(case)
    case.refresh_from_db()
    assert case.repeat_of == earlier
    steering = case_steering(case=case, user=director)
    assert steering.repeats_shown == [earlier]
    assert [(e.kind, e.about_case_id) for e in steering.events if e.kind == "marked_repeat"] == [
        (EventKind.MARKED_REPEAT, earlier.pk)
    ]
    client.force_login(director)
    page = client.get(url("detail", case)).content.decode()
    assert earlier.reference in page and "herhaling" in page
    assert not made().exists()


def test_a_visible_earlier_case_shows_behind_an_invisible_more_recent_one(world, client):
    # A (visible, 300 days) < B (another organisation, 100 days) < C (today, visible).
    director = world.users["director_city_a"]
    a = opened(world.cases["city_a_shared"], 300)
    b = opened(world.cases["caw_b"], 100)
    c = world.cases["city_a"]
    for case in (a, b, c):
        pair(case)
    c.refresh_from_db()
    assert c.repeat_of == b  # the figures: the most recent earlier case
    steering = case_steering(case=c, user=director)
    # The director sees the repeat of A; missing it would tell that B exists.
    assert steering.repeats_shown == [a]
    client.force_login(director)
    page = client.get(url("detail", c)).content.decode()
    assert a.reference in page and b.reference not in page
    assert Case.objects.filter(visible_repeat_condition(director), pk=c.pk).exists()


def test_the_badge_is_per_viewer(world, client):
    # city_a_shared (later) repeats city_a (earlier); the parket sees only the later case.
    earlier = opened(world.cases["city_a"], 20)
    later = world.cases["city_a_shared"]
    pair(earlier)
    pair(later)
    later.refresh_from_db()
    assert later.repeat_of == earlier
    director, liaison = world.users["director_city_a"], world.users["liaison_parket_a"]
    assert case_steering(case=later, user=director).is_repeat_shown is True
    assert case_steering(case=later, user=liaison).is_repeat_shown is False
    client.force_login(liaison)
    response = client.get(url("detail", later))
    assert response.status_code == 200
    assert earlier.reference not in response.content.decode()
    marked = CaseEvent.objects.filter(case=later, kind=EventKind.MARKED_REPEAT)
    assert marked.count() == 1
    assert not restrict(marked, liaison).exists()
    assert restrict(marked, director).count() == 1
    # Sharing the earlier case with the parket shows it at the next request.
    share_create(
        case=earlier, organisation=world.orgs["parket_a"], by=director, terms=whole_file_share()
    )
    assert case_steering(case=later, user=liaison).repeats_shown == [earlier]


# --- duplicates: typing sends nothing, adding or linking does ------------------------------


def test_the_duplicate_dialog_sends_no_notice_linking_does(world, client):
    director = world.users["director_city_a"]
    # Someone the director may see (in their shared case), and the same person (by name and
    # date of birth) in another organisation's case.
    mine = add(world.cases["city_a_shared"], director, pr.VICTIM, VICTIM)
    theirs = world.cases["caw_b"]
    add(theirs, world.users["director_caw_b"], pr.VICTIM, VICTIM)
    made().delete()
    client.force_login(director)
    response = post_person(client, world.cases["city_a"], pr.VICTIM, VICTIM)
    assert response.status_code == 200  # the dialog: who may this be?
    shown = [c.person for c in response.context["candidates"]]
    assert shown == [mine.person]  # only the person the director may see
    assert all(c.pk != theirs.pk for cand in response.context["candidates"] for c in cand.cases)
    # Typing, and a form with an error, send nothing.
    client.post(url("person_add", world.cases["city_a"]), {"roles": ["victim"], "first_name": "x"})
    assert not made().exists()
    # Linking the person does: caw_b's directors hear that a case at Stad Alfa concerns them.
    person_link_to_case(case=world.cases["city_a"], by=director, person=mine.person, **pr.VICTIM)
    assert {(n.case_id, n.other_organisation_id) for n in made()} == {
        (theirs.pk, world.orgs["city_a"].pk)
    }


def test_no_notice_for_people_who_do_not_match(world):
    add(world.cases["caw_b"], world.users["director_caw_b"], pr.VICTIM, VICTIM)
    director = world.users["director_city_a"]
    # The same name without a date of birth, or another date of birth: no proof, no notice.
    add(world.cases["city_a"], director, pr.VICTIM, {**VICTIM, "date_of_birth": None})
    add(
        world.cases["city_a"],
        director,
        pr.CHILD,
        {**VICTIM, "date_of_birth": datetime.date(2015, 3, 4)},
    )
    assert not made().exists()


# --- reading and marking notices: who may -----------------------------------------------


@pytest.fixture
def notice(world):
    """A notice to director_caw_b on caw_b, made by city_a's director adding the pair."""
    earlier = opened(world.cases["caw_b"], 100)
    pair(earlier)
    pair(world.cases["city_a"])
    return made().get(recipient=world.users["director_caw_b"])


def _read_url(case: Case, notice: HitNotice) -> str:
    return url("hit_notice_read", case, notice_pk=notice.pk)


def test_the_recipient_sees_and_marks_the_notice(world, client, notice):
    recipient = world.users["director_caw_b"]
    client.force_login(recipient)
    home = client.get(reverse("home")).content.decode()
    assert "Stad Alfa" in home and notice.case.reference in home
    assert world.cases["city_a"].reference not in home
    assert not any(name in home for name in NAMES)
    case_page = client.get(url("detail", notice.case)).content.decode()
    assert "Stad Alfa" in case_page and _read_url(notice.case, notice) in case_page
    response = client.post(_read_url(notice.case, notice), {"back": "home"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    notice.refresh_from_db()
    read_at = notice.read_at
    assert read_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="cases.hitnotice", object_id=str(notice.pk)
    ).exists()
    # Again: nothing changes.
    assert client.post(_read_url(notice.case, notice)).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at == read_at


@pytest.mark.parametrize(
    ("username", "through"),
    [
        ("director_city_a", "caw_b"),  # the new case's director: the case is out of scope
        ("director_city_a", "city_a"),  # ... and through their own case
        ("co_director", "caw_b"),  # a colleague on the same case: not their notice
        ("director_caw_a", "caw_b"),  # another organisation
        ("liaison_parket_a", "city_a_shared"),  # a shared-view organisation
        ("admin_caw_b", "caw_b"),  # the administrator of the recipient's organisation
    ],
)
def test_nobody_else_marks_or_sees_it(world, client, notice, username, through):
    user = world.users[username]
    client.force_login(user)
    response = client.post(_read_url(world.cases[through], notice))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
    assert notice not in restrict(HitNotice.objects.all(), user)
    assert AuditEvent.objects.filter(
        user=user, action=AuditAction.DENIED, purpose="out of scope"
    ).exists()


def test_anonymous_is_sent_to_log_in(world, client, notice):
    response = client.post(_read_url(notice.case, notice))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_get_is_not_allowed(world, client, notice):
    client.force_login(world.users["director_caw_b"])
    assert client.get(_read_url(notice.case, notice)).status_code == 405


# --- the data migration --------------------------------------------------------------------


FILL = importlib.import_module("cases.migrations.0020_fill_repeat_matches")


def test_the_data_migration_fills_every_match_once(world):
    a = opened(world.cases["city_a_shared"], 300)
    b = opened(world.cases["caw_b"], 100)
    c = world.cases["city_a"]
    for case in (a, b, c):
        pair(case)
    expected = set(RepeatMatch.objects.values_list("later_id", "earlier_id"))
    assert expected == {(c.pk, b.pk), (c.pk, a.pk), (b.pk, a.pk)}
    flags = dict(Case.objects.values_list("pk", "repeat_of"))
    RepeatMatch.objects.all().delete()
    assert FILL.fill_repeat_matches(apps) == 3
    assert set(RepeatMatch.objects.values_list("later_id", "earlier_id")) == expected
    assert dict(Case.objects.values_list("pk", "repeat_of")) == flags  # nothing else changed
    assert FILL.fill_repeat_matches(apps) == 0
