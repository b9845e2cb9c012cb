"""The partner inbox (issue 19, part 3): referrals and actions addressed to an organisation,
answered there without access to the case file."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    CaseAction,
    PartnerAnswer,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from notices.models import NoticeKind, Notification

from .conftest import VerifiedClient
from .factories import make_user

pytestmark = pytest.mark.django_db

SECRET_NAME = "Voorbeeld"  # a person of the world's cases: never in the inbox


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def director(world):
    return world.users["director_city_a"]


@pytest.fixture
def case(world):
    return world.cases["city_a"]


@pytest.fixture
def partner(world):
    return world.users["partner_partner_a"]


def refer(case, director, world, **extra) -> Referral:
    return services.referral_create(
        case=case,
        by=director,
        direction=ReferralDirection.OUTGOING,
        partner=world.orgs["partner_a"],
        referred_on=today(),
        reason="Begeleiding van de moeder na het incident",
        ground="consent",
        consent_given_by="De cliënt",
        consent_given_on=today(),
        consent_purpose="Doorverwijzing",
        partner_information="Moeder vraagt een gesprek, liefst 's avonds.",
        **extra,
    )


def inbox_url(name: str, item) -> str:
    kind = "referral" if isinstance(item, Referral) else "action"
    return reverse(f"inbox:{name}", kwargs={f"inbox_{kind}_pk": item.pk})


def answer(client, name: str, item, note: str = "", version: int | None = None):
    item.refresh_from_db()
    return client.post(
        inbox_url(name, item),
        {"note": note, "version": item.version if version is None else version},
    )


def test_a_referral_reaches_the_partner_is_accepted_and_completed_and_shows_on_the_case(
    client, world, case, director, partner
):
    referral = refer(case, director, world)
    # The partner's inbox users are told it arrived (the case reference, never a name).
    notice = Notification.objects.get(user=partner, kind=NoticeKind.INBOX_ITEM)
    assert notice.url == inbox_url("referral", referral)
    assert notice.reference == case.reference

    client.force_login(partner)
    page = client.get(reverse("inbox:list")).content.decode()
    assert case.reference in page and inbox_url("referral", referral) in page
    item = client.get(inbox_url("referral", referral))
    assert item.status_code == 200
    text = item.content.decode()
    assert "Begeleiding van de moeder" in text and "liefst &#x27;s avonds" in text
    assert str(director.organisation) in text and case.reference in text
    assert SECRET_NAME not in text
    # The case file stays closed to the partner.
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 404

    response = answer(client, "referral_accept", referral, "Intake op maandag.")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.answered_on) == (ReferralStatus.ACCEPTED, today())
    assert referral.history.first().history_user == partner
    assert Notification.objects.filter(user=director, kind=NoticeKind.PARTNER_ANSWERED).exists()

    response = answer(client, "referral_complete", referral, "Drie gesprekken gehad.")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.done_on) == (ReferralStatus.DONE, today())
    answers = list(PartnerAnswer.objects.filter(referral=referral))
    assert [(a.outcome, a.answered_by, a.organisation) for a in answers] == [
        ("accepted", partner, world.orgs["partner_a"]),
        ("done", partner, world.orgs["partner_a"]),
    ]
    # Handled now: out of the open tab, in the handled one.
    assert inbox_url("referral", referral) not in client.get(reverse("inbox:list")).content.decode()
    handled = client.get(reverse("inbox:list") + "?tab=handled").content.decode()
    assert inbox_url("referral", referral) in handled

    # The case director sees the answer on the case.
    client.force_login(director)
    steering = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "Drie gesprekken gehad." in steering


def test_declining_needs_a_reason_in_dutch_and_then_shows_it(
    client, world, case, director, partner
):
    referral = refer(case, director, world)
    client.force_login(partner)
    response = answer(client, "referral_decline", referral, "  ")
    assert response.status_code == 200
    assert "Geef de reden waarom u weigert." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert not PartnerAnswer.objects.filter(referral=referral).exists()

    assert answer(client, "referral_decline", referral, "Wachtlijst").status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (ReferralStatus.DECLINED, "Wachtlijst")
    # Declined is final: no more answers offered, and a late one is refused.
    page = client.get(inbox_url("referral", referral)).content.decode()
    assert inbox_url("referral_complete", referral) not in page
    late = answer(client, "referral_complete", referral, "x")
    assert late.status_code == 200 and PartnerAnswer.objects.filter(referral=referral).count() == 1


def test_another_organisation_and_the_administrator_get_404_the_team_403(
    client, world, case, director
):
    referral = refer(case, director, world)
    for username in ("partner_partner_b", "partner_police_a", "admin_city_a", "opslead_city_a"):
        client.force_login(world.users[username])
        assert client.get(inbox_url("referral", referral)).status_code == 404, username
        assert answer(client, "referral_accept", referral).status_code == 404, username
    client.force_login(director)
    assert client.get(inbox_url("referral", referral)).status_code == 200
    assert answer(client, "referral_accept", referral).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_anonymous_goes_to_login(world, case, director):
    referral = refer(case, director, world)
    response = VerifiedClient().get(inbox_url("referral", referral))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_double_submission_answers_once(client, world, case, director, partner):
    referral = refer(case, director, world)
    client.force_login(partner)
    referral.refresh_from_db()
    version = referral.version
    assert answer(client, "referral_accept", referral, "ok", version=version).status_code == 302
    again = answer(client, "referral_accept", referral, "ok", version=version)
    assert again.status_code == 409
    assert PartnerAnswer.objects.filter(referral=referral).count() == 1


def test_two_partner_users_answering_at_once_the_second_gets_a_conflict(
    client, world, case, director, partner
):
    colleague = make_user("colleague_partner_a", world.orgs["partner_a"], "partner_professional")
    referral = refer(case, director, world)
    referral.refresh_from_db()
    version = referral.version
    other = VerifiedClient()
    other.force_login(colleague)
    client.force_login(partner)
    # Both opened the forms on the same version.
    assert other.get(inbox_url("referral_decline", referral)).status_code == 200
    assert (
        answer(client, "referral_accept", referral, "Wij doen het", version=version).status_code
        == 302
    )
    response = answer(other, "referral_decline", referral, "Geen plaats", version=version)
    assert response.status_code == 409
    assert "Geen plaats" in response.content.decode()  # the input is kept
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (ReferralStatus.ACCEPTED, "")
    assert list(
        PartnerAnswer.objects.filter(referral=referral).values_list("outcome", flat=True)
    ) == ["accepted"]


def test_an_outgoing_referral_needs_its_ground(client, world, case, director):
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            case=case,
            by=director,
            direction=ReferralDirection.OUTGOING,
            partner=world.orgs["partner_a"],
            referred_on=today(),
            reason="x",
        )
    assert "ground" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            case=case,
            by=director,
            direction=ReferralDirection.OUTGOING,
            partner=world.orgs["partner_a"],
            referred_on=today(),
            reason="x",
            ground="consent",
        )
    assert {"consent_given_by", "consent_given_on"} <= set(error.value.error_dict)
    client.force_login(director)
    before = Referral.objects.count()
    response = client.post(
        reverse("cases:referral_out_add", kwargs={"pk": case.pk}),
        {"partner": world.orgs["partner_a"].pk, "referred_on": today().isoformat(), "reason": "x"},
    )
    assert response.status_code == 200
    assert "ground" in response.context["form"].errors
    assert Referral.objects.count() == before
    # With a ground it is recorded, with its particulars.
    response = client.post(
        reverse("cases:referral_out_add", kwargs={"pk": case.pk}),
        {
            "partner": world.orgs["partner_a"].pk,
            "referred_on": today().isoformat(),
            "reason": "x",
            "ground": "legal_duty",
            "legal_duty": "Meldplicht",
            "partner_information": "Alleen de hulpvraag.",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.latest("pk")
    assert (referral.ground, referral.legal_duty, referral.partner_information) == (
        "legal_duty",
        "Meldplicht",
        "Alleen de hulpvraag.",
    )


def test_a_referral_without_a_recorded_ground_says_so(client, world, case, director):
    referral = refer(case, director, world)
    Referral.objects.filter(pk=referral.pk).update(
        ground=None, consent_given_by="", consent_given_on=None
    )
    client.force_login(director)
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "Grond om te delen: niet genoteerd" in page


def test_an_action_for_a_partner_is_accepted_declined_or_done_in_its_inbox(
    client, world, case, director, partner
):
    action = services.case_action_add(
        case=case,
        by=director,
        description="Huisbezoek plannen",
        due_on=today() + datetime.timedelta(days=7),
        assignee_organisation=world.orgs["partner_a"],
    )
    assert Notification.objects.filter(user=partner, kind=NoticeKind.INBOX_ITEM).exists()
    client.force_login(partner)
    assert inbox_url("action", action) in client.get(reverse("inbox:list")).content.decode()
    assert client.get(inbox_url("action", action)).status_code == 200
    assert answer(client, "action_accept", action, "Volgende week").status_code == 302
    # Accepted: only "done" may follow.
    assert answer(client, "action_decline", action, "toch niet").status_code == 200
    assert answer(client, "action_complete", action, "Gebeurd").status_code == 302
    action.refresh_from_db()
    assert action.done_on == today()
    assert action.history.first().history_user == partner

    second = services.case_action_add(
        case=case,
        by=director,
        description="Nazorg",
        due_on=today() + datetime.timedelta(days=7),
        assignee_organisation=world.orgs["partner_a"],
    )
    assert answer(client, "action_decline", second, "Niet ons werkterrein").status_code == 302
    second.refresh_from_db()
    assert second.done_on is None
    handled = client.get(reverse("inbox:list") + "?tab=handled").content.decode()
    assert inbox_url("action", second) in handled
    client.force_login(director)
    steering = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "Niet ons werkterrein" in steering and "geweigerd door de partner" in steering


def test_the_figures_count_a_partner_answer_like_a_recorded_one(world, case, director, partner):
    """The partner's answer goes through referral_answer: the referral's answered_on and
    done_on, which the figures count, are set exactly as when the director records it."""
    referral = refer(case, director, world)
    services.inbox_answer(
        item=referral, by=partner, outcome="done", note="", expected_version=referral.version
    )
    referral.refresh_from_db()
    assert (referral.status, referral.answered_on, referral.done_on) == (
        ReferralStatus.DONE,
        today(),
        today(),
    )


def test_inbox_is_for_the_organisations_case_workers(client, world):
    for username, status in (
        ("partner_partner_a", 200),
        ("director_caw_a", 200),
        ("opslead_city_a", 403),
        ("netcoord_vo_a", 403),
        ("admin_city_a", 403),
    ):
        client.force_login(world.users[username])
        assert client.get(reverse("inbox:list")).status_code == status, username


def test_only_inbox_items_are_reachable(client, world, case, director):
    # An incoming referral and an action assigned to a user are nobody's inbox item.
    incoming = services.referral_create(
        case=case,
        by=director,
        direction=ReferralDirection.INCOMING,
        partner=world.orgs["partner_a"],
        referred_on=today(),
        reason="x",
    )
    action = CaseAction.objects.filter(case=case, assignee_user__isnull=False).first()
    client.force_login(world.users["partner_partner_a"])
    assert client.get(inbox_url("referral", incoming)).status_code == 404
    assert client.get(inbox_url("action", action)).status_code == 404
