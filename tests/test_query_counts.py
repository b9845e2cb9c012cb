"""List pages run a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import make_case

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["cases:list", "cases:export"])
def test_case_list_query_count_does_not_grow_with_rows(world, client, url_name):
    director = world.users["director_city_a"]
    client.force_login(director)
    url = reverse(url_name)
    few = _queries(client, url)
    for _ in range(20):
        make_case(director)
    many = _queries(client, url)
    assert many == few
    assert few <= 12


def test_case_detail_query_count(world, client, django_assert_max_num_queries):
    client.force_login(world.users["director_city_a"])
    with django_assert_max_num_queries(14):
        client.get(reverse("cases:detail", kwargs={"pk": world.cases["city_a"].pk}))
