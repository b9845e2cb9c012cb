"""Sharing with a ground, a scope and an end; hand-over moves the file (issue 13, parts 3-4).

Attempts to break the rules: a share without ground, scope or end; the wrong organisation;
an expired share (the clock moved, no task run); a revoked one; anonymous users and
administrators; every page of a part outside a scoped share's scope; a hand-over that would
leave the former owner's keys behind.
"""

import datetime
import importlib
import re
from typing import Any

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from access.models import AuditAction, AuditEvent
from access.parts import CasePart, ShareScope
from access.policy import (
    Action,
    organisations_that_may_receive_cases,
    restrict,
    visible_case_parts,
)
from cases.forms import CaseShareForm, DirectorForm
from cases.models import (
    Case,
    CaseAction,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseShare,
    EventKind,
    JournalEntry,
    OwnershipChange,
    PoliceReport,
    ShareEndReason,
    ShareGround,
)
from cases.selectors import case_list
from cases.services import (
    ShareTerms,
    case_change_director,
    end_expired_shares,
    share_create,
    share_stop,
)
from cases.tasks import end_expired_shares as end_expired_shares_task
from fjc.celery import app as celery_app
from partners.models import Organisation
from risk.models import Assessment

from .clock import NOON, TODAY, iso
from .conftest import whole_file_share
from .factories import make_user
from .test_permission_matrix import SPECS, _url

pytestmark = pytest.mark.django_db


def detail(case):
    return reverse("cases:detail", kwargs={"pk": case.pk})


def share(world, case_key="city_b", org_key="parket_b", **changes):
    case = world.cases[case_key]
    return share_create(
        case=case,
        by=case.case_director,
        organisation=world.orgs[org_key],
        terms=whole_file_share(**changes),
    )


def _choices(form, name):
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field.queryset


def status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


# --- a share needs a ground, a scope and an end ---


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (ShareTerms(scope=ShareScope.WHOLE_FILE, ends_on=TODAY), "ground"),
        (ShareTerms(ground=ShareGround.LEGACY, scope="whole_file", ends_on=TODAY), "ground"),
        (ShareTerms(ground=ShareGround.LEGAL_DUTY, legal_duty="x", ends_on=TODAY), "scope"),
        (ShareTerms(ground=ShareGround.LEGAL_DUTY, legal_duty="x", scope="whole_file"), "ends_on"),
        (
            ShareTerms(ground=ShareGround.LEGAL_DUTY, scope="whole_file", ends_on=TODAY),
            "legal_duty",
        ),
        (
            ShareTerms(ground=ShareGround.NECESSITY, scope="summary", ends_on=TODAY),
            "necessity_reason",
        ),
        (
            ShareTerms(ground=ShareGround.CONSULTATION_458TER, scope="summary", ends_on=TODAY),
            "consultation_reference",
        ),
        (
            ShareTerms(
                ground=ShareGround.CONSENT,
                consent_given_on=TODAY,
                consent_purpose="begeleiding",
                scope="summary",
                ends_on=TODAY,
            ),
            "consent_given_by",
        ),
        (
            ShareTerms(
                ground=ShareGround.CONSENT,
                consent_given_by="de cliënt",
                consent_given_on=TODAY + datetime.timedelta(days=1),
                consent_purpose="begeleiding",
                scope="summary",
                ends_on=TODAY,
            ),
            "consent_given_on",
        ),
        (whole_file_share(ends_on=TODAY - datetime.timedelta(days=1)), "ends_on"),
    ],
)
def test_a_share_without_ground_scope_or_end_is_refused(world, client, terms, field):
    case = world.cases["city_b"]
    with time_machine.travel(NOON, tick=False), pytest.raises(ValidationError) as refused:
        share_create(
            case=case, by=case.case_director, organisation=world.orgs["parket_b"], terms=terms
        )
    assert field in refused.value.message_dict
    assert not CaseShare.objects.filter(case=case).exists()
    assert status(client, world.users["liaison_parket_b"], detail(case)) == 404


