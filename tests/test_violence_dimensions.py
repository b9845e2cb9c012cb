"""A case records several forms of violence and relationship contexts (issue 18, part 1):
the form offers the active entries of the two managed lists, an edit keeps an inactive entry
the case already has, and the steering page shows both."""

import pytest
from django.urls import reverse

from cases.forms.core import CaseEditForm, CaseRegisterForm
from cases.models import Case, FormOfViolence, RelationshipContext
from cases.services import case_update

pytestmark = pytest.mark.django_db


def _codes(form, name):
    return {entry.code for entry in form.fields[name].queryset}


def test_only_active_entries_are_offered_and_an_edit_keeps_the_cases_own(world):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    RelationshipContext.objects.filter(code="other").update(is_active=False)
    FormOfViolence.objects.filter(code="neglect").update(is_active=False)
    new = CaseRegisterForm(organisation=world.orgs["city_a"])
    assert "other" not in _codes(new, "relationship_contexts")
    assert "neglect" not in _codes(new, "forms_of_violence")
    assert "partner" in _codes(new, "relationship_contexts")

    case = case_update(
        case=Case.objects.get(pk=case.pk),
        by=director,
        expected_version=Case.objects.get(pk=case.pk).version,
        relationship_contexts=RelationshipContext.objects.filter(code__in=["other", "partner"]),
        forms_of_violence=FormOfViolence.objects.filter(code__in=["neglect", "physical"]),
    )
    edit = CaseEditForm(instance=case)
    assert "other" in _codes(edit, "relationship_contexts")
    assert "neglect" in _codes(edit, "forms_of_violence")
    assert set(edit.initial["forms_of_violence"]) == set(
        FormOfViolence.objects.filter(code__in=["neglect", "physical"])
    )


def test_the_steering_page_shows_the_context_and_the_forms(world, client):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    case_update(
        case=Case.objects.get(pk=case.pk),
        by=director,
        expected_version=Case.objects.get(pk=case.pk).version,
        relationship_contexts=RelationshipContext.objects.filter(code="parent_child"),
        forms_of_violence=FormOfViolence.objects.filter(code__in=["physical", "neglect"]),
    )
    client.force_login(director)
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "<dt>Relatiecontext</dt>" in page and "Ouder → kind" in page
    assert "Fysiek geweld, Verwaarlozing" in page
