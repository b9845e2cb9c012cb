"""Notices that reach people (issue 17, part 2): urgent notices and the daily overview from
the deadline board, consultation invitations and secrecy reminders, hit and emergency-access
notices; in the app (read/unread) and by e-mail without client data; per-user preferences;
idempotent tasks."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import RoleCode
from cases.models import CaseParty, MeasureKind
from cases.selectors.board import deadline_board
from cases.services import hearing_add, measure_add, share_stop
from cases.services.hits import notify_hits
from cases.services.reminders import send_daily_digests, send_urgent_notices
from cases.tasks import send_daily_digests as digest_task
from consultations.services import planning
from consultations.services.reminders import send_secrecy_reminders
from notices import services
from notices.models import NoticeKind, NoticePreference, Notification

from .clock import NOON
from .factories import make_user

pytestmark = pytest.mark.django_db

TODAY = NOON.date()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=True)


@pytest.fixture(autouse=True)
def _mail_addresses(world):
    """Every account of the world has an e-mail address (in the database and in the test's
    copies of the users)."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from accounts.models import User

    User.objects.update(email=Concat("username", Value("@example.org")))
    for name in world.users:
        world.users[name].email = f"{name}@example.org"


FIRST, LAST = "Annelies", "Vermeulen-Zwart"


def seed_victim(case):
    """A victim with a name that must never leave by e-mail (and gives the case its label)."""
    from cases.models import AgeBand
    from cases.services import person_create_in_case

    from .party_roles import VICTIM

    person_create_in_case(
        case=case,
        by=case.case_director,
        **VICTIM,
        first_name=FIRST,
        last_name=LAST,
        age_band=AgeBand.AGE_25_44,
        confirm_new=True,
    )


@pytest.fixture
def order(world):
    """A restraining order in director_city_a's track-3 case, ending in two days."""
    case = world.cases["city_a_shared"]
    seed_victim(case)
    return measure_add(
        case=case,
        by=world.users["director_city_a"],
        kind=MeasureKind.RESTRAINING_ORDER,
        starts_on=day(-12),
        ends_on=day(2),
    )


def names_in(case) -> set[str]:
    names = set(
        CaseParty.objects.filter(
            case=case, person__first_name=FIRST, person__last_name=LAST
        ).values_list("person__first_name", "person__last_name")
    )
    assert names, "the case must hold a person whose name must not leave by e-mail"
    return {FIRST, LAST, "Vermeulen", "Zwart"}


def mails_to(user) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if user.email in m.to]


def assert_no_client_data(messages, case, label: str = "") -> None:
    for message in messages:
        text = message.subject + "\n" + message.body
        for name in names_in(case):
            assert name not in text, f"{name!r} in an e-mail"
        if label:
            assert label not in text


def run(callbacks, function, **kwargs):
    with callbacks(execute=True):
        return function(**kwargs)


# --- Done when: an order ending in 2 days, on the board and in the digest, no name -------


def test_an_order_ending_in_two_days_is_on_the_board_and_in_the_digest_without_a_name(
    world, order, django_capture_on_commit_callbacks
):
    director = world.users["director_city_a"]
    case = order.case
    board = deadline_board(user=director)
    [item] = [i for i in board.items if i.kind == "measure_end" and i.object_pk == order.pk]
    assert item.on == day(2) and item.warning

    run(django_capture_on_commit_callbacks, send_daily_digests, today=TODAY)

    digest = Notification.objects.get(user=director, kind=NoticeKind.DIGEST, due_on=TODAY)
    assert {"reference": case.reference, "on": day(2).isoformat(), "url": item.url}.items() <= (
        next(line for line in digest.lines if line["on"] == day(2).isoformat()).items()
    )
    [message] = [m for m in mails_to(director) if "termijnen" in m.subject]
    assert case.reference in message.body
    assert "Maatregel loopt af" in message.body  # the kind of deadline, in Dutch
    assert "http://localhost:8000" + item.url in message.body
    assert_no_client_data([message], case, label=item.label)


