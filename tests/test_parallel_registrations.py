"""Fifty registrations at once, each in its own thread with its own database connection:
fifty cases, fifty different references, no error (issue 15: the old "highest + 1" gave
HTTP 500s under 20 parallel registrations)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.roles import RoleCode
from cases.models import Case
from cases.services import case_create
from partners.models import OrganisationKind

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 50


def test_fifty_parallel_registrations_give_fifty_unique_references():
    organisation = make_organisation("Stad Parallel", OrganisationKind.CITY)
    director = make_user("director_parallel", organisation, RoleCode.CASE_DIRECTOR)
    start = threading.Barrier(PARALLEL, timeout=30)

    def register(_: int) -> str:
        try:
            start.wait()  # all threads ask at the same moment
            case = case_create(
                by=director,
                owner_organisation=organisation,
                case_director=director,
                opened_on=datetime.date(2016, 5, 1),
            )
            return case.reference
        finally:
            connection.close()  # each thread has its own connection; close it

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        references = list(pool.map(register, range(PARALLEL)))

    assert len(set(references)) == PARALLEL
    assert sorted(references) == [f"2016-{n:05d}" for n in range(1, PARALLEL + 1)]
    assert Case.objects.filter(opened_on__year=2016).count() == PARALLEL
