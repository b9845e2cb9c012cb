"""Case references come from a per-year counter: numeric order, no ceiling at 99,999, and
migration 0022 seeds the counters from the references already given (losing nothing)."""

import datetime
import importlib

import pytest
from django.apps import apps

from accounts.roles import RoleCode
from cases.models import Case, ReferenceCounter
from cases.selectors.lists import ordering
from cases.services import case_create
from partners.models import OrganisationKind

from .factories import make_organisation, make_user

SEED = importlib.import_module("cases.migrations.0022_reference_counters")

pytestmark = pytest.mark.django_db


@pytest.fixture
def director():
    organisation = make_organisation("Stad Referentie", OrganisationKind.CITY)
    return make_user("director_references", organisation, RoleCode.CASE_DIRECTOR)


def _register(director, year: int) -> Case:
    return case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        opened_on=datetime.date(year, 3, 1),
    )


def test_numbers_grow_past_99999_and_sort_as_numbers(director):
    first = _register(director, 2011)
    assert first.reference == "2011-00001"
    ReferenceCounter.objects.filter(year=2011).update(last=99998)
    last_five_digit = _register(director, 2011)
    wider = _register(director, 2011)
    next_year = _register(director, 2012)
    assert (last_five_digit.reference, wider.reference) == ("2011-99999", "2011-100000")
    assert next_year.reference == "2012-00001"

    mine = Case.objects.filter(pk__in=[first.pk, last_five_digit.pk, wider.pk, next_year.pk])
    upwards = list(mine.order_by(*ordering("reference")).values_list("reference", flat=True))
    assert upwards == ["2011-00001", "2011-99999", "2011-100000", "2012-00001"]
    downwards = list(mine.order_by(*ordering("-reference")).values_list("reference", flat=True))
    assert downwards == upwards[::-1]


def test_a_reference_made_elsewhere_is_skipped_not_reused(director):
    case = _register(director, 2013)
    # As if an import had written the next reference without the counter.
    Case.objects.filter(pk=case.pk).update(reference="2013-00002")
    assert _register(director, 2013).reference == "2013-00003"


def test_the_migration_seeds_every_year_from_the_highest_number(director):
    cases = [_register(director, year) for year in (2014, 2014, 2014, 2015)]
    Case.objects.filter(pk=cases[1].pk).update(reference="2014-100007")
    Case.objects.filter(pk=cases[2].pk).update(reference="2014-99999")
    ReferenceCounter.objects.all().delete()
    before = list(Case.objects.order_by("pk").values())

    SEED.seed_counters(apps, None)

    counters = dict(ReferenceCounter.objects.values_list("year", "last"))
    assert counters[2014] == 100007 and counters[2015] == 1
    assert list(Case.objects.order_by("pk").values()) == before  # the cases are untouched
    assert _register(director, 2014).reference == "2014-100008"