def test_the_order_is_an_urgent_notice_told_once_however_often_the_task_runs(
    world, order, django_capture_on_commit_callbacks
):
    director = world.users["director_city_a"]
    for _ in range(2):
        run(django_capture_on_commit_callbacks, send_urgent_notices, today=TODAY)
    notices = Notification.objects.filter(
        user=director, kind=NoticeKind.ORDER_ENDING, object_key=f"measure_end:{order.pk}"
    )
    assert notices.count() == 1
    notice = notices.get()
    assert notice.due_on == day(2) and notice.reference == order.case.reference
    assert notice.emailed_at is not None
    urgent = [m for m in mails_to(director) if order.case.reference in m.subject]
    assert len(urgent) == 1
    assert_no_client_data(urgent, order.case)
    # The next day, the same order is still the same notice.
    run(django_capture_on_commit_callbacks, send_urgent_notices, today=day(1))
    assert notices.count() == 1


def test_a_digest_once_per_user_per_day(world, order, django_capture_on_commit_callbacks):
    director = world.users["director_city_a"]
    first = run(django_capture_on_commit_callbacks, send_daily_digests, today=TODAY)
    assert first >= 1
    assert run(django_capture_on_commit_callbacks, send_daily_digests, today=TODAY) == 0
    assert digest_task.apply().get() == 0  # the task, as beat queues it (eager here)
    assert Notification.objects.filter(user=director, kind=NoticeKind.DIGEST).count() == 1
    assert len([m for m in mails_to(director) if "termijnen" in m.subject]) == 1


def test_hearing_tomorrow_action_overdue_and_the_rest_wait_for_the_digest(
    world, django_capture_on_commit_callbacks
):
    director = world.users["director_city_a"]
    case = world.cases["city_a_shared"]
    tomorrow = hearing_add(
        case=case, by=director, held_at=NOON + datetime.timedelta(days=1), court="Rechtbank"
    )
    later = hearing_add(
        case=case, by=director, held_at=NOON + datetime.timedelta(days=4), court="Rechtbank"
    )
    run(django_capture_on_commit_callbacks, send_urgent_notices, today=TODAY)
    keys = set(
        Notification.objects.filter(user=director, kind=NoticeKind.HEARING_TOMORROW).values_list(
            "object_key", flat=True
        )
    )
    assert f"hearing:{tomorrow.pk}" in keys and f"hearing:{later.pk}" not in keys


# --- preferences ----------------------------------------------------------------------


def test_preference_off_no_email_but_the_notice_in_the_app(
    world, order, django_capture_on_commit_callbacks
):
    director = world.users["director_city_a"]
    services.preference_update(
        user=director,
        version=None,
        digest_email=False,
        email_kinds=[
            k for k in NoticeKind if k not in (NoticeKind.DIGEST, NoticeKind.ORDER_ENDING)
        ],
    )
    run(django_capture_on_commit_callbacks, send_urgent_notices, today=TODAY)
    run(django_capture_on_commit_callbacks, send_daily_digests, today=TODAY)
    assert Notification.objects.filter(user=director, kind=NoticeKind.ORDER_ENDING).exists()
    assert Notification.objects.filter(user=director, kind=NoticeKind.DIGEST).exists()
    assert not [m for m in mails_to(director) if "termijnen" in m.subject]
    assert not [m for m in mails_to(director) if "huisverbod" in m.subject.lower()]


