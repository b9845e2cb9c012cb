"""The case journal: logging, the rules for an entry, who reads what, corrections, track 2."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import Channel, EntryKind, JournalEntry, Track, Visibility
from cases.selectors import contact_summary, journal_entries
from cases.services import journal_entry_add, journal_entry_correct

from .clock import NOON, iso
from .factories import make_case, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(time_machine):
    # A fixed day, well away from midnight, so "today", "yesterday" and "an hour ago"
    # mean the same thing on every run. The world is built at this moment too.
    time_machine.move_to(NOON, tick=True)


def url(name, case, **kwargs):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def entry_data(**changes):
    when = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "kind": EntryKind.CONTACT_ATTEMPT,
        "occurred_at_0": when.date().isoformat(),
        "occurred_at_1": when.strftime("%H:%M"),
        "channel": Channel.PHONE,
        "reached": "no",
        "text": "Niet opgenomen, voicemail ingesproken.",
        "visibility": Visibility.TEAM,
        **changes,
    }


def add(case, by, kind=EntryKind.NOTE, minutes_ago=60, **kwargs):
    if kind == EntryKind.NOTE:
        kwargs.setdefault("text", "Notitie")
    return journal_entry_add(
        case=case,
        by=by,
        kind=kind,
        occurred_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **kwargs,
    )


def test_a_case_director_logs_a_contact_attempt(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    response = client.post(url("journal_add", case), entry_data())
    assert response.status_code == 302
    # Without a page to go back to (next), the steering page at the journal (docs/ui.md).
    assert response["Location"] == url("detail", case) + "#journal-heading"
    entry = JournalEntry.objects.filter(case=case).exclude(text="Matrix note").get()
    assert (entry.kind, entry.channel, entry.reached, entry.visibility, entry.author) == (
        EntryKind.CONTACT_ATTEMPT,
        Channel.PHONE,
        False,
        Visibility.TEAM,
        director,
    )
    assert timezone.localtime(entry.occurred_at).strftime("%H:%M") == "11:00"
    assert entry.history.get().history_user == director


def test_the_form_proposes_now_and_case_team_only(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    form = client.get(url("journal_add", case)).context["form"]
    assert form["visibility"].value() == Visibility.TEAM
    assert form["occurred_at"].value() == timezone.localtime().replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    ("changes", "error_field"),
    [
        pytest.param({"occurred_at_0": iso(1)}, "occurred_at", id="future-day"),
        pytest.param(
            {"occurred_at_0": iso(0), "occurred_at_1": "13:30"},
            "occurred_at",
            id="later-today",
        ),
        pytest.param({"occurred_at_0": iso(-1)}, "occurred_at", id="before-registration"),
        pytest.param({"occurred_at_0": "", "occurred_at_1": ""}, "occurred_at", id="no-moment"),
        pytest.param(
            {"kind": EntryKind.NOTE, "reached": "", "channel": Channel.PHONE},
            "channel",
            id="note-with-channel",
        ),
        pytest.param(
            {"kind": EntryKind.NOTE, "reached": "", "channel": "", "text": " "},
            "text",
            id="empty-note",
        ),
        pytest.param({"channel": ""}, "channel", id="attempt-without-channel"),
        pytest.param({"reached": ""}, "reached", id="attempt-without-reached"),
        pytest.param(
            {"kind": EntryKind.CONTACT, "reached": "yes"}, "reached", id="reached-on-a-contact"
        ),
        pytest.param(
            {"kind": EntryKind.NOTE, "channel": "", "reached": "no"},
            "reached",
            id="reached-on-a-note",
        ),
        pytest.param({"kind": "gossip"}, "kind", id="unknown-kind"),
        pytest.param({"visibility": "world"}, "visibility", id="unknown-visibility"),
        pytest.param({"channel": "pigeon"}, "channel", id="unknown-channel"),
    ],
)
def test_a_bad_entry_is_refused_and_nothing_is_logged(world, client, changes, error_field):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    count = JournalEntry.objects.count()
    response = client.post(url("journal_add", case), entry_data(**changes))
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert JournalEntry.objects.count() == count


def test_the_service_names_every_broken_rule(world):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    count = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        journal_entry_add(
            case=case,
            by=director,
            kind=EntryKind.CONTACT_ATTEMPT,
            occurred_at=timezone.now() + datetime.timedelta(minutes=5),
        )
    assert set(caught.value.message_dict) == {"occurred_at", "channel", "reached"}
    with pytest.raises(ValidationError) as caught:
        journal_entry_add(
            case=case,
            by=director,
            kind=EntryKind.NOTE,
            channel=Channel.EMAIL,
            reached=True,
            text="x",
            occurred_at=timezone.now() - datetime.timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"occurred_at", "channel", "reached"}
    assert JournalEntry.objects.count() == count


def test_a_journal_entry_cannot_be_deleted():
    for name in ("journal_delete", "journal_remove"):
        with pytest.raises(NoReverseMatch):
            reverse(f"cases:{name}", kwargs={"pk": 1, "entry_pk": 1})


# --- who reads what ---


def test_the_prosecutor_reads_only_entries_for_everyone_on_the_shared_case(world, client):
    case, director = world.cases["city_a_shared"], world.users["director_city_a"]
    JournalEntry.objects.filter(case=case).delete()  # the matrix note: start from nothing
    add(case, director, text="TEAM-ONLY geheime notitie", minutes_ago=30)
    add(
        case,
        director,
        kind=EntryKind.CONTACT_ATTEMPT,
        channel=Channel.LETTER,
        reached=False,
        text="TEAM-ONLY poging",
        minutes_ago=20,
    )
    shared = add(
        case, director, text="VOOR-IEDEREEN notitie", visibility=Visibility.ALL, minutes_ago=10
    )

    client.force_login(world.users["liaison_parket_a"])
    response = client.get(url("journal", case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "VOOR-IEDEREEN" in page
    assert "TEAM-ONLY" not in page
    assert [e.pk for e in response.context["entries"]] == [shared.pk]
    assert not response.context["can_change"]
    assert reverse("cases:journal_add", kwargs={"pk": case.pk}) not in page
    # Filtering by kind cannot bring a team entry back.
    response = client.get(url("journal", case), {"kind": EntryKind.CONTACT_ATTEMPT})
    assert list(response.context["entries"]) == []

    steering = client.get(url("detail", case)).context["steering"]
    assert [e.pk for e in steering.recent_journal] == [shared.pk]
    # The counts do not betray team entries either.
    assert steering.contacts.attempts == 0

    client.force_login(director)
    response = client.get(url("journal", case))
    assert len(response.context["entries"]) == 3
    assert "TEAM-ONLY geheime notitie" in response.content.decode()


@pytest.mark.parametrize(
    "username", ["liaison_parket_b", "director_city_b", "partner_police_a", "opslead_city_a"]
)
def test_the_journal_of_another_organisations_case_is_not_found(world, client, username):
    client.force_login(world.users[username])
    assert client.get(url("journal", world.cases["city_a_shared"])).status_code == 404


def test_the_prosecutor_cannot_write_in_the_journal(world, client):
    case = world.cases["city_a_shared"]
    client.force_login(world.users["liaison_parket_a"])
    count = JournalEntry.objects.count()
    response = client.post(url("journal_add", case), entry_data(visibility=Visibility.ALL))
    assert response.status_code == 403
    assert JournalEntry.objects.count() == count


def test_another_organisation_cannot_write_in_the_journal(world, client):
    client.force_login(world.users["director_caw_a"])
    count = JournalEntry.objects.count()
    response = client.post(url("journal_add", world.cases["city_a"]), entry_data())
    assert response.status_code == 404
    assert JournalEntry.objects.count() == count


# --- the journal page ---


def test_the_journal_page_lists_newest_first_in_pages_and_filters_by_kind(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    JournalEntry.objects.filter(case=case).delete()
    notes = [add(case, director, text=f"n{i}", minutes_ago=100 - i) for i in range(28)]
    call = add(case, director, kind=EntryKind.PHONE_CALL, channel=Channel.PHONE, minutes_ago=50)
    client.force_login(director)

    first = client.get(url("journal", case)).context
    assert first["page_obj"].paginator.count == 29
    assert len(first["entries"]) == 25
    # The call (50 minutes ago) is the newest, then the notes from 73 minutes ago back.
    assert [e.pk for e in first["entries"][:2]] == [call.pk, notes[-1].pk]
    times = [e.occurred_at for e in first["entries"]]
    assert times == sorted(times, reverse=True)
    second = client.get(url("journal", case), {"page": 2}).context
    assert [e.pk for e in second["entries"]] == [n.pk for n in reversed(notes[:4])]

    calls = client.get(url("journal", case), {"kind": EntryKind.PHONE_CALL})
    assert [e.pk for e in calls.context["entries"]] == [call.pk]
    # The page links keep the filter.
    page = client.get(url("journal", case), {"kind": EntryKind.NOTE}).content.decode()
    assert "kind=note&amp;page=2" in page

    # A kind that does not exist is a form error, not a crash.
    bad = client.get(url("journal", case), {"kind": "gossip"})
    assert bad.status_code == 200
    assert "kind" in bad.context["filter_form"].errors


def test_the_journal_page_runs_a_fixed_number_of_queries(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("journal", case)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    for i in range(20):
        add(case, director if i % 2 else colleague, text=f"x{i}", minutes_ago=i + 1)
    assert count() == few


# --- corrections ---


def test_the_author_corrects_the_text_the_same_day_and_the_history_keeps_it(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    entry = add(case, director, text="Eerste versie")
    client.force_login(director)
    assert (
        url("journal_correct", case, entry_pk=entry.pk)
        in client.get(url("journal", case)).content.decode()
    )

    response = client.post(url("journal_correct", case, entry_pk=entry.pk), {"text": "Juist"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Juist"
    texts = list(entry.history.order_by("history_id").values_list("text", "history_user"))
    assert texts == [("Eerste versie", director.pk), ("Juist", director.pk)]
    listed = journal_entries(user=director, case=case).get(pk=entry.pk)
    assert listed.corrected  # type: ignore[attr-defined]


def test_an_unchanged_or_emptied_note_is_refused(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    entry = add(case, director, text="Eerste versie")
    client.force_login(director)
    for text in ("Eerste versie", ""):
        response = client.post(url("journal_correct", case, entry_pk=entry.pk), {"text": text})
        assert response.status_code == 200
        assert "text" in response.context["form"].errors
    entry.refresh_from_db()
    assert entry.text == "Eerste versie"
    assert entry.history.count() == 1


def test_only_the_author_may_correct(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    entry = add(case, director, text="Eerste versie")
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    client.force_login(colleague)
    # The colleague reads it (the organisation's case) but may not rewrite it.
    assert client.get(url("journal", case)).status_code == 200
    target = url("journal_correct", case, entry_pk=entry.pk)
    assert target not in client.get(url("journal", case)).content.decode()
    assert client.get(target).status_code == 403
    assert client.post(target, {"text": "Anders"}).status_code == 403
    with pytest.raises(ValidationError):
        journal_entry_correct(entry=entry, by=colleague, text="Anders")
    entry.refresh_from_db()
    assert entry.text == "Eerste versie"


def test_a_correction_the_next_day_is_refused(world, client, time_machine):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    entry = add(case, director, text="Eerste versie")
    time_machine.move_to(NOON + datetime.timedelta(days=1), tick=True)
    client.force_login(director)
    assert (
        client.post(url("journal_correct", case, entry_pk=entry.pk), {"text": "x"}).status_code
        == 403
    )
    with pytest.raises(ValidationError):
        journal_entry_correct(entry=entry, by=director, text="x")
    entry.refresh_from_db()
    assert entry.text == "Eerste versie"


def test_corrections_outside_the_case_are_not_found(world, client):
    director = world.users["director_city_a"]
    other = world.children["city_b"]["entry_pk"]
    client.force_login(director)
    # An entry of another case, reached through a case the user may change.
    response = client.get(url("journal_correct", world.cases["city_a"], entry_pk=other.pk))
    assert response.status_code == 404


def test_the_prosecutor_cannot_correct_even_an_entry_for_everyone(world, client):
    case, director = world.cases["city_a_shared"], world.users["director_city_a"]
    entry = add(case, director, text="Voor iedereen", visibility=Visibility.ALL)
    client.force_login(world.users["liaison_parket_a"])
    response = client.post(url("journal_correct", case, entry_pk=entry.pk), {"text": "x"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Voor iedereen"


# --- track 2: contact attempts and the last real contact ---


@pytest.mark.parametrize(
    ("kind", "channel", "reached", "real"),
    [
        (EntryKind.CONTACT_ATTEMPT, Channel.PHONE, True, True),
        (EntryKind.CONTACT_ATTEMPT, Channel.PHONE, False, False),
        (EntryKind.CONTACT, Channel.IN_PERSON, None, True),
        (EntryKind.CONTACT, "", None, True),
        (EntryKind.HOME_VISIT, Channel.HOME_VISIT, None, True),
        (EntryKind.PHONE_CALL, Channel.PHONE, None, True),
        (EntryKind.NOTE, "", None, False),
    ],
)
def test_what_counts_as_real_contact(world, kind, channel, reached, real):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    JournalEntry.objects.filter(case=case).delete()
    entry = add(case, director, kind=kind, channel=channel, reached=reached)
    summary = contact_summary(user=director, case=case)
    assert summary.last_real_contact == (entry.occurred_at if real else None)
    assert entry.is_real_contact is real
    is_attempt = kind == EntryKind.CONTACT_ATTEMPT
    assert summary.attempts == int(is_attempt)
    assert summary.failed_attempts == int(is_attempt and not reached)


def test_the_steering_page_counts_attempts_and_shows_the_last_real_contact(world, client):
    director = world.users["director_city_a"]
    case = make_case(director, track=Track.OUTREACH)
    attempt = {"kind": EntryKind.CONTACT_ATTEMPT}
    add(case, director, **attempt, channel=Channel.PHONE, reached=False, minutes_ago=300)
    add(case, director, **attempt, channel=Channel.TEXT, reached=False, minutes_ago=250)
    reached = add(case, director, **attempt, channel=Channel.PHONE, reached=True, minutes_ago=200)
    add(case, director, minutes_ago=100)  # a note later than the contact: not a contact
    add(case, director, **attempt, channel=Channel.LETTER, reached=False, minutes_ago=50)

    client.force_login(director)
    response = client.get(url("detail", case))
    contacts = response.context["steering"].contacts
    assert (contacts.attempts, contacts.failed_attempts) == (4, 3)
    assert contacts.last_real_contact == reached.occurred_at
    page = response.content.decode()
    assert "4 contactpogingen" in page or "4 contact attempts" in page

    visit = add(case, director, kind=EntryKind.HOME_VISIT, minutes_ago=10)
    contacts = client.get(url("detail", case)).context["steering"].contacts
    assert (contacts.attempts, contacts.failed_attempts) == (4, 3)
    assert contacts.last_real_contact == visit.occurred_at


def test_a_case_without_real_contact_says_so(world, client):
    director = world.users["director_city_a"]
    case = make_case(director, track=Track.OUTREACH)
    add(case, director, kind=EntryKind.CONTACT_ATTEMPT, channel=Channel.EMAIL, reached=False)
    add(case, director)
    contacts = contact_summary(user=director, case=case)
    assert (contacts.attempts, contacts.failed_attempts, contacts.last_real_contact) == (1, 1, None)


def test_the_steering_page_links_to_the_journal_and_offers_adding_only_to_the_team(world, client):
    case = world.cases["city_a_shared"]
    add_url = url("journal_add", case)
    client.force_login(world.users["director_city_a"])
    page = client.get(url("detail", case)).content.decode()
    assert url("journal", case) in page and add_url in page
    client.force_login(world.users["liaison_parket_a"])
    page = client.get(url("detail", case)).content.decode()
    assert url("journal", case) in page and add_url not in page
