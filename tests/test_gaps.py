"""Gaps in the care offer: signalled from a case, followed up by the network without the case."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent, EventKind
from partners.models import Gap, GapKind, GapStatus

pytestmark = pytest.mark.django_db


def _signal_url(case):
    return reverse("partners:gap_signal", kwargs={"pk": case.pk})


def _signal(client, world, case, description="Geen plaats in daderhulp binnen 3 maanden"):
    client.force_login(case.case_director)
    return client.post(
        _signal_url(case),
        {
            "kind": GapKind.WAITING_LIST,
            "organisation": world.orgs["partner_b"].pk,
            "description": description,
        },
    )


def test_case_director_signals_a_gap_from_the_case(world, client):
    case = world.cases["city_a"]
    client.force_login(case.case_director)
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert _signal_url(case) in page
    response = _signal(client, world, case)
    assert response.status_code == 302
    gap = Gap.objects.get(case=case)
    assert gap.kind == GapKind.WAITING_LIST and gap.status == GapStatus.NEW
    assert gap.signalled_by == case.case_director
    event = CaseEvent.objects.get(case=case, kind=EventKind.GAP_SIGNALLED)
    # The timeline names the kind only, not the description.
    assert event.summary == str(gap.get_kind_display())


def test_signal_access(world, client):
    case = world.cases["city_a"]
    url = _signal_url(case)
    for username, status in [
        ("director_city_a", 200),
        ("director_city_b", 404),  # another organisation's case
        ("director_caw_a", 404),
        ("netcoord_vo_a", 404),
        ("admin_city_a", 404),
    ]:
        client.force_login(world.users[username])
        assert client.get(url).status_code == status, username
    client.force_login(world.users["director_city_b"])
    client.post(url, {"kind": GapKind.OTHER, "description": "x"})
    # View-only share: the prosecutor liaison may read the case but not signal from it.
    client.force_login(world.users["liaison_parket_a"])
    assert client.get(_signal_url(world.cases["city_a_shared"])).status_code == 403
    client.post(_signal_url(world.cases["city_a_shared"]), {"kind": "other", "description": "x"})
    client.logout()
    assert client.get(url).status_code == 302
    assert not Gap.objects.filter(case__isnull=False).exists()


def test_coordinator_never_reaches_a_case(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    for case in world.cases.values():
        assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 404
        assert client.get(_signal_url(case)).status_code == 404


def test_invalid_signal_changes_nothing(world, client):
    case = world.cases["city_a"]
    client.force_login(case.case_director)
    response = client.post(_signal_url(case), {"kind": "nonsense", "description": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kind", "description"}
    assert not Gap.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.GAP_SIGNALLED).exists()


def test_coordinator_sees_the_gap_without_the_case(world, client):
    case = world.cases["city_a"]
    _signal(client, world, case)
    gap = Gap.objects.get(case=case)
    client.force_login(world.users["netcoord_vo_a"])
    pages = [
        client.get(reverse("partners:gaps")),
        client.get(reverse("partners:gap", kwargs={"gap_pk": gap.pk})),
        client.get(reverse("partners:gap_status", kwargs={"gap_pk": gap.pk})),
        client.get(reverse("partners:gap_follow_up_add", kwargs={"gap_pk": gap.pk})),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert case.reference not in html
        assert reverse("cases:detail", kwargs={"pk": case.pk}) not in html
        assert f"/cases/{case.pk}/" not in html
    assert "Geen plaats in daderhulp" in pages[1].content.decode()


def test_gap_list_filters_and_groups(world, client):
    _signal(client, world, world.cases["city_a"])
    _signal(client, world, world.cases["caw_a"])
    client.force_login(world.users["netcoord_vo_a"])
    url = reverse("partners:gaps")
    response = client.get(url)
    # The world holds one waiting-list gap outside any case, too.
    assert len(response.context["gaps"]) == 3
    by_kind = dict(response.context["by_kind"])
    assert by_kind[GapKind.WAITING_LIST.label] == 3
    assert by_kind[GapKind.MISSING_SERVICE.label] == 0
    assert len(client.get(url, {"kind": GapKind.OTHER}).context["gaps"]) == 0
    assert len(client.get(url, {"status": GapStatus.NEW}).context["gaps"]) == 3
    assert len(client.get(url, {"status": GapStatus.CLOSED}).context["gaps"]) == 0


def test_coordinator_follows_a_gap_up(world, client):
    gap = world.directory["gap_pk"]
    coordinator = world.users["netcoord_vo_a"]
    client.force_login(coordinator)
    response = client.post(
        reverse("partners:gap_follow_up_add", kwargs={"gap_pk": gap.pk}),
        {"date": "2026-03-01", "action": "Overleg met CGG", "organisation": ""},
    )
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == GapStatus.FOLLOW_UP  # a first follow-up starts the follow-up
    follow_up = gap.follow_ups.get()
    assert follow_up.by == coordinator and follow_up.action == "Overleg met CGG"
    response = client.post(
        reverse("partners:gap_status", kwargs={"gap_pk": gap.pk}), {"status": GapStatus.CLOSED}
    )
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == GapStatus.CLOSED
    assert gap.history.first().history_user == coordinator


def test_invalid_follow_up_and_status_change_nothing(world, client):
    gap = world.directory["gap_pk"]
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:gap_follow_up_add", kwargs={"gap_pk": gap.pk}),
        {"date": "", "action": ""},
    )
    assert set(response.context["form"].errors) == {"date", "action"}
    response = client.post(
        reverse("partners:gap_status", kwargs={"gap_pk": gap.pk}), {"status": "gone"}
    )
    assert "status" in response.context["form"].errors
    gap.refresh_from_db()
    assert gap.status == GapStatus.NEW and not gap.follow_ups.exists()


def test_only_the_coordinator_reaches_the_gap_pages(world, client):
    gap = world.directory["gap_pk"]
    urls = [
        reverse("partners:gaps"),
        reverse("partners:gap", kwargs={"gap_pk": gap.pk}),
        reverse("partners:gap_status", kwargs={"gap_pk": gap.pk}),
        reverse("partners:gap_follow_up_add", kwargs={"gap_pk": gap.pk}),
    ]
    for username in ("director_city_b", "opslead_city_a", "admin_city_a", "partner_partner_a"):
        client.force_login(world.users[username])
        for url in urls:
            assert client.get(url).status_code == 403, (username, url)
    client.force_login(world.users["director_city_b"])
    client.post(urls[2], {"status": GapStatus.CLOSED})
    gap.refresh_from_db()
    assert gap.status == GapStatus.NEW
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302


def test_network_pages_run_a_fixed_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from partners.models import ContactPerson, GapFollowUp, Training, TrainingKind

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    coordinator = world.users["netcoord_vo_a"]
    client.force_login(coordinator)
    gap = world.directory["gap_pk"]
    org = world.orgs["partner_b"]
    urls = [
        reverse("partners:gaps"),
        reverse("partners:gap", kwargs={"gap_pk": gap.pk}),
        reverse("partners:trainings"),
        reverse("partners:directory"),
        reverse("partners:organisation", kwargs={"organisation_pk": org.pk}),
    ]
    few = [queries(url) for url in urls]
    today = timezone.localdate()
    for n in range(5):
        other = Gap.objects.create(
            kind=GapKind.OTHER,
            description="x",
            signalled_on=today,
            signalled_by=coordinator,
            organisation=world.orgs["caw_a"],
        )
        GapFollowUp.objects.create(
            gap=gap, date=today, action="y", organisation=other.organisation, by=coordinator
        )
        training = Training.objects.create(
            date=today, kind=TrainingKind.TRAINING, topic=f"T{n}", participants=2
        )
        training.organisations.add(world.orgs["caw_a"], world.orgs["caw_b"])
        ContactPerson.objects.create(organisation=org, name=f"C{n}")
    assert [queries(url) for url in urls] == few
