"""Every HTML page each role may open is valid HTML (issue 16, item 6), without a browser.

The URL walk of the permission matrix, per role: every GET pattern the role may open (200 in
tests/test_permission_matrix.py) is fetched for the first case it may see, and its HTML
checked as in the browser journeys (tests/page_checks.py). KNOWN_INVALID lists what fails
today, strictly: a listed page that has become valid fails the test until its entry goes.
"""

import pytest
from django.db import transaction

from .access_rules import CASE_KEYS
from .page_checks import html_problems, is_valid_datetime_value
from .test_permission_matrix import SPECS, _expected, _url

# One user per role of the world (the auditor is not in it: tests/test_role_journeys.py walks
# its pages in the browser).
USERNAMES = [
    "director_city_a",
    "director_caw_a",
    "liaison_parket_a",
    "partner_police_a",
    # The partner inbox's answer forms (accept, decline, complete): partner B's items only.
    "partner_partner_b",
    "netcoord_vo_a",
    "opslead_city_a",
    "admin_city_a",
]

# (username, URL name) -> the finding and who fixes it. Empty: every page is valid.
KNOWN_INVALID: dict[tuple[str, str], str] = {}


def _pages(world, username: str):
    """(URL name, URL) of every GET page the user may open, for the first case they see."""
    for name, spec in SPECS.items():
        if spec.method != "get" or spec.kind == "public":
            continue
        case_keys = (
            CASE_KEYS if spec.kind.startswith("case_") and spec.kind != "case_work" else [None]
        )
        for case_key in case_keys:
            if _expected(username, spec, case_key) == 200:
                yield name, _url(world, name, case_key)
                break


@pytest.mark.django_db
@pytest.mark.parametrize("username", USERNAMES)
def test_every_page_of_the_role_is_valid_html(world, client, username):
    client.force_login(world.users[username])
    invalid, checked = {}, []
    for name, url in _pages(world, username):
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        assert response.status_code == 200, (name, url, response.status_code)
        if not response["Content-Type"].startswith("text/html"):
            continue  # a PDF, a CSV, a download
        checked.append(name)
        if problems := html_problems(response.content.decode()):
            invalid[(username, name)] = "; ".join(problems)[:600]
    known = {key: why for key, why in KNOWN_INVALID.items() if key[0] == username}
    new = {key: found for key, found in invalid.items() if key not in known}
    fixed = [key for key in known if key not in invalid]
    assert checked
    assert not new and not fixed, "\n".join(
        [f"NEW {key}: {found}" for key, found in new.items()]
        + [f"FIXED {key} ({known[key]}): remove it from KNOWN_INVALID" for key in fixed]
    )
    if invalid:
        pytest.xfail("; ".join(f"{name}: {known[(u, name)]}" for u, name in invalid))


# --- the checks themselves -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026",
        "2026-12",
        "2026-12-02",
        "12-02",
        "--12-02",
        "14:05",
        "14:05:09",
        "14:05:09.5",
        "14:05:09.123",
        "2026-12-02T14:05",
        "2026-12-02 14:05:09.123",
        "2026-12-02T14:05:09+01:00",
        "2026-12-02T14:05:09.123Z",
        "2026-12-02T14:05:09-0130",
        "Z",
        "+01:00",
        "2026-W49",
        "P3D",
        "PT4H18M3S",
        "P1DT0.5S",
        "4h 18m 3s",
    ],
)
def test_valid_datetime_values(value):
    assert is_valid_datetime_value(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2026-12-02T14:05:09.123456+01:00",  # six fractional digits: Django's isoformat
        "2026-13-01",
        "2026-12-32",
        "202-12-02",
        "2026-12-02T24:00",
        "2026-12-02T14:05:09+01",
        "2026-W54",
        "P",
        "PT",
        "2 December 2026",
        "02/12/2026",
    ],
)
def test_invalid_datetime_values(value):
    assert not is_valid_datetime_value(value)


PAGE = '<!DOCTYPE html><html lang="nl"><head><title>t</title></head><body>{}</body></html>'


def test_a_valid_page_has_no_problems():
    body = '<p id="a">&lt; 5</p><time datetime="2026-12-02T14:05:09.123+01:00">nu</time>'
    assert html_problems(PAGE.format(body)) == []


def test_a_fragment_is_checked_as_a_fragment():
    assert html_problems('<div id="run-status-1">klaar</div>') == []
    problems = html_problems('<p id="a"></p><p id="a">5 < 6</p>')
    assert [problem.split(" at ")[0] for problem in problems] == [
        "parse error expected-tag-name ",
        "duplicate id 'a'",
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<p>aantal < 5</p>", "parse error expected-tag-name"),
        ('<p id="x"></p><p id="x"></p>', "duplicate id 'x'"),
        ('<time datetime="2026-12-02T14:05:09.123456+01:00">nu</time>', "invalid <time"),
        ("<p></div>", "parse error end-tag-too-early"),
    ],
)
def test_what_makes_a_page_invalid(body, problem):
    problems = html_problems(PAGE.format(body))
    assert problems and problems[0].startswith(problem), problems
