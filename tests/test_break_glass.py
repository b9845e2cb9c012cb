"""Break-glass: a case director's emergency access to a case outside their scope opens at
once with a reason, tells the case's directors and the auditors, shows on every page of the
case, ends by itself, and is reviewed by a second person."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AuditAction, AuditEvent
from access.policy import Action, is_permitted, may_see_confidential
from accounts.models import User
from accounts.roles import RoleCode
from cases.models import BreakGlassAccess, BreakGlassReview, CaseParty, CaseUserObjectPermission
from cases.services.break_glass import end_expired_break_glass

from .clock import NOON
from .factories import make_user

pytestmark = pytest.mark.django_db

REASON = "Collega ziek; de politie vraagt dringend wie het gezin opvolgt."


@pytest.fixture
def auditor(world):
    return make_user("dpo_test", world.orgs["vo_a"], RoleCode.AUDITOR, email="dpo@example.org")


@pytest.fixture
def with_mail_addresses(world):
    for name in ("director_city_a", "director_city_b", "co_director"):
        User.objects.filter(username=name).update(email=f"{name}@example.org")


def _ask(client, case, reason=REASON, hours=2, reference=None):
    return client.post(
        reverse("cases:break_glass"),
        {
            "reference": case.reference if reference is None else reference,
            "reason": reason,
            "hours": hours,
        },
    )


def _open(client, world, django_capture_on_commit_callbacks, case_key="city_b"):
    client.force_login(world.users["director_city_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, world.cases[case_key])
    return response


@time_machine.travel(NOON, tick=False)
def test_director_opens_emergency_access_sees_the_banner_and_it_ends_by_itself(
    world, client, auditor, with_mail_addresses, django_capture_on_commit_callbacks
):
    case = world.cases["city_b"]
    detail = reverse("cases:detail", kwargs={"pk": case.pk})
    client.force_login(world.users["director_city_a"])
    assert client.get(detail).status_code == 404

    response = _open(client, world, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == detail
    page = client.get(detail)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="break-glass-banner" role="region"' in html
    assert "Noodtoegang tot" in html and "reden: " + REASON in html
    # Every page of the case shows it: the journal, the people, the risk list.
    for name in ("cases:journal", "risk:list"):
        other = client.get(reverse(name, kwargs={"pk": case.pk}))
        assert other.status_code == 200, name
        assert "break-glass-banner" in other.content.decode(), name
    # Whole-file reading, never a change, and the confidential details stay with the team.
    requester = world.users["director_city_a"]
    assert not is_permitted(requester, case, Action.CHANGE)
    assert not may_see_confidential(requester, case)

    # Mail to the case's directors and the auditor; not to the requester; no client data.
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [
        "co_director@example.org",
        "director_city_b@example.org",
        "dpo@example.org",
    ]
    names = {
        value
        for party in CaseParty.objects.filter(case=case).select_related("person")
        for value in (party.person.first_name, party.person.last_name)
        if value
    }
    assert names  # the case holds people whose names must not leave by mail
    for message in mail.outbox:
        assert case.reference in message.subject
        assert detail in message.body
        assert not any(name in message.body or name in message.subject for name in names)
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS, case_id=case.pk, user=requester)
    assert event.purpose == REASON

    # After its end: refused again, without any task running.
    with time_machine.travel(NOON + datetime.timedelta(hours=2, seconds=1), tick=False):
        client.force_login(requester)  # (the idle timeout ended the session meanwhile)
        assert client.get(detail).status_code == 404
        assert end_expired_break_glass() == 1
    access = BreakGlassAccess.objects.get(case=case, requested_by=requester)
    assert access.ended_at == access.ends_at
    assert not CaseUserObjectPermission.objects.filter(break_glass=access).exists()


@time_machine.travel(NOON, tick=False)
def test_the_requester_ends_it_early(world, client, django_capture_on_commit_callbacks):
    _open(client, world, django_capture_on_commit_callbacks)
    access = BreakGlassAccess.objects.get(case=world.cases["city_b"])
    response = client.post(
        reverse("cases:break_glass_end", kwargs={"break_glass_pk": access.pk}), {"confirm": "yes"}
    )
    assert response.status_code == 302
    detail = reverse("cases:detail", kwargs={"pk": world.cases["city_b"].pk})
    assert client.get(detail).status_code == 404
    access.refresh_from_db()
    assert access.ended_by == world.users["director_city_a"]


@pytest.mark.parametrize("username", ["partner_police_a", "opslead_city_a", "admin_city_a"])
def test_only_case_directors_may_ask(world, client, username):
    client.force_login(world.users[username])
    assert client.get(reverse("cases:break_glass")).status_code == 403
    assert _ask(client, world.cases["city_b"]).status_code == 403
    assert not BreakGlassAccess.objects.filter(case=world.cases["city_b"]).exists()


def test_anonymous_is_sent_to_log_in(world, client):
    response = _ask(client, world.cases["city_b"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("reference", ["known", "VH-0000-UNKNOWN"])
def test_without_a_reason_nothing_opens_and_nothing_is_told_about_the_reference(
    world, client, reference
):
    client.force_login(world.users["director_city_a"])
    case = world.cases["city_b"]
    response = _ask(
        client, case, reason="  ", reference=case.reference if reference == "known" else reference
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "reason" in errors and "reference" not in errors
    assert "Zeg waarom" in errors["reason"][0]
    assert not BreakGlassAccess.objects.filter(case=case).exists()


def test_an_unknown_reference_gets_a_neutral_answer(world, client):
    client.force_login(world.users["director_city_a"])
    response = _ask(client, world.cases["city_b"], reference="VH-0000-UNKNOWN")
    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == [
        "Met deze referentie kan geen dossier zo geopend worden."
    ]


def test_a_case_already_visible_needs_no_emergency_access(world, client):
    client.force_login(world.users["director_city_a"])
    response = _ask(client, world.cases["city_a"])
    assert response.status_code == 200
    assert not BreakGlassAccess.objects.filter(
        case=world.cases["city_a"], requested_by=world.users["director_city_a"]
    ).exists()


@time_machine.travel(NOON, tick=False)
def test_review_by_a_second_person_once(world, client, auditor, django_capture_on_commit_callbacks):
    _open(client, world, django_capture_on_commit_callbacks)
    access = BreakGlassAccess.objects.get(case=world.cases["city_b"])
    url = reverse("cases:break_glass_review", kwargs={"break_glass_pk": access.pk})
    verdict = {"verdict": "unjustified", "comment": "Geen noodsituatie: de collega was bereikbaar."}

    # The requester never reviews their own.
    assert client.get(url).status_code == 403
    assert client.post(url, verdict).status_code == 403
    # A director of another case neither.
    client.force_login(world.users["director_caw_a"])
    assert client.get(url).status_code == 403

    client.force_login(auditor)
    listing = client.get(reverse("cases:break_glass_reviews"))
    assert listing.status_code == 200
    assert access in listing.context["reviews"].awaiting
    assert client.post(url, {"verdict": "", "comment": ""}).status_code == 200
    assert client.post(url, verdict).status_code == 302
    review = BreakGlassReview.objects.get(access=access)
    assert review.reviewed_by == auditor and review.is_unjustified
    assert AuditEvent.objects.filter(
        action=AuditAction.BREAK_GLASS_REVIEW, user=auditor, case_id=access.case_id
    ).exists()

    # Written once: a second review is refused, by the page and by the model.
    client.force_login(world.users["director_city_b"])
    again = client.post(url, {"verdict": "justified", "comment": "Toch wel."})
    assert again.status_code == 200
    assert "al beoordeeld" in again.content.decode()
    assert BreakGlassReview.objects.filter(access=access).count() == 1
    review.comment = "anders"
    with pytest.raises(ValidationError, match="nooit gewijzigd"):
        review.save()

    # The unjustified verdict shows on the list, for the case's own directors too.
    listing = client.get(reverse("cases:break_glass_reviews"))
    assert access in listing.context["reviews"].reviewed
    assert "badge--warn" in listing.content.decode()


def test_the_review_list_runs_a_fixed_number_of_queries(world, client, auditor):
    from cases.services.break_glass import break_glass_open

    client.force_login(auditor)
    url = reverse("cases:break_glass_reviews")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for key in ("city_b", "caw_a", "caw_b"):
        break_glass_open(
            by=world.users["director_city_a"] if key != "caw_a" else world.users["director_city_b"],
            reference=world.cases[key].reference,
            reason=REASON,
            hours=1,
            link=lambda case: "http://testserver/",
        )
    assert count() == few


def test_case_directors_find_the_entry_in_the_navigation(world, client):
    client.force_login(world.users["director_city_a"])
    html = client.get(reverse("home")).content.decode()
    assert reverse("cases:break_glass") in html
    client.force_login(world.users["partner_police_a"])
    assert reverse("cases:break_glass") not in client.get(reverse("home")).content.decode()