def test_the_end_date_is_at_most_the_configured_maximum(world, settings):
    settings.FJC_SHARE_MAX_DAYS = 30
    case = world.cases["city_b"]
    latest = timezone.localdate() + datetime.timedelta(days=30)
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        share(world, ends_on=latest + datetime.timedelta(days=1))
    assert "Delen eindigt uiterlijk op" in refused.value.message_dict["ends_on"][0]
    assert share(world, ends_on=latest).ends_on == latest
    assert CaseShare.objects.filter(case=case).count() == 1


def test_the_refusals_are_in_dutch(world):
    case = world.cases["city_b"]
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        share_create(
            case=case,
            by=case.case_director,
            organisation=world.orgs["parket_b"],
            terms=ShareTerms(),
        )
    messages = refused.value.message_dict
    assert messages["ground"] == ["Kies de grond waarop u deelt."]
    assert messages["scope"] == ["Kies wat u deelt."]
    assert messages["ends_on"] == ["Geef de datum waarop het delen eindigt."]


def test_the_form_proposes_the_default_end(world):
    form = CaseShareForm(case=world.cases["city_b"])
    expected = timezone.localdate() + datetime.timedelta(days=settings.FJC_SHARE_DEFAULT_DAYS)
    assert form.fields["ends_on"].initial() == expected


def test_the_database_refuses_a_ground_without_its_particulars(world):
    case = world.cases["city_b"]
    base = {
        "case": case,
        "organisation": world.orgs["parket_b"],
        "scope": ShareScope.WHOLE_FILE,
        "starts_on": TODAY,
        "ends_on": TODAY,
    }
    for fields in (
        {"ground": ShareGround.CONSENT, "consent_given_by": "de cliënt"},
        {"ground": ShareGround.LEGAL_DUTY},
        {"ground": "", "legal_duty": "x"},
        {"ground": ShareGround.LEGAL_DUTY, "legal_duty": "x", "scope": ""},
        {
            "ground": ShareGround.LEGAL_DUTY,
            "legal_duty": "x",
            "ends_on": TODAY - datetime.timedelta(days=1),
        },
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CaseShare.objects.create(**{**base, **fields})


# --- only organisations with case workers ---


def test_only_organisations_with_case_workers_are_offered_and_accepted(world):
    case = world.cases["city_b"]
    offered = set(_choices(CaseShareForm(case=case), "organisation"))
    # The Flemish government's organisations hold network coordinators only.
    assert world.orgs["vo_a"] not in offered and world.orgs["vo_b"] not in offered
    assert world.orgs["city_b"] not in offered  # the owner
    assert {world.orgs["parket_b"], world.orgs["caw_a"], world.orgs["police_a"]} <= offered
    for org_key in ("vo_a", "city_b"):
        with pytest.raises(ValidationError) as refused:
            share(world, org_key=org_key)
        assert "organisation" in refused.value.message_dict
    assert set(organisations_that_may_receive_cases(Organisation.objects.all())) == offered | {
        world.orgs["city_b"]
    }


def test_an_organisation_whose_case_workers_left_is_no_longer_offered(world):
    from accounts.services import user_deactivate

    user_deactivate(user=world.users["liaison_parket_b"])
    assert world.orgs["parket_b"] not in set(
        _choices(CaseShareForm(case=world.cases["city_b"]), "organisation")
    )
    with pytest.raises(ValidationError):
        share(world)


# --- who reads through a share, and until when ---


def test_the_shared_organisation_reads_and_no_one_else(world, client):
    case = world.cases["city_b"]
    share(world)
    assert status(client, world.users["liaison_parket_b"], detail(case)) == 200
    # Read only: a share never gives change access.
    assert (
        status(client, world.users["liaison_parket_b"], reverse("cases:update", args=[case.pk]))
        == 403
    )
    for username in (
        "liaison_parket_a",
        "partner_police_b",
        "director_caw_b",
        "admin_caw_b",
        "superuser",
    ):
        assert status(client, world.users[username], detail(case)) == 404, username
    client.logout()
    assert client.get(detail(case)).status_code == 302


def test_an_administrator_of_the_shared_organisation_reads_nothing(world, client):
    case = world.cases["city_b"]
    share(world, org_key="caw_b")
    assert status(client, world.users["director_caw_b"], detail(case)) == 200
    assert status(client, world.users["admin_caw_b"], detail(case)) == 404
    assert not restrict(Case.objects.filter(pk=case.pk), world.users["admin_caw_b"]).exists()


def test_an_expired_share_gives_404_on_the_next_request_without_any_task(world, client):
    case = world.cases["city_b"]
    ends_on = TODAY + datetime.timedelta(days=3)
    made = share(world, ends_on=ends_on)
    liaison = world.users["liaison_parket_b"]
    last_day = datetime.datetime.combine(ends_on, datetime.time(23, 0), NOON.tzinfo)
    with time_machine.travel(last_day, tick=False):
        assert status(client, liaison, detail(case)) == 200  # the end date is included
    with time_machine.travel(last_day + datetime.timedelta(hours=2), tick=False):
        assert status(client, liaison, detail(case)) == 404
        assert not restrict(Case.objects.all(), liaison).filter(pk=case.pk).exists()
        assert status(client, liaison, reverse("cases:list")) == 200
        assert case.reference not in client.get(reverse("cases:list")).content.decode()
    made.refresh_from_db()
    assert made.ended_at is None  # no task ran: the policy alone refused it


def test_the_beat_task_ends_expired_shares_and_audits_each(world, client):
    case = world.cases["city_b"]
    expired = share(world, ends_on=TODAY + datetime.timedelta(days=1))
    still_open = share(world, case_key="caw_a", ends_on=TODAY + datetime.timedelta(days=10))
    later = datetime.datetime.combine(
        TODAY + datetime.timedelta(days=2), datetime.time(3), NOON.tzinfo
    )
    with time_machine.travel(later, tick=False):
        assert end_expired_shares_task() == 1
        assert end_expired_shares() == 0  # idempotent
    expired.refresh_from_db()
    still_open.refresh_from_db()
    assert expired.end_reason == ShareEndReason.EXPIRED and expired.ended_by is None
    assert expired.ended_at is not None and still_open.ended_at is None
    assert not CaseGroupObjectPermission.objects.filter(share=expired).exists()
    assert CaseGroupObjectPermission.objects.filter(share=still_open).exists()
    revoke = AuditEvent.objects.get(action=AuditAction.REVOKE, case_id=case.pk)
    assert revoke.user_id is None and revoke.detail["share"] == expired.pk
    assert revoke.detail["reason"] == "expired"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.SHARE_EXPIRED).exists()


