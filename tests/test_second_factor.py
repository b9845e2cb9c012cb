"""Two-factor login (issue 14, parts 1, 8 and 9): the password alone reaches no page with case
data; a wrong code counts for django-axes; enrolment, recovery codes, a remembered device, and
the end of the other sessions when the factor changes. Logs in through the real forms."""

import os
import subprocess
import sys
from io import StringIO
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import AuditAction, AuditEvent
from access.second_factor import remember
from accounts.signals import second_factor_verified
from fjc.checks import demo_shortcuts_are_off
from fjc.demo_factor import DEMO_TOTP_KEY, give_demo_device
from partners.models import OrganisationKind

from .clock import NOON
from .conftest import VerifiedClient
from .factories import make_organisation, make_user, totp_code
from .second_factor_steps import VERIFY, code_step, password_step
from .test_settings_security import ROOT, _production_env

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
HOME = reverse("home")


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=False)


@pytest.fixture
def newcomer(world):
    return make_user("director_new", world.orgs["city_a"], "case_director", second_factor=False)


def _sent_to_second_step(response, url: str) -> bool:
    return response.status_code == 302 and response["Location"] == f"{VERIFY}?next={quote(url)}"


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("director_city_a", "home"),
        ("director_city_a", "cases:list"),
        ("director_city_a", "case"),
        ("director_city_a", "cases:export"),
        ("netcoord_vo_a", "reporting:dashboard"),
        ("admin_city_a", "admin:index"),
        ("superuser", "admin:accounts_user_changelist"),
        ("director_city_a", "second_factor:security"),
    ],
)
def test_the_right_password_alone_reaches_no_page(world, client, username, url):
    response = password_step(client, username)
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next={quote(HOME)}"
    if url == "case":
        path = reverse("cases:detail", kwargs={"pk": world.cases["city_a"].pk})
    else:
        path = reverse(url)
    assert _sent_to_second_step(client.get(path), path)
    # The password alone is no complete login: no LOGIN row yet.
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_the_admins_own_login_form_still_needs_the_second_factor(world, client):
    admin_login = reverse("admin:login")
    response = client.post(
        admin_login,
        {"username": "admin_city_a", "password": "test-password-123", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert _sent_to_second_step(client.get("/admin/"), "/admin/")


def test_the_code_completes_the_login_once(world, client):
    user = world.users["director_city_a"]
    received = []

    def receiver(sender, request, user, **kwargs):
        received.append(user)

    second_factor_verified.connect(receiver)
    try:
        password_step(client, user.username, "wrong-password")
        case_list = reverse("cases:list")
        client.get(case_list)  # anonymous: to the password step, with the page to come back to
        response = client.post(
            f"{reverse('login')}?next={quote(case_list)}",
            {"username": user.username, "password": "test-password-123", "next": case_list},
        )
        assert response["Location"] == f"{VERIFY}?next={quote(case_list)}"
        assert client.get(response["Location"]).status_code == 200
        response = client.post(VERIFY, {"code": totp_code(user), "next": case_list})
    finally:
        second_factor_verified.disconnect(receiver)
    assert response.status_code == 302 and response["Location"] == case_list
    assert client.get(case_list).status_code == 200
    assert [u.pk for u in received] == [user.pk]
    assert AuditEvent.objects.filter(user=user, action=AuditAction.LOGIN).count() == 1
    # The earlier wrong password's count is cleared now that the login is complete.
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_a_recovery_code_works_once(world, client):
    user = world.users["director_city_a"]
    codes = _recovery_codes(client, user)
    client.post(reverse("logout"))
    password_step(client, user.username)
    assert code_step(client, codes[0])["Location"] == HOME
    assert client.get(reverse("cases:list")).status_code == 200
    client.post(reverse("logout"))
    password_step(client, user.username)
    again = code_step(client, codes[0])
    assert again.status_code == 200 and "niet juist" in again.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9


def _recovery_codes(client, user) -> list[str]:
    client.force_login(user)
    assert client.post(reverse("second_factor:new_recovery_codes"))["Location"] == reverse(
        "second_factor:recovery_codes"
    )
    page = client.get(reverse("second_factor:recovery_codes"))
    codes = page.context["codes"]
    assert len(codes) == 10 and all(c in page.content.decode() for c in codes)
    # Shown once: a reload shows them no more.
    assert client.get(reverse("second_factor:recovery_codes"))["Location"] == reverse(
        "second_factor:security"
    )
    return codes


def test_a_wrong_code_is_a_failed_login_and_locks_the_account(world, client):
    user = world.users["director_city_a"]
    password_step(client, user.username, REMOTE_ADDR="192.0.2.7")
    for _ in range(LIMIT - 1):
        response = code_step(client, "000000", REMOTE_ADDR="192.0.2.7")
        assert response.status_code == 200
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username=user.username)
    assert failed.count() == LIMIT - 1
    assert {row.detail["source"] for row in failed} == {"192.0.2.7"}
    response = code_step(client, "000000", REMOTE_ADDR="192.0.2.7")
    # The limit: signed out, a lockout row, and the right password no longer signs in.
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, username=user.username).exists()
    response = password_step(client, user.username, REMOTE_ADDR="192.0.2.8")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_locked_account_cannot_pass_the_second_step(world, client):
    user = world.users["director_city_a"]
    password_step(client, user.username)
    attacker = VerifiedClient()
    for _ in range(LIMIT):
        password_step(attacker, user.username, "wrong-password", REMOTE_ADDR="198.51.100.9")
    response = code_step(client, totp_code(user))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("cases:list")).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_first_login_enrols_an_app_and_shows_recovery_codes_once(
    world, client, newcomer, time_machine
):
    response = password_step(client, newcomer.username)
    response = client.get(response["Location"])
    enrol = reverse("second_factor:enrol")
    assert response.status_code == 302 and response["Location"] == f"{enrol}?next={quote(HOME)}"
    page = client.get(response["Location"])
    secret = "".join(page.context["secret"].split())
    assert secret in page.content.decode().replace(" ", "")
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    # Still nothing else: the enrolment is not done.
    assert _sent_to_second_step(client.get(reverse("cases:list")), reverse("cases:list"))
    wrong = client.post(enrol, {"code": "123456", "next": HOME})
    assert wrong.status_code == 200 and "niet juist" in wrong.content.decode()
    time_machine.shift(2)  # django-otp throttles the device for a second after a failure
    code = f"{totp(device.bin_key):06d}"
    response = client.post(enrol, {"code": code, "next": HOME})
    assert response["Location"] == reverse("second_factor:recovery_codes")
    codes = client.get(response["Location"])
    assert len(codes.context["codes"]) == 10 and codes.context["continue_to"] == HOME
    assert client.get(reverse("cases:list")).status_code == 200
    assert AuditEvent.objects.filter(
        user=newcomer, action=AuditAction.SECOND_FACTOR_CHANGE, detail={"change": "totp_enrolled"}
    ).exists()
    assert AuditEvent.objects.filter(user=newcomer, action=AuditAction.LOGIN).count() == 1


