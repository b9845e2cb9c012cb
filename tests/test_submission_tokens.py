"""Create forms carry a one-time token: a double submit (double click, back button, a
retry) creates one row and shows what the first submission created (issue 15)."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.views.generic.edit import FormView

from cases.models import Case, Hearing, JournalEntry, Measure, RelationshipContext
from common.models import SubmissionToken
from common.submission import FIELD, OneTimeSubmissionMixin, issue_token
from common.tasks import delete_old_submission_tokens

from .access_rules import CASE_KEYS, EXPECTED
from .clock import NOON, TODAY, iso
from .test_permission_matrix import SPECS, _expected, _routes, _url
from .urlwalk import walk

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rf'name="{FIELD}" value="([^"]+)"')
ALREADY_SENT = "Dit formulier was al verstuurd; dit is wat toen werd aangemaakt."
NOT_CHECKED = "Dit formulier kon niet worden nagekeken. Controleer het en verstuur het opnieuw."


def _token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    match = TOKEN.search(response.content.decode())
    assert match, f"{url} renders no {FIELD}"
    return match.group(1)


def _send_twice(client, url: str, data: dict) -> tuple:
    data = {**data, FIELD: _token(client, url)}
    first = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")
    second = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")
    return first, second


def _registration(world) -> dict:
    director = world.users["director_city_a"]
    return {
        "track": 2,
        "case_director": director.pk,
        "opened_on": TODAY.isoformat(),
        "referrer_kind": "partner",
        "referrer_organisation": world.orgs["police_a"].pk,
        "relationship_contexts": [RelationshipContext.objects.get(code="partner").pk],
        "urgency": "normal",
        "description": "Dubbel verstuurd.",
    }


def _case_form(world, name: str, data: dict) -> tuple:
    case = world.cases["city_a"]
    return reverse(name, args=[case.pk]), data, case


FORMS = {
    "registration": (
        lambda world: (reverse("cases:create"), _registration(world), None),
        lambda world, case: Case.objects.filter(description="Dubbel verstuurd."),
    ),
    "journal entry": (
        lambda world: _case_form(
            world,
            "cases:journal_add",
            {
                "kind": "note",
                "occurred_at_0": TODAY.isoformat(),
                "occurred_at_1": "00:00",
                "text": "Dubbel verstuurd.",
                "visibility": "team",
            },
        ),
        lambda world, case: JournalEntry.objects.filter(case=case, text="Dubbel verstuurd."),
    ),
    "hearing": (
        lambda world: _case_form(
            world,
            "cases:hearing_add",
            {"held_at": f"{iso(5)}T10:00", "court": "Rechtbank Dubbel", "subject": ""},
        ),
        lambda world, case: Hearing.objects.filter(case=case, court="Rechtbank Dubbel"),
    ),
    "measure": (
        lambda world: _case_form(
            world,
            "cases:measure_add",
            {
                "kind": "conditions",
                "starts_on": iso(0),
                "ends_on": iso(30),
                "decided_by": "",
                "conditions": "Geen contact dubbel.",
            },
        ),
        lambda world, case: Measure.objects.filter(case=case, conditions="Geen contact dubbel."),
    ),
}


@pytest.mark.parametrize("what", FORMS)
def test_a_double_submit_creates_one_row_and_shows_it(world, client, what):
    build, rows = FORMS[what]
    url, data, case = build(world)
    client.force_login(world.users["director_city_a"])

    first, second = _send_twice(client, url, data)

    assert first.status_code == 302, getattr(first, "context", {}) and first.context["form"].errors
    assert rows(world, case).count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY_SENT in [str(m) for m in get_messages(second.wsgi_request)]


def test_a_refused_form_keeps_its_token_for_the_corrected_one(world, client):
    client.force_login(world.users["director_city_a"])
    url = reverse("cases:create")
    token = _token(client, url)
    refused = client.post(url, {**_registration(world), "track": "", FIELD: token})
    assert refused.status_code == 200 and token in refused.content.decode()
    assert not SubmissionToken.objects.filter(user=world.users["director_city_a"]).exists()
    sent = client.post(url, {**_registration(world), FIELD: token})
    assert sent.status_code == 302
    assert Case.objects.filter(description="Dubbel verstuurd.").count() == 1


def test_a_token_of_another_user_is_refused(world, client):
    client.force_login(world.users["director_city_a"])
    foreign = issue_token(world.users["director_caw_a"])
    response = client.post(reverse("cases:create"), {**_registration(world), FIELD: foreign})
    assert response.status_code == 200
    assert not Case.objects.filter(description="Dubbel verstuurd.").exists()


@pytest.mark.parametrize("token", ["", "not-signed", "missing"])
def test_a_create_post_without_a_valid_token_is_refused_and_the_form_can_be_sent_again(
    world, client, token
):
    """Refused like an expired form: 200, the form again with a Dutch message and a fresh
    token, nothing created; sending that form then creates the case once."""
    client.force_login(world.users["director_city_a"])
    url = reverse("cases:create")
    data = _registration(world) if token == "missing" else {**_registration(world), FIELD: token}
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl", submission_token=False)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert NOT_CHECKED in page
    assert not Case.objects.filter(description="Dubbel verstuurd.").exists()
    assert not SubmissionToken.objects.filter(user=world.users["director_city_a"]).exists()
    fresh = TOKEN.search(page)
    assert fresh and fresh.group(1) != token
    sent = client.post(url, {**_registration(world), FIELD: fresh.group(1)})
    assert sent.status_code == 302
    assert Case.objects.filter(description="Dubbel verstuurd.").count() == 1


def test_an_invalid_form_without_a_token_gets_a_token_and_its_errors(world, client):
    client.force_login(world.users["director_city_a"])
    refused = client.post(
        reverse("cases:create"),
        {**_registration(world), "track": ""},
        HTTP_ACCEPT_LANGUAGE="nl",
        submission_token=False,
    )
    assert refused.status_code == 200
    assert NOT_CHECKED in refused.content.decode()
    assert refused.context["form"].errors["track"]
    assert TOKEN.search(refused.content.decode())


def test_a_form_older_than_the_token_days_is_refused(world, client, time_machine):
    director = world.users["director_city_a"]
    time_machine.move_to(NOON, tick=False)
    client.force_login(director)
    url = reverse("cases:create")
    token = _token(client, url)
    days = settings.FJC_SUBMISSION_TOKEN_DAYS
    time_machine.move_to(NOON + datetime.timedelta(days=days, minutes=1), tick=False)
    client.force_login(director)  # the session of then has long expired
    refused = client.post(url, {**_registration(world), FIELD: token}, HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 200 and NOT_CHECKED in refused.content.decode()
    assert not Case.objects.filter(description="Dubbel verstuurd.").exists()


def test_old_tokens_are_deleted_and_a_form_sent_again_after_that_creates_nothing(
    world, client, time_machine
):
    """The clean-up must not turn a used token into an unknown, hence new, one: a token whose
    row is gone is always past its age, and refused."""
    director = world.users["director_city_a"]
    time_machine.move_to(NOON, tick=False)
    client.force_login(director)
    url = reverse("cases:create")
    data = {**_registration(world), FIELD: _token(client, url)}
    first = client.post(url, data)
    assert first.status_code == 302
    used = SubmissionToken.objects.get(user=director)
    days = settings.FJC_SUBMISSION_TOKEN_DAYS
    time_machine.move_to(NOON + datetime.timedelta(days=days - 1), tick=False)
    younger = SubmissionToken.objects.create(nonce="younger", user=director)

    time_machine.move_to(NOON + datetime.timedelta(days=days, minutes=1), tick=False)
    assert delete_old_submission_tokens() >= 1
    assert not SubmissionToken.objects.filter(nonce=used.nonce).exists()
    assert SubmissionToken.objects.filter(nonce=younger.nonce).exists()

    client.force_login(director)
    again = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")
    assert again.status_code == 200 and NOT_CHECKED in again.content.decode()
    assert Case.objects.filter(description="Dubbel verstuurd.").count() == 1


def test_the_clean_up_is_scheduled_daily():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "submission" in str(e["task"])]
    assert entries == [
        {"task": "common.tasks.delete_old_submission_tokens", "schedule": 24 * 60 * 60}
    ]
    assert delete_old_submission_tokens.name == "common.tasks.delete_old_submission_tokens"


# A view whose name says it creates must be one-time; the others listed here create too.
CREATES_BY_NAME = re.compile(r"Add|Create|Register|Signal|Request")


def test_every_create_view_is_one_time():
    missing = [
        f"{route.name} ({cls.__name__})"
        for route in walk()
        if (cls := route.view_class) is not None
        and issubclass(cls, FormView)
        and CREATES_BY_NAME.search(cls.__name__)
        and not issubclass(cls, OneTimeSubmissionMixin)
    ]
    assert not missing, f"create views without a submission token: {missing}"


def _one_time_routes() -> list[str]:
    return sorted(
        name
        for name, route in _routes().items()
        if route.view_class is not None
        and issubclass(route.view_class, OneTimeSubmissionMixin)
        and "legal_basis_pk" not in route.pattern.pattern.converters  # the edit of a basis
    )


def test_the_create_views_are_found():
    assert len(_one_time_routes()) >= 25


def _without_plans() -> None:
    # Every world case has its plan of approach, and a case holds one: the add page then sends
    # the team to that plan. Without plans the page shows its form.
    from cases.models import PlanOfApproach
    from consultations.models import PlanReview

    PlanReview.objects.all().delete()
    PlanOfApproach.objects.all().delete()


# Create pages that show their form only once the world is changed a little.
PREPARE = {"cases:plan_add": _without_plans}


@pytest.mark.parametrize("name", _one_time_routes())
def test_every_create_form_renders_its_token(world, client, name):
    PREPARE.get(name, lambda: None)()
    spec = SPECS[name]
    assert spec.method == "get"
    case_keys = CASE_KEYS if spec.kind.startswith("case_") else (None,)
    for username in EXPECTED:
        for case_key in case_keys:
            expected = _expected(username, spec, case_key)
            # A prepared page's matrix status is the world's (302: to the existing plan).
            if expected != 200 and not (name in PREPARE and expected == 302):
                continue
            client.force_login(world.users[username])
            _token(client, _url(world, name, case_key))
            return
    pytest.fail(f"no user in the world may open {name}")