def test_the_beat_schedule_runs_the_tidy_up_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["end-expired-case-shares"]
    assert entry == {"task": "cases.tasks.end_expired_shares", "schedule": 3600}
    assert "cases.tasks.end_expired_shares" in celery_app.tasks


def test_stopping_a_share_through_the_page_ends_it_at_once(world, client):
    case = world.cases["city_b"]
    made = share(world)
    liaison, director = world.users["liaison_parket_b"], world.users["director_city_b"]
    assert status(client, liaison, detail(case)) == 200
    client.force_login(director)
    url = reverse("cases:revoke_share", args=[case.pk, world.orgs["parket_b"].pk])
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert status(client, liaison, detail(case)) == 404
    made.refresh_from_db()
    assert (made.end_reason, made.ended_by) == (ShareEndReason.REVOKED, director)
    # Stopping again tells that nothing is shared, and changes nothing.
    client.force_login(director)
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "niet gedeeld met deze organisatie" in response.content.decode()
    assert CaseShare.objects.filter(case=case, ended_at__isnull=True).count() == 0


def test_sharing_again_replaces_the_open_share(world, client):
    case = world.cases["city_b"]
    first = share(world, scope=ShareScope.SUMMARY)
    second = share(world, ends_on=TODAY + datetime.timedelta(days=200))
    first.refresh_from_db()
    assert first.end_reason == ShareEndReason.REPLACED
    grants = CaseGroupObjectPermission.objects.filter(
        content_object=case, group=world.orgs["parket_b"].group
    )
    assert [g.share_id for g in grants] == [second.pk]
    assert (
        status(client, world.users["liaison_parket_b"], reverse("cases:journal", args=[case.pk]))
        == 200
    )


