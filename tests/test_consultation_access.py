"""Time-boxed, purpose-bound access to agenda cases through an art. 458ter consultation."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from access.policy import restrict_consultation_view
from cases.models import Case
from cases.services import police_report_add
from consultations.models import AccessEndReason, AgendaItem, ConsultationAccess
from consultations.services import planning

pytestmark = pytest.mark.django_db


def _item_url(consultation, item):
    return reverse("consultations:item", kwargs={"pk": consultation.pk, "item_pk": item.pk})


def _detail_url(consultation):
    return reverse("consultations:detail", kwargs={"pk": consultation.pk})


def test_without_secrecy_nothing_of_the_consultation_shows(setting, client):
    c = setting.consultation
    setting.add_liaison(c, confirm=False)
    client.force_login(setting.users["liaison"])
    assert client.get(_detail_url(c)).status_code == 404
    for item in setting.items.values():
        assert client.get(_item_url(c, item)).status_code == 404
    secrecy = client.get(reverse("consultations:secrecy", kwargs={"pk": c.pk}))
    assert secrecy.status_code == 200
    body = secrecy.content.decode()
    assert setting.basis.reference in body
    for case in setting.cases.values():
        assert case.reference not in body
    assert "Zaal 1" not in body  # not even the place: only date, basis and the duty
    listing = client.get(reverse("consultations:list")).content.decode()
    assert reverse("consultations:secrecy", kwargs={"pk": c.pk}) in listing
    assert f'href="{_detail_url(c)}"' not in listing


def test_confirming_secrecy_records_the_time_and_opens_exactly_the_agenda(setting, client):
    c = setting.consultation
    participant = setting.add_liaison(c, confirm=False)
    client.force_login(setting.users["liaison"])
    response = client.post(reverse("consultations:secrecy", kwargs={"pk": c.pk}))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.secrecy_confirmed_at is not None
    assert AuditEvent.objects.filter(
        username="liaison", purpose="duty of secrecy confirmed"
    ).exists()
    for item in setting.items.values():
        page = client.get(_item_url(c, item))
        assert page.status_code == 200
        assert item.case.reference in page.content.decode()
    detail = client.get(_detail_url(c)).content.decode()
    assert setting.cases["z"].reference not in detail
    # The full case file of an agenda case stays closed.
    for key in ("x", "y"):
        url = reverse("cases:detail", kwargs={"pk": setting.cases[key].pk})
        assert client.get(url).status_code == 404
    assert (
        client.get(reverse("cases:journal", kwargs={"pk": setting.cases["x"].pk})).status_code
        == 404
    )
    visible = restrict_consultation_view(Case.objects.all(), setting.users["liaison"])
    assert set(visible) == {setting.cases["x"], setting.cases["y"]}


def test_access_is_per_agenda_item(setting, client):
    """Access to case X through consultation A does not open X's item of consultation B."""
    a = setting.consultation
    setting.add_liaison(a)
    b = setting.plan(days=3)
    item_b = planning.agenda_item_add(
        consultation=b, by=setting.users["director"], case=setting.cases["x"]
    )
    z_b = planning.agenda_item_add(
        consultation=b, by=setting.users["director"], case=setting.cases["z"]
    )
    client.force_login(setting.users["liaison"])
    assert client.get(_item_url(a, setting.items["x"])).status_code == 200
    assert client.get(_item_url(b, item_b)).status_code == 404
    # Nor through A's URL with B's item.
    assert client.get(_item_url(a, item_b)).status_code == 404
    assert client.get(_item_url(a, z_b)).status_code == 404
    items = restrict_consultation_view(AgendaItem.objects.all(), setting.users["liaison"])
    assert set(items) == {setting.items["x"], setting.items["y"]}


def test_other_users_get_404_and_participants_403_on_management(setting, client):
    c = setting.consultation
    setting.add_liaison(c)
    for name in ("outsider", "admin", "helper"):
        client.force_login(setting.users[name])
        assert client.get(_detail_url(c)).status_code == 404
        assert client.get(_item_url(c, setting.items["x"])).status_code == 404
    client.force_login(setting.users["liaison"])
    assert client.post(reverse("consultations:cancel", kwargs={"pk": c.pk})).status_code == 403
    edit = reverse("consultations:item_edit", kwargs={"pk": c.pk, "item_pk": setting.items["x"].pk})
    assert client.get(edit).status_code == 403
    c.refresh_from_db()
    assert c.status == "planned"
    client.logout()
    assert client.get(_detail_url(c)).status_code == 302


