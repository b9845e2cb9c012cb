"""What keeps the steering page's Python cost down (issue 20, part 3): templates compiled once
per process, each fragment rendered once per request, the audit row written in one INSERT at
the end. The query count itself is pinned in tests/test_query_counts.py."""

import contextlib
import json
import subprocess
import sys
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from .test_settings_security import ROOT, _production_env

pytestmark = pytest.mark.django_db


def test_production_compiles_each_template_once_per_process():
    """Without explicit ``loaders`` Django wraps the loaders in the cached loader; a setting
    that lists them would silently turn the cache off. Asked of the production settings."""
    code = (
        "import json, django; django.setup(); from django.template import engines; "
        "e = engines['django'].engine; "
        "print(json.dumps([type(l).__module__ + '.' + type(l).__name__ "
        "for l in e.template_loaders]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == ["django.template.loaders.cached.Loader"]


def test_each_fragment_of_the_steering_page_is_rendered_once(world, client):
    """However much the case holds: no template is included per row."""
    from .conftest import CHILDREN

    case = world.cases["city_a"]
    for param, make in CHILDREN.items():
        if param != "co_director_pk":
            for _ in range(3):
                with contextlib.suppress(ValidationError):
                    make(world, case)
    client.force_login(world.users["director_city_a"])
    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    rendered = Counter(t.name for t in response.templates)
    assert "cases/steering/_people.html" in rendered
    assert [name for name, times in rendered.items() if times > 1] == []