def test_the_password_alone_cannot_replace_an_existing_factor(world, client):
    password_step(client, "director_city_a")
    enrol = reverse("second_factor:enrol")
    response = client.get(enrol)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(enrol, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=world.users["director_city_a"]).count() == 1


def test_a_remembered_device_skips_the_code_until_the_factor_changes(world, client):
    user = world.users["director_city_a"]
    password_step(client, user.username)
    response = code_step(client, totp_code(user), remember=True)
    cookie = response.cookies[remember.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.FJC_REMEMBER_DEVICE_HOURS * 3600
    client.post(reverse("logout"))
    # The password is still asked; the code is not.
    assert client.get(reverse("cases:list")).status_code == 302
    response = password_step(client, user.username)
    assert client.get(response["Location"])["Location"] == HOME
    assert client.get(reverse("cases:list")).status_code == 200
    assert AuditEvent.objects.filter(user=user, action=AuditAction.LOGIN).count() == 2
    # Another person on the same browser is asked for their code.
    client.post(reverse("logout"))
    password_step(client, "director_city_b")
    assert client.get(VERIFY).status_code == 200
    client.post(reverse("logout"))
    # New recovery codes change the factor: the remembered device is forgotten.
    client.force_login(user)
    client.post(reverse("second_factor:new_recovery_codes"))
    client.post(reverse("logout"))
    password_step(client, user.username)
    assert client.get(VERIFY).status_code == 200


def test_changing_the_factor_ends_the_other_sessions(world, client):
    user = world.users["director_city_a"]
    other = VerifiedClient()
    other.force_login(user)
    client.force_login(user)
    assert other.get(HOME).status_code == 200
    client.post(reverse("second_factor:new_recovery_codes"))
    assert client.get(HOME).status_code == 200
    response = other.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        user=user,
        action=AuditAction.SECOND_FACTOR_CHANGE,
        detail__change="recovery_codes_regenerated",
    ).exists()


def test_my_security_is_in_the_navigation(world, client):
    client.force_login(world.users["director_city_a"])
    page = client.get(HOME).content.decode()
    assert f'href="{reverse("second_factor:security")}"' in page
    page = client.get(reverse("second_factor:security")).content.decode()
    assert "Mijn beveiliging" in page and "10 herstelcodes" not in page


def test_remembering_longer_than_a_month_stops_start_up():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FJC_"))}
    env |= {"FJC_REMEMBER_DEVICE_HOURS": "721", "DJANGO_SETTINGS_MODULE": "fjc.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "FJC_REMEMBER_DEVICE_HOURS" in result.stderr


def test_check_deploy_fails_with_the_demo_shortcut_on():
    env = _production_env() | {"FJC_DEMO": "true"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "fjc.E001" in result.stderr


def test_a_device_with_the_demo_secret_is_a_deploy_error(world, settings):
    settings.FJC_DEMO = False
    assert demo_shortcuts_are_off() == []
    give_demo_device(
        make_user("demo_like", make_organisation("X", OrganisationKind.CITY), second_factor=False)
    )
    assert [e.id for e in demo_shortcuts_are_off()] == ["fjc.E002"]


def test_demo_code_prints_the_code_only_in_the_demo(world, settings):
    user = make_user("regisseur.demo", world.orgs["city_a"], "case_director", second_factor=False)
    device = give_demo_device(user)
    settings.FJC_DEMO = False
    with pytest.raises(CommandError, match="FJC_DEMO"):
        call_command("demo_code", user.username, stdout=StringIO())
    settings.FJC_DEMO = True
    out = StringIO()
    call_command("demo_code", user.username, stdout=out)
    assert out.getvalue().strip() == f"{totp(device.bin_key):06d}"
    assert device.key == DEMO_TOTP_KEY
    # Never the code of a real app.
    with pytest.raises(CommandError):
        call_command("demo_code", "director_city_a", stdout=StringIO())