def test_the_director_of_another_agenda_case_sees_but_only_the_chair_manages(setting, client):
    c = setting.consultation
    outsider = setting.users["outsider"]
    # Their case is on the agenda (put there directly: the chair cannot change that case).
    item = AgendaItem.objects.create(
        consultation=c, case=setting.cases["other"], added_by=c.chair, order=9
    )
    client.force_login(outsider)
    assert client.get(_detail_url(c)).status_code == 200
    assert client.get(_item_url(c, item)).status_code == 200
    # Adding a participant would open every agenda case to them, not only the adder's own.
    add = reverse("consultations:participant_add", kwargs={"pk": c.pk})
    response = client.post(add, {"user": setting.users["helper"].pk})
    assert response.status_code == 403
    assert not c.participants.filter(user=setting.users["helper"]).exists()
    assert client.post(reverse("consultations:cancel", kwargs={"pk": c.pk})).status_code == 403
    # Their own item's summary is theirs to prepare.
    edit = reverse("consultations:item_edit", kwargs={"pk": c.pk, "item_pk": item.pk})
    assert client.get(edit).status_code == 200


def test_after_the_window_404_even_if_the_task_did_not_run(setting, client):
    c = setting.consultation
    setting.add_liaison(c)
    client.force_login(setting.users["liaison"])
    url = _item_url(c, setting.items["x"])
    assert client.get(url).status_code == 200
    after = c.access_closes_at + datetime.timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        client.force_login(setting.users["liaison"])  # the session itself would have expired
        assert client.get(url).status_code == 404
        assert client.get(_detail_url(c)).status_code == 200  # the meeting itself stays listed
        assert not restrict_consultation_view(Case.objects.all(), setting.users["liaison"])
    assert ConsultationAccess.objects.filter(ended_at__isnull=True).count() == 2
    # And before the window opens.
    before = c.access_opens_at - datetime.timedelta(minutes=1)
    with time_machine.travel(before, tick=False):
        client.force_login(setting.users["liaison"])
        assert client.get(url).status_code == 404


def test_grants_are_audited_with_ids_only(setting):
    c = setting.consultation
    participant = setting.add_liaison(c)
    rows = ConsultationAccess.objects.filter(participant=participant)
    assert {r.case_id for r in rows} == {setting.cases["x"].pk, setting.cases["y"].pk}
    assert all(r.valid_from == c.access_opens_at for r in rows)
    assert all(r.valid_until == c.access_closes_at for r in rows)
    grants = AuditEvent.objects.filter(
        action=AuditAction.GRANT, object_type="consultations.consultationaccess"
    )
    assert {g.case_id for g in grants} == {setting.cases["x"].pk, setting.cases["y"].pk}
    for grant in grants:
        assert grant.detail["consultation"] == c.pk
        assert grant.detail["participant_user"] == setting.users["liaison"].pk
        assert grant.username == "director"


def test_the_case_team_gets_no_access_rows(setting):
    # The chair steers the agenda cases: no consultation access is needed or made.
    assert not ConsultationAccess.objects.filter(user=setting.users["director"]).exists()


def test_removing_a_participant_ends_access_at_once(setting, client):
    c = setting.consultation
    participant = setting.add_liaison(c)
    client.force_login(setting.users["director"])
    url = reverse(
        "consultations:participant_remove", kwargs={"pk": c.pk, "participant_pk": participant.pk}
    )
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert set(
        ConsultationAccess.objects.filter(participant=participant).values_list(
            "end_reason", flat=True
        )
    ) == {AccessEndReason.PARTICIPANT_REMOVED}
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.REVOKE, detail__reason=AccessEndReason.PARTICIPANT_REMOVED
        ).count()
        == 2
    )
    client.force_login(setting.users["liaison"])
    assert client.get(_item_url(c, setting.items["x"])).status_code == 404
    assert client.get(_detail_url(c)).status_code == 404