def test_the_share_page_records_who_to_whom_what_why_until_when(world, client):
    case = world.cases["city_b"]
    client.force_login(world.users["director_city_b"])
    response = client.post(
        reverse("cases:share", args=[case.pk]),
        {
            "organisation": world.orgs["parket_b"].pk,
            "ground": "consent",
            "consent_given_by": "Moeder, schriftelijk",
            "consent_given_on": iso(0),
            "consent_purpose": "Afstemming met het parket",
            "scope": "summary_risk_judicial",
            "ends_on": iso(60),
        },
    )
    assert response.status_code == 302
    made = CaseShare.objects.get(case=case)
    assert (made.ground, made.scope, made.shared_by) == (
        ShareGround.CONSENT,
        ShareScope.SUMMARY_RISK_JUDICIAL,
        world.users["director_city_b"],
    )
    assert made.ends_on == TODAY + datetime.timedelta(days=60)
    page = client.get(reverse("cases:share", args=[case.pk])).content.decode()
    for text in ("Parket Beta", "Moeder, schriftelijk", "Afstemming met het parket"):
        assert text in page
    steering = client.get(detail(case)).content.decode()
    assert "Parket Beta" in steering
    grant = AuditEvent.objects.get(action=AuditAction.GRANT, case_id=case.pk, purpose="case shared")
    assert grant.detail["scope"] == "summary_risk_judicial"
    assert "Moeder" not in str(grant.detail)  # ids and codes only in the audit trail
    # Without an end date the page refuses and shares nothing.
    response = client.post(
        reverse("cases:share", args=[case.pk]),
        {
            "organisation": world.orgs["caw_a"].pk,
            "ground": "legal_duty",
            "legal_duty": "x",
            "scope": "summary",
        },
    )
    assert response.status_code == 200 and "ends_on" in response.context["form"].errors
    assert not CaseShare.objects.filter(organisation=world.orgs["caw_a"]).exists()


# --- a scoped share opens only its parts ---

# The part each case page shows (pages of the matrix that need read access).
PAGE_PARTS = {
    "cases:detail": CasePart.SUMMARY,
    "cases:print": CasePart.SUMMARY,
    "cases:print_pdf": CasePart.SUMMARY,
    "cases:history": CasePart.FILE,
    "cases:journal": CasePart.FILE,
    "cases:actions": CasePart.FILE,
    "cases:safety_plan": CasePart.FILE,
    "cases:child": CasePart.FILE,
    "cases:plan": CasePart.FILE,
    "cases:documents": CasePart.FILE,
    "cases:document_download": CasePart.FILE,
    "risk:list": CasePart.RISK,
    "risk:detail": CasePart.RISK,
    "risk:joint_detail": CasePart.RISK,
}


def test_every_case_page_declares_its_part():
    readable = {name for name, spec in SPECS.items() if spec.kind == "case_view"}
    assert readable == set(PAGE_PARTS)


@pytest.mark.parametrize("scope", list(ShareScope))
def test_a_scoped_share_opens_its_parts_and_404s_the_others(world, client, scope):
    from access.parts import SCOPE_PARTS

    share(world, scope=scope)
    client.force_login(world.users["liaison_parket_b"])
    failures = []
    for name, part in PAGE_PARTS.items():
        expected = 200 if part in SCOPE_PARTS[scope] else 404
        got = client.get(_url(world, name, "city_b")).status_code
        if got != expected:
            failures.append(f"{name}: {got}, expected {expected}")
    assert not failures


def test_the_steering_page_of_a_summary_share_shows_no_other_part(world, client):
    case = world.cases["city_b"]
    Case.objects.filter(pk=case.pk).update(parket_notice_number="PARKET-NOTICE-77")
    share(world, scope=ShareScope.SUMMARY)
    liaison = world.users["liaison_parket_b"]
    client.force_login(liaison)
    page = client.get(detail(case)).content.decode()
    assert "Matrix note" not in page and "Matrix action" not in page  # journal, actions
    assert "PV-0001" not in page and "PARKET-NOTICE-77" not in page  # judicial
    assert "Kind" in page  # the client system is the summary
    assert visible_case_parts(liaison, case) == {CasePart.SUMMARY}
    assert not restrict(JournalEntry.objects.filter(case=case), liaison).exists()
    assert not restrict(PoliceReport.objects.filter(case=case), liaison).exists()
    assert not restrict(Assessment.objects.filter(case=case), liaison).exists()


