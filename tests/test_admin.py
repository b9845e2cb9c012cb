"""The administrator manages accounts and configuration, and sees no case content."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.signals import second_factor_verified
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ClosingReason,
    FormOfViolence,
    NotTakenOnReason,
    RelationshipContext,
)
from common.admin_edits import OPENED_AS
from risk.models import Instrument, InstrumentVersion, Item, Section

from .admin_pages import admin_form_data, role_ids

pytestmark = pytest.mark.django_db

# Risk instruments are configuration; assessments (case content) are never registered.
RISK_INSTRUMENT_MODELS = {Instrument, InstrumentVersion, Item, Section}


# Managed lists an administrator maintains: configuration, no case content.
CONFIGURATION_MODELS = {
    ClosingReason,
    RelationshipContext,
    FormOfViolence,
    NotTakenOnReason,
    *RISK_INSTRUMENT_MODELS,
}


def test_no_case_model_is_registered_in_the_admin():
    case_models = {Case, Case.history.model, CaseUserObjectPermission, CaseGroupObjectPermission}
    registered = set(admin.site._registry)
    assert not registered & case_models
    content = [
        m
        for m in registered - CONFIGURATION_MODELS
        if m._meta.app_label in {"cases", "risk", "simple_history"}
    ]
    assert not content


@pytest.mark.parametrize("username", ["admin_city_a", "superuser"])
def test_administrator_finds_no_case_content_in_the_admin(world, client, username):
    client.force_login(world.users[username])
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    references = [c.reference for c in world.cases.values()]
    pages = [index.content]
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.content)
    for content in pages:
        for reference in references:
            assert reference.encode() not in content
    assert client.get("/admin/cases/case/").status_code == 404
    assert client.get(f"/admin/cases/case/{world.cases['city_a'].pk}/history/").status_code == 404


def test_admin_user_change_syncs_the_case_group(world, client):
    client.force_login(world.users["superuser"])
    user = world.users["opslead_city_a"]
    assert not user.groups.exists()
    data = admin_form_data(client, reverse("admin:accounts_user_change", args=[user.pk]))
    data["roles"] = role_ids("operations_lead", "case_director")
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    # A case-working role waits for the person's own login with both factors.
    assert not user.groups.exists()
    second_factor_verified.send(sender=type(user), request=None, user=user)
    assert user.groups.filter(pk=world.orgs["city_a"].group_id).exists()


@pytest.mark.parametrize("username", ["admin_city_a", "superuser"])
@pytest.mark.parametrize("model", ["otp_totp/totpdevice", "otp_static/staticdevice"])
def test_administrator_cannot_touch_anyones_second_factor(world, client, username, model):
    """Deleting or adding a device in the admin would change a factor without its owner,
    without ending their sessions or an audit row: the device admins are not there."""
    client.force_login(world.users[username])
    for path in ("", "add/", "1/change/", "1/delete/"):
        assert client.get(f"/admin/{model}/{path}").status_code == 404
    assert b"otp_totp" not in client.get(reverse("admin:index")).content


@pytest.mark.parametrize("model", [RelationshipContext, FormOfViolence])
def test_the_violence_lists_keep_their_codes_while_labels_change(world, client, model):
    """Issue 18: labels, order and the active flag are the administrator's; the codes are
    fixed (the figures and the instruments' scope use them), so nothing is added or deleted."""
    client.force_login(world.users["superuser"])
    entry = model.objects.order_by("pk").first()
    meta = model._meta
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[entry.pk])
    opened_as = client.get(change).context["adminform"].form.initial[OPENED_AS]
    response = client.post(
        change,
        {
            "code": "other",
            "name_nl": "Nieuwe naam",
            "name_en": "New name",
            "order": 3,
            OPENED_AS: opened_as,
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    code = model.objects.order_by("pk").values_list("code", flat=True).first()
    assert (entry.code, entry.name_nl, entry.is_active, entry.order) == (
        code,
        "Nieuwe naam",
        False,
        3,
    )
    add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    assert client.get(add).status_code == 403
    delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=entry.pk).exists()


def test_the_admin_carries_the_installations_name_in_dutch(world, client, settings):
    """Not Django's own name ("Django-beheer"): the administrator sees where they are."""
    client.force_login(world.users["admin_city_a"])
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    name = f"{settings.FJC_INSTALLATION_NAME} · Beheer"
    assert f"<title>Websitebeheer | {name}</title>" in page
    assert f'<a href="{reverse("admin:index")}">{name}</a>' in page
    assert "Django" not in page