def test_removing_an_agenda_item_ends_its_access_at_once(setting, client):
    c = setting.consultation
    setting.add_liaison(c)
    client.force_login(setting.users["director"])
    url = reverse(
        "consultations:agenda_remove", kwargs={"pk": c.pk, "item_pk": setting.items["x"].pk}
    )
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    ended = ConsultationAccess.objects.get(agenda_item=setting.items["x"])
    assert ended.end_reason == AccessEndReason.ITEM_REMOVED and ended.ended_at is not None
    assert ConsultationAccess.objects.get(agenda_item=setting.items["y"]).ended_at is None
    client.force_login(setting.users["liaison"])
    assert client.get(_item_url(c, setting.items["x"])).status_code == 404
    assert client.get(_item_url(c, setting.items["y"])).status_code == 200


def test_adding_an_item_later_grants_participants(setting):
    c = setting.consultation
    participant = setting.add_liaison(c)
    item = planning.agenda_item_add(
        consultation=c, by=setting.users["director"], case=setting.cases["z"]
    )
    assert ConsultationAccess.objects.filter(participant=participant, agenda_item=item).exists()


def test_cancelling_ends_all_access(setting, client):
    c = setting.consultation
    setting.add_liaison(c)
    client.force_login(setting.users["director"])
    cancel = reverse("consultations:cancel", kwargs={"pk": c.pk})
    assert client.post(cancel, {"confirm": "yes"}).status_code == 302
    assert set(ConsultationAccess.objects.values_list("end_reason", flat=True)) == {
        AccessEndReason.CANCELLED
    }
    client.force_login(setting.users["liaison"])
    assert client.get(_item_url(c, setting.items["x"])).status_code == 404


def test_rescheduling_moves_the_windows(setting, client):
    c = setting.consultation
    participant = setting.add_liaison(c)
    new_time = timezone.localtime(c.scheduled_at + datetime.timedelta(days=5)).replace(
        second=0, microsecond=0
    )
    client.force_login(setting.users["director"])
    response = client.post(
        reverse("consultations:edit", kwargs={"pk": c.pk}),
        {
            "scheduled_at": new_time.strftime("%Y-%m-%dT%H:%M"),
            "location": "Zaal 2",
            "version": c.version,
        },
    )
    assert response.status_code == 302, response.content
    c.refresh_from_db()
    rows = ConsultationAccess.objects.filter(participant=participant)
    old, new = rows.filter(ended_at__isnull=False), rows.filter(ended_at__isnull=True)
    assert {r.end_reason for r in old} == {AccessEndReason.RESCHEDULED} and old.count() == 2
    assert new.count() == 2
    assert all(r.valid_until == c.access_closes_at for r in new)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.REVOKE, detail__reason=AccessEndReason.RESCHEDULED
        ).count()
        == 2
    )


def test_judicial_information_for_prosecutor_and_case_team_only(setting, client):
    c = setting.consultation
    setting.add_liaison(c)
    planning.participant_add_user(consultation=c, by=c.chair, user=setting.users["helper"])
    planning.secrecy_confirm(consultation=c, user=setting.users["helper"])
    police_report_add(
        case=setting.cases["x"],
        by=setting.users["director"],
        number="PV-4242",
        drawn_up_on=timezone.localdate(),
    )
    url = _item_url(c, setting.items["x"])
    for name, sees in (("liaison", True), ("director", True), ("helper", False)):
        client.force_login(setting.users[name])
        page = client.get(url)
        assert page.status_code == 200
        assert ("PV-4242" in page.content.decode()) is sees, name


def test_inactive_or_administrator_participants_get_nothing(setting):
    c = setting.consultation
    setting.add_liaison(c)
    liaison = setting.users["liaison"]
    liaison.is_active = False
    liaison.save()
    assert not restrict_consultation_view(Case.objects.all(), liaison).exists()
    with pytest.raises(ValidationError):
        planning.participant_add_user(consultation=c, by=c.chair, user=setting.users["admin"])