def test_the_steering_page_of_a_judicial_share_shows_judicial_and_risk_not_the_journal(
    world, client
):
    case = world.cases["city_b"]
    Case.objects.filter(pk=case.pk).update(parket_notice_number="PARKET-NOTICE-77", track=3)
    share(world, scope=ShareScope.SUMMARY_RISK_JUDICIAL)
    liaison = world.users["liaison_parket_b"]
    client.force_login(liaison)
    page = client.get(detail(case)).content.decode()
    assert "PV-0001" in page and "PARKET-NOTICE-77" in page
    assert "Matrix note" not in page and "Matrix action" not in page
    assert restrict(Assessment.objects.filter(case=case), liaison).exists()
    assert not restrict(JournalEntry.objects.filter(case=case), liaison).exists()


def test_the_case_team_reads_every_part_whatever_is_shared(world):
    share(world, scope=ShareScope.SUMMARY)
    director = world.users["director_city_b"]
    assert visible_case_parts(director, world.cases["city_b"]) == set(CasePart)
    assert restrict(JournalEntry.objects.filter(case=world.cases["city_b"]), director).exists()


# --- hand-over moves the file ---


def _hand_over(world, to="director_caw_a", **kwargs):
    case = Case.objects.get(pk=world.cases["city_b"].pk)
    return case_change_director(
        case=case, by=world.users["director_city_b"], new_director=world.users[to], **kwargs
    )


def test_a_hand_over_to_another_organisation_moves_the_file(world, client):
    colleague = make_user("colleague_city_b", world.orgs["city_b"], "case_director")
    case = _hand_over(world, reason="Cliënte verhuisd naar het werkgebied van CAW Alfa")
    assert case.owner_organisation == world.orgs["caw_a"]
    change = OwnershipChange.objects.get(case=case)
    assert (change.from_organisation, change.to_organisation) == (
        world.orgs["city_b"],
        world.orgs["caw_a"],
    )
    assert change.reason.startswith("Cliënte verhuisd")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.OWNER_CHANGED).exists()
    audit = AuditEvent.objects.get(
        case_id=case.pk, purpose="case handed over to another organisation"
    )
    assert audit.detail == {
        "ownership_change": change.pk,
        "from": world.orgs["city_b"].pk,
        "to": world.orgs["caw_a"].pk,
    }
    # The former organisation's keys are gone; the new one holds the file.
    for username, expected in (
        ("director_city_b", 404),
        ("colleague_city_b", 404),
        ("director_caw_a", 200),
    ):
        user = colleague if username == "colleague_city_b" else world.users[username]
        assert status(client, user, detail(case)) == expected, username
    caw_colleague = make_user("colleague_caw_a", world.orgs["caw_a"], "case_director")
    assert status(client, caw_colleague, reverse("cases:update", args=[case.pk])) == 200


def test_a_hand_over_without_a_reason_changes_nothing(world, client):
    with pytest.raises(ValidationError) as refused:
        _hand_over(world, reason=" ")
    assert "reason" in refused.value.message_dict
    case = Case.objects.get(pk=world.cases["city_b"].pk)
    assert (case.owner_organisation, case.case_director) == (
        world.orgs["city_b"],
        world.users["director_city_b"],
    )
    assert status(client, world.users["director_caw_a"], detail(case)) == 404