def test_the_preferences_page(world, client):
    director = world.users["director_city_a"]
    client.force_login(director)
    url = reverse("notices:settings")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["digest_email"] is True
    response = client.post(url, {"version": 1, "email_kinds": ["hit"]})
    assert response.status_code == 302
    preference = NoticePreference.objects.get(user=director)
    assert not preference.digest_email
    assert preference.wants_email("hit") and not preference.wants_email("order_ending")
    # Bad input: a Dutch message, nothing changed.
    response = client.post(url, {"version": 1, "digest_email": "on", "email_kinds": ["nope"]})
    assert response.status_code == 200 and response.context["form"].errors["email_kinds"]
    assert not NoticePreference.objects.get(user=director).digest_email
    # An edit with the version it was opened with, then one of the same (now stale) version.
    assert (
        client.post(url, {"version": 1, "email_kinds": ["hit", "break_glass"]}).status_code == 302
    )
    response = client.post(url, {"version": 1, "digest_email": "on"})
    assert response.status_code == 409
    preference = NoticePreference.objects.get(user=director)
    assert not preference.digest_email and preference.version == 2
    assert preference.wants_email("break_glass")
    # Without a version: refused.
    response = client.post(url, {"digest_email": "on"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not NoticePreference.objects.get(user=director).digest_email


# --- revocation at send time -----------------------------------------------------------


def test_revoked_access_gives_no_notice_on_the_next_run(
    world, order, django_capture_on_commit_callbacks
):
    liaison = world.users["liaison_parket_a"]  # sees the case through the share only
    case = order.case
    run(django_capture_on_commit_callbacks, send_urgent_notices, today=TODAY)
    assert Notification.objects.filter(user=liaison, kind=NoticeKind.ORDER_ENDING).exists()
    share_stop(case=case, by=world.users["director_city_a"], organisation=world.orgs["parket_a"])
    hearing_add(
        case=case,
        by=world.users["director_city_a"],
        held_at=NOON + datetime.timedelta(days=1),
        court="Rechtbank",
    )
    run(django_capture_on_commit_callbacks, send_urgent_notices, today=TODAY)
    assert not Notification.objects.filter(user=liaison, kind=NoticeKind.HEARING_TOMORROW).exists()
    assert Notification.objects.filter(
        user=world.users["director_city_a"], kind=NoticeKind.HEARING_TOMORROW
    ).exists()


def test_an_administrator_and_an_inactive_account_get_nothing(
    world, order, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks, send_urgent_notices, today=TODAY)
    run(django_capture_on_commit_callbacks, send_daily_digests, today=TODAY)
    for name in ("admin_city_a", "superuser", "inactive_director_city_a", "netcoord_vo_a"):
        assert not Notification.objects.filter(user=world.users[name]).exists(), name


# --- e-mail at most once -----------------------------------------------------------------


def test_an_email_is_sent_at_most_once_and_a_waiting_one_by_the_sweep(world):
    director = world.users["director_city_a"]
    # Made outside the commit hook: as if the broker was away when it was made.
    notice = services.notify(
        user=director,
        kind=NoticeKind.ACTION_OVERDUE,
        object_key="action:1",
        due_on=TODAY,
        url="/cases/",
        reference="X-1",
    )
    assert notice is not None and notice.email_due and notice.emailed_at is None
    assert services.send_waiting_emails() == 0  # too recent: the queued task may still come
    later = NOON + services.EMAIL_SWEEP_AFTER + datetime.timedelta(minutes=1)
    assert services.send_waiting_emails(now=later) == 1
    assert services.send_notice_email(notice_pk=notice.pk) is False  # a second delivery
    assert services.send_waiting_emails(now=later) == 0
    assert len(mails_to(director)) == 1
    # The same notice again: nothing new.
    assert (
        services.notify(
            user=director,
            kind=NoticeKind.ACTION_OVERDUE,
            object_key="action:1",
            due_on=TODAY,
            url="/cases/",
        )
        is None
    )


# --- the list in the app ---------------------------------------------------------------


def _notice(user, key="x:1"):
    return services.notify(
        user=user,
        kind=NoticeKind.REFERRAL_UNANSWERED,
        object_key=key,
        due_on=TODAY,
        url=reverse("cases:board"),
        reference="R-1",
        email=False,
    )


def test_the_list_marks_read_one_and_all_and_the_badge_counts(world, client):
    director = world.users["director_city_a"]
    other = world.users["director_city_b"]
    services.mark_all_read(user=director)  # the world's notice
    first, second = _notice(director, "x:1"), _notice(director, "x:2")
    theirs = _notice(other)
    client.force_login(director)
    page = client.get(reverse("notices:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="badge badge--warn">2<' in html
    assert list(page.context["notices"])[:2] == [second, first]
    assert theirs.pk not in {n.pk for n in page.context["notices"]}
    # Another user's notice: 404, untouched.
    assert client.post(reverse("notices:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(reverse("notices:read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:board")
    first.refresh_from_db()
    assert first.is_read
    assert services.unread_count(director) == 1
    assert client.post(reverse("notices:read_all")).status_code == 302
    assert services.unread_count(director) == 0
    assert services.unread_count(other) == 1
    html = client.get(reverse("notices:list")).content.decode()
    assert "badge--warn" not in html


def test_the_badge_costs_no_query_and_follows_the_notices(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    director = world.users["director_city_a"]
    before = User.objects.get(pk=director.pk).unread_notices
    assert before == services.unread_count(director)
    notice = _notice(director, "x:9")
    assert User.objects.get(pk=director.pk).unread_notices == before + 1
    client.force_login(director)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("notices:settings"))
    assert not [q for q in ctx.captured_queries if "notices_notification" in q["sql"]]
    assert f'class="badge badge--warn">{before + 1}<' in page.content.decode()
    services.mark_read(user=director, pk=notice.pk)
    services.mark_read(user=director, pk=notice.pk)  # again: nothing changes
    assert User.objects.get(pk=director.pk).unread_notices == before


# --- notices from the other apps ---------------------------------------------------------


def test_a_consultation_invitation_and_the_secrecy_reminder(
    world, django_capture_on_commit_callbacks
):
    police = world.users["partner_police_a"]
    consultation = world.consultation  # tomorrow
    with django_capture_on_commit_callbacks(execute=True):
        participant = planning.participant_add_user(
            consultation=consultation, by=world.users["director_city_a"], user=police
        )
    invitation = Notification.objects.get(user=police, kind=NoticeKind.CONSULTATION_INVITATION)
    secrecy_url = reverse("consultations:secrecy", kwargs={"pk": consultation.pk})
    assert (
        invitation.url == secrecy_url and invitation.object_key == f"participant:{participant.pk}"
    )
    assert len(mails_to(police)) == 1
    for _ in range(2):
        run(django_capture_on_commit_callbacks, send_secrecy_reminders, today=TODAY)
    assert Notification.objects.filter(user=police, kind=NoticeKind.SECRECY_TO_CONFIRM).count() == 1
    # Who confirmed (the world's liaison) is not reminded.
    assert not Notification.objects.filter(
        user=world.users["liaison_parket_a"], kind=NoticeKind.SECRECY_TO_CONFIRM
    ).exists()
    for message in mails_to(police):
        assert "http://localhost:8000" + secrecy_url in message.body


def test_a_hit_notice_reaches_the_other_cases_director(world, django_capture_on_commit_callbacks):
    seed_victim(world.cases["city_b"])
    with django_capture_on_commit_callbacks(execute=True):
        notify_hits(
            by=world.users["director_city_a"],
            pairs=[(world.cases["city_a"].pk, world.cases["city_b"].pk)],
        )
    director_b = world.users["director_city_b"]
    notice = Notification.objects.get(user=director_b, kind=NoticeKind.HIT)
    assert notice.reference == world.cases["city_b"].reference
    [message] = mails_to(director_b)
    assert world.cases["city_a"].reference not in message.body
    assert_no_client_data([message], world.cases["city_b"])


def test_emergency_access_is_a_notice_too_with_its_own_single_mail(
    world, django_capture_on_commit_callbacks
):
    from cases.services.break_glass import break_glass_open

    auditor = make_user("dpo_notices", world.orgs["vo_a"], RoleCode.AUDITOR)
    auditor.email = "dpo_notices@example.org"
    auditor.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        access = break_glass_open(
            by=world.users["director_city_a"],
            reference=world.cases["city_b"].reference,
            reason="Regisseur ziek, dringende vraag van de politie",
            hours=2,
            link=lambda case: "http://localhost:8000/cases/",
        )
    for user in (world.users["director_city_b"], auditor):
        notice = Notification.objects.get(user=user, kind=NoticeKind.BREAK_GLASS)
        assert notice.object_key == f"break_glass:{access.pk}" and not notice.email_due
        assert len(mails_to(user)) == 1  # the alert itself, not a second one
