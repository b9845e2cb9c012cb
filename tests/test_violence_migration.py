"""Migration cases/0029 (issue 18, part 1): every value of the former list of "forms of
violence" becomes a relationship context, nothing is lost, the history keeps the former values
and shows the change, and a second run changes nothing.

The test database is built from today's models, which keep the former list and the case's
former field for the history (as the migration leaves them); the test fills that field as the
old registration form did (``set()``, which writes the history rows of the time) and runs the
migration's function over it, as tests/test_dated_records_migrations.py does.
"""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from cases.models import Case, FormOfViolence, RelationshipContext, ViolenceForm
from cases.selectors.history import case_full_history
from cases.services import case_create

from .figures_helpers import D, make_director

MIGRATION = importlib.import_module("cases.migrations.0029_violence_dimensions")

pytestmark = pytest.mark.django_db

# Every former code and the context it must become.
EXPECTED = {
    "partner": {"partner"},
    "ex_partner": {"ex_partner"},
    "child_abuse": {"parent_child"},
    "against_parents": {"child_parent"},
    "elder_abuse": {"elder"},
    "honour_related": {"honour_related"},
    "other": {"other"},
}


def _contexts(case: Case) -> set[str]:
    return set(Case.objects.get(pk=case.pk).relationship_contexts.values_list("code", flat=True))


@pytest.fixture
def former():
    """One case per former code, one with two, one with none; as the old form saved them."""
    director = make_director()
    cases = {}
    for code in [*EXPECTED, "two", "none"]:
        case = case_create(
            by=director,
            owner_organisation=director.organisation,
            case_director=director,
            opened_on=D(2025, 3, 1),
        )
        codes = {"two": ["partner", "child_abuse"], "none": []}.get(code, [code])
        case.violence_forms.set(ViolenceForm.objects.filter(code__in=codes))
        cases[code] = case
    return director, cases


def test_the_lists_hold_every_code_once():
    assert set(RelationshipContext.objects.values_list("code", flat=True)) == {
        "partner",
        "ex_partner",
        "parent_child",
        "child_parent",
        "elder",
        "other_family",
        "honour_related",
        "other",
    }
    assert set(FormOfViolence.objects.values_list("code", flat=True)) == {
        "physical",
        "sexual",
        "psychological",
        "economic",
        "stalking",
        "coercive_control",
        "neglect",
        "forced_marriage",
        "female_genital_mutilation",
    }
    # Every former code is mapped, onto codes that exist.
    assert set(MIGRATION.MAPPING) == set(ViolenceForm.objects.values_list("code", flat=True))
    MIGRATION.seed_lists(apps)
    assert RelationshipContext.objects.count() == 8
    assert FormOfViolence.objects.count() == 9


def test_every_former_value_becomes_its_context_without_loss(former):
    _director, cases = former
    Former = apps.get_model("cases", "HistoricalCase_violence_forms")
    former_history = sorted(Former.objects.values_list("history_id", "case_id", "violenceform_id"))
    assert former_history  # the history rows of the old form
    versions = {key: Case.objects.get(pk=c.pk).version for key, c in cases.items()}
    records = Case.history.count()

    assert MIGRATION.map_former_values(apps) == 8

    for code, contexts in EXPECTED.items():
        assert _contexts(cases[code]) == contexts, code
    assert _contexts(cases["two"]) == {"partner", "parent_child"}
    assert _contexts(cases["none"]) == set()
    # No former value implies a form.
    assert not Case.forms_of_violence.through.objects.exists()
    # The case holds no former value any more; its history holds every one, as it was.
    assert not Case.violence_forms.through.objects.exists()
    assert sorted(Former.objects.values_list("history_id", "case_id", "violenceform_id")) == (
        former_history
    )
    # One history row per changed case, by no one, with the reason and the new contexts.
    assert Case.history.count() == records + 8
    for key, case in cases.items():
        current = Case.objects.get(pk=case.pk)
        latest = Case.history.filter(id=case.pk).first()
        if key == "none":
            assert current.version == versions[key]
            continue
        assert current.version == versions[key] + 1
        assert latest.history_change_reason == MIGRATION.REASON
        assert latest.history_user is None
        assert latest.version == current.version
        assert set(
            latest.relationship_contexts.values_list("relationshipcontext__code", flat=True)
        ) == _contexts(case)
        assert not latest.violence_forms.exists()
    # The former list stays, for the history.
    assert ViolenceForm.objects.count() == 7

    # Idempotent.
    assert MIGRATION.map_former_values(apps) == 0
    assert Case.history.count() == records + 8


def test_a_context_already_recorded_is_kept_once(former):
    _director, cases = former
    case = cases["two"]
    case.relationship_contexts.set(RelationshipContext.objects.filter(code="partner"))
    case.forms_of_violence.set(FormOfViolence.objects.filter(code="physical"))
    MIGRATION.map_former_values(apps)
    assert _contexts(case) == {"partner", "parent_child"}
    latest = Case.history.filter(id=case.pk).first()
    assert list(latest.forms_of_violence.values_list("formofviolence__code", flat=True)) == [
        "physical"
    ]


def test_the_history_page_shows_the_former_value_and_the_context(former):
    director, cases = former
    MIGRATION.map_former_values(apps)
    with translation.override("nl"):
        history = case_full_history(user=director, case_pk=cases["child_abuse"].pk)
        changes: dict[str, tuple[str, str]] = {}
        for entry in history:  # newest first: the migration's row
            if entry.model == "cases.case":
                for change in entry.changes:
                    changes.setdefault(change.field, (change.old, change.new))
    assert changes["Vormen van geweld (vroegere lijst)"] == ("Kindermishandeling", "—")
    assert changes["Relatiecontext"] == ("—", "Ouder → kind")