def test_the_former_owner_keeps_only_a_share_with_a_ground(world, client):
    colleague = make_user("colleague_city_b", world.orgs["city_b"], "case_director")
    with pytest.raises(ValidationError) as refused:
        _hand_over(world, reason="Verhuisd", keep_share=ShareTerms(scope="summary"))
    assert {"ground", "ends_on"} <= set(refused.value.message_dict)
    assert Case.objects.get(pk=world.cases["city_b"].pk).owner_organisation == world.orgs["city_b"]
    case = _hand_over(
        world, reason="Verhuisd", keep_share=whole_file_share(scope=ShareScope.SUMMARY)
    )
    kept = CaseShare.objects.get(case=case, organisation=world.orgs["city_b"])
    assert kept.is_open and kept.ground == ShareGround.LEGAL_DUTY
    assert status(client, colleague, detail(case)) == 200
    assert status(client, colleague, reverse("cases:update", args=[case.pk])) == 403
    assert status(client, colleague, reverse("cases:journal", args=[case.pk])) == 404


def test_a_hand_over_to_an_organisation_it_was_shared_with_ends_that_share(world, client):
    made = share(world, org_key="caw_a", scope=ShareScope.SUMMARY)
    case = _hand_over(world, reason="Overname door CAW Alfa")
    made.refresh_from_db()
    assert made.end_reason == ShareEndReason.BECAME_OWNER
    grants = CaseGroupObjectPermission.objects.filter(
        content_object=case, group=world.orgs["caw_a"].group
    )
    assert {(g.permission.codename, g.share_id) for g in grants} == {
        ("view_case", None),
        ("change_case", None),
    }
    caw_colleague = make_user("colleague_caw_a", world.orgs["caw_a"], "case_director")
    assert status(client, caw_colleague, reverse("cases:journal", args=[case.pk])) == 200


def test_a_hand_over_within_the_organisation_stays_as_it_was(world):
    colleague = make_user("colleague_city_b", world.orgs["city_b"], "case_director")
    case = case_change_director(
        case=Case.objects.get(pk=world.cases["city_b"].pk),
        by=world.users["director_city_b"],
        new_director=colleague,
    )
    assert case.owner_organisation == world.orgs["city_b"]
    assert not OwnershipChange.objects.filter(case=case).exists()


