"""The shared form patterns of docs/ui.md: the error summary, return after save, fields
required in some cases, undo where it is cheap."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from cases.forms.core import CaseEditForm
from cases.models import PartyRelation
from common.undo import SESSION_KEY, TOKEN_FIELD
from common.views import CONFIRM_FIELD, CONFIRM_VALUE
from consultations.forms.planning import ConsultationEditForm
from risk.forms import AssessmentForm

pytestmark = pytest.mark.django_db


class _TwoFields(forms.Form):
    name = forms.CharField(label="Naam")
    kind = forms.ChoiceField(
        label="Soort", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


def _render_form(form: forms.Form) -> str:
    request = RequestFactory().get("/")
    return render_to_string("includes/form.html", {"form": form}, request=request)


def test_the_error_summary_lists_every_error_links_to_the_fields_and_takes_focus():
    form = _TwoFields(data={})  # both fields missing
    assert not form.is_valid()
    form.add_error(None, "De periode overlapt met een andere.")
    with translation.override("nl"):
        html = _render_form(form)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, html
    box = summary.group(0)
    assert 'id="error-summary"' in box and 'tabindex="-1"' in box and "autofocus" in box
    assert "Er zijn 3 fouten in het formulier" in box
    assert "De periode overlapt met een andere." in box
    # A link to the input, and to the first option of a group of options.
    assert 'href="#id_name"' in box
    assert 'href="#id_kind_0"' in box
    assert 'id="id_kind_0"' in html and 'id="id_name"' in html
    # Each field's messages sit where aria-describedby points.
    assert 'id="id_name_error"' in html


def test_the_error_summary_says_one_error_in_the_singular():
    form = _TwoFields(data={"kind": "a"})
    assert not form.is_valid()
    with translation.override("nl"):
        html = _render_form(form)
    assert "Er is 1 fout in het formulier" in html


def test_no_summary_without_errors():
    assert "error-summary" not in _render_form(_TwoFields())


# --- Return after save ---


def _status(client, case, **extra):
    case.refresh_from_db()
    data = {"to_status": "intake", "changed_on": timezone.localdate().isoformat()}
    return client.post(
        reverse("cases:status", kwargs={"pk": case.pk}) + extra.pop("query", ""),
        {**data, "version": case.version, **extra},
    )


def test_after_saving_a_safe_next_is_followed(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    back = reverse("cases:list")
    response = _status(client, case, next=back)
    assert response.status_code == 302 and response["Location"] == back
    # The link's ?next= works the same, and the form carries it along.
    page = client.get(reverse("cases:status", kwargs={"pk": case.pk}) + f"?next={back}")
    assert f'name="next" value="{back}"' in page.content.decode()
    response = _status(client, case, query=f"?next={back}", to_status="active")
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"],
)
def test_after_saving_an_outside_next_is_ignored(world, client, target):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    response = _status(client, case, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"pk": case.pk})


# --- Required in some cases ---


def test_a_field_required_in_some_cases_says_when():
    with translation.override("nl"):
        html = _render_form(ConsultationEditForm())
        label = re.search(r'<label for="id_location">.*?</label>', html, re.S)
        assert label and "verplicht tenzij online" in label.group(0)
        assert "optioneel" not in label.group(0)
        # An optional field without such a rule stays "(optioneel)".
        notes = re.search(r'<label for="id_notes">.*?</label>', html, re.S)
        assert notes and "(optioneel)" in notes.group(0)
    assert CaseEditForm.conditionally_required.keys() == {"referrer_organisation"}
    assert AssessmentForm.conditionally_required.keys() == {"escalation_incidents", "scope_reason"}
    for form in (CaseEditForm, ConsultationEditForm, AssessmentForm):
        for name in form.conditionally_required:
            assert not form.base_fields[name].required


# --- Undo where it is cheap: a removed relation ---


def _remove_relation(client, world):
    case = world.cases["city_a_shared"]
    relation = world.children["city_a_shared"]["relation_pk"]
    fields = (relation.from_party_id, relation.kind, relation.to_party_id)
    url = reverse("cases:relation_remove", kwargs={"pk": case.pk, "relation_pk": relation.pk})
    response = client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE}, follow=True)
    assert not PartyRelation.objects.filter(pk=relation.pk).exists()
    return case, fields, response


def _exists(case, fields) -> bool:
    from_party, kind, to_party = fields
    return PartyRelation.objects.filter(
        case=case, from_party_id=from_party, kind=kind, to_party_id=to_party
    ).exists()


def test_a_removed_relation_can_be_undone_once(world, client, settings):
    client.force_login(world.users["director_city_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    case, fields, response = _remove_relation(client, world)
    html = response.content.decode()
    restore = reverse("cases:relation_restore", kwargs={"pk": case.pk})
    token = client.session[SESSION_KEY]["token"]
    assert "Relatie verwijderd." in html and "Ongedaan maken" in html
    assert f'action="{restore}"' in html and f'value="{token}"' in html
    # The undo is left out of the URL: only the session and the form know the token.
    assert token not in response.redirect_chain[-1][0]
    response = client.post(restore, {TOKEN_FIELD: token}, follow=True)
    assert _exists(case, fields)
    assert "Relatie hersteld." in response.content.decode()
    # One time only: a second click (or a replay) restores nothing more.
    response = client.post(restore, {TOKEN_FIELD: token}, follow=True)
    assert "Dit kan niet meer ongedaan gemaakt worden." in response.content.decode()
    assert PartyRelation.objects.filter(case=case, kind=fields[1]).count() >= 1


def test_undo_needs_the_token_in_time_and_change_access(world, client):
    director = world.users["director_city_a"]
    client.force_login(director)
    case, fields, _response = _remove_relation(client, world)
    restore = reverse("cases:relation_restore", kwargs={"pk": case.pk})
    # A wrong token uses the offer up and restores nothing.
    assert client.post(restore, {TOKEN_FIELD: "guess"}).status_code == 302
    assert not _exists(case, fields)
    assert SESSION_KEY not in client.session
    # Too late: an offer past its few minutes restores nothing.
    session = client.session
    session[SESSION_KEY] = {
        "token": "t",
        "kind": "relation",
        "url": restore,
        "data": {
            "case": case.pk,
            "from_party": fields[0],
            "kind": fields[1],
            "to_party": fields[2],
        },
        "until": timezone.now().timestamp() - 1,
    }
    session.save()
    client.post(restore, {TOKEN_FIELD: "t"})
    assert not _exists(case, fields)
    # Someone who sees the case but may not change it: the same 403 as for removing.
    client.force_login(world.users["liaison_parket_a"])
    assert client.post(restore, {TOKEN_FIELD: "t"}).status_code == 403
