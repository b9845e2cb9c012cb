"""The steering page's and the print view's relationship contexts and forms of violence
(``cases.selectors.violence``, one statement made once per process) are the case's own two
fields, in the lists' order, and nothing of another case."""

import pytest

from cases.models import FormOfViolence, RelationshipContext
from cases.selectors.violence import violence_facts

from .factories import make_case

pytestmark = pytest.mark.django_db


def _ordered(rows):
    return [row.pk for row in rows.order_by("order", "pk")]


def test_the_facts_are_the_cases_own_in_the_lists_order(world):
    director = world.cases["city_b"].case_director
    case, other = make_case(director), make_case(director)
    contexts = list(RelationshipContext.objects.order_by("-order", "-pk")[:3])
    forms = list(FormOfViolence.objects.order_by("-order", "-pk")[:2])
    case.relationship_contexts.set(contexts)
    case.forms_of_violence.set(forms)
    other.relationship_contexts.set(
        RelationshipContext.objects.exclude(pk__in=[c.pk for c in contexts])[:1]
    )

    facts = violence_facts(case)

    assert [row.pk for row in facts.contexts] == _ordered(case.relationship_contexts.all())
    assert [row.pk for row in facts.forms] == _ordered(case.forms_of_violence.all())
    assert len(facts.contexts) == 3 and len(facts.forms) == 2
    assert [str(row) for row in facts.contexts] == [
        str(row) for row in case.relationship_contexts.order_by("order", "pk")
    ]
    other_facts = violence_facts(other)
    assert len(other_facts.contexts) == 1 and other_facts.forms == []


def test_a_case_without_facts_has_none(world):
    case = make_case(world.cases["city_b"].case_director)
    facts = violence_facts(case)
    assert facts.contexts == [] and facts.forms == []