def test_the_hand_over_page_offers_other_organisations_and_keeps_a_share(world, client):
    case = world.cases["city_b"]
    form = DirectorForm(case=case)
    offered = set(_choices(form, "new_director"))
    assert world.users["director_caw_a"] in offered
    assert world.users["director_city_b"] not in offered
    client.force_login(world.users["director_city_b"])
    response = client.post(
        reverse("cases:director", args=[case.pk]),
        {
            "new_director": world.users["director_caw_a"].pk,
            "reason": "Verhuisd",
            "keep_share": "on",
            "ground": "art_458ter",
            "consultation_reference": "IFG 2025/14",
            "scope": "summary_risk",
            "ends_on": iso(30),
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner_organisation == world.orgs["caw_a"]
    kept = CaseShare.objects.get(case=case, organisation=world.orgs["city_b"])
    assert (kept.scope, kept.consultation_reference) == (ShareScope.SUMMARY_RISK, "IFG 2025/14")


# --- shares made before grounds were recorded ---

LEGACY = importlib.import_module("cases.migrations.0015_legacy_shares")


def test_the_migration_turns_old_grants_into_flagged_shares_and_loses_nothing(world, client):
    from django.apps import apps

    from access import audit

    case = world.cases["city_b"]
    director, parket = world.users["director_city_b"], world.orgs["parket_b"]
    # A share as the application made it before: a bare grant, its reason in the audit trail.
    assign_perm("cases.view_case", parket.group, case)
    audit.record(
        user=director,
        action=AuditAction.GRANT,
        obj=case,
        purpose="458ter overleg",
        detail={"organisation": parket.pk, "actions": ["view"]},
    )
    owner_grants = set(
        CaseGroupObjectPermission.objects.filter(share__isnull=True)
        .exclude(group=parket.group)
        .values_list("pk", flat=True)
    )
    before = status(
        client, world.users["liaison_parket_b"], reverse("cases:journal", args=[case.pk])
    )
    LEGACY.forward(apps, None)
    made = CaseShare.objects.get(case=case, organisation=parket)
    assert made.ground == ShareGround.LEGACY and made.is_legacy
    assert (made.scope, made.shared_by, made.legacy_reason) == (
        ShareScope.WHOLE_FILE,
        director,
        "458ter overleg",
    )
    assert made.starts_on == timezone.localdate()
    assert made.ends_on == timezone.localdate() + datetime.timedelta(
        days=settings.FJC_SHARE_DEFAULT_DAYS
    )
    assert (
        CaseGroupObjectPermission.objects.get(content_object=case, group=parket.group).share == made
    )
    # Nothing is lost: the same pages open; the owners' grants stay as they were.
    assert before == 200
    assert (
        status(client, world.users["liaison_parket_b"], reverse("cases:journal", args=[case.pk]))
        == 200
    )
    assert (
        set(
            CaseGroupObjectPermission.objects.filter(share__isnull=True).values_list(
                "pk", flat=True
            )
        )
        == owner_grants
    )
    # The world's share to parket A was made with a ground: not touched.
    assert CaseShare.objects.filter(ground=ShareGround.LEGACY).count() == 1
    # A second run changes nothing.
    LEGACY.forward(apps, None)
    assert CaseShare.objects.filter(ground=ShareGround.LEGACY).count() == 1
    # The case page asks the director to confirm a ground.
    client.force_login(director)
    assert "zonder bevestigde grond" in client.get(detail(case)).content.decode()
    client.force_login(world.users["liaison_parket_b"])
    assert "zonder bevestigde grond" not in client.get(detail(case)).content.decode()
    # Confirming a ground replaces the legacy share.
    share(world)
    made.refresh_from_db()
    assert made.end_reason == ShareEndReason.REPLACED
    client.force_login(director)
    assert "zonder bevestigde grond" not in client.get(detail(case)).content.decode()


def test_a_legacy_share_ends_on_its_end_date_like_any_other(world, client):
    from django.apps import apps

    case = world.cases["city_b"]
    assign_perm("cases.view_case", world.orgs["parket_b"].group, case)
    LEGACY.forward(apps, None)
    after = timezone.now() + datetime.timedelta(days=settings.FJC_SHARE_DEFAULT_DAYS + 1)
    with time_machine.travel(after, tick=False):
        assert status(client, world.users["liaison_parket_b"], detail(case)) == 404


def test_only_the_owner_is_granted_directly(world):
    from cases.services import grant_case_to_organisation

    with pytest.raises(ValueError, match="owning organisation"):
        grant_case_to_organisation(
            case=world.cases["city_b"],
            organisation=world.orgs["parket_b"],
            actions=(Action.VIEW,),
            by=world.users["director_city_b"],
        )


def test_share_stop_refuses_an_organisation_without_a_share(world):
    with pytest.raises(ValidationError):
        share_stop(
            case=world.cases["city_b"],
            by=world.users["director_city_b"],
            organisation=world.orgs["parket_b"],
        )


def test_a_summary_share_reads_no_count_of_overdue_actions(world, client):
    """The number of overdue actions comes from the rest of the file: a reader whose share
    leaves that out sees "—" in the list and an empty cell in the CSV, not the number."""
    case = world.cases["city_b"]
    CaseAction.objects.filter(case=case).update(
        due_on=TODAY - datetime.timedelta(days=3), done_on=None
    )
    overdue = CaseAction.objects.filter(case=case).count()
    assert overdue
    liaison = world.users["liaison_parket_b"]

    def counted(user):
        found: Any = case_list(user=user).get(pk=case.pk)  # annotated by the selector
        return found.overdue_actions

    share(world, scope=ShareScope.SUMMARY_RISK_JUDICIAL)
    assert counted(liaison) is None
    assert counted(case.case_director) == overdue
    client.force_login(liaison)
    exported = client.get(reverse("cases:export")).getvalue().decode("utf-8-sig")
    row = next(line for line in exported.splitlines() if line.startswith(case.reference))
    assert row.endswith(";")
    page = client.get(reverse("cases:list")).content.decode()
    row = re.search(rf">{case.reference}<.*?</tr>", page, re.S)
    assert row and re.search(r"<td[^>]*>—</td>\s*</tr>", row.group(0))
    assert "badge--warn" not in row.group(0)
    share(world, scope=ShareScope.WHOLE_FILE)  # replaces the scoped share
    assert counted(liaison) == overdue
