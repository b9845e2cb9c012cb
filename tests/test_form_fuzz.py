"""Every form of every app, fed implausible input: never a 500, and a refusal changes no row.

The forms are found through the permission matrix: each GET page in ``SPECS`` is opened as a
user who may reach it, and every POST form on it that posts back to the page is fuzzed. The
page's own hidden fields (the CSRF token, ``version``, a submission token) are kept, so the
harness follows the forms as they change. Each POST starts from a plausible filling of the
form (the page's values, today for a date) and breaks a few fields: extreme dates, huge,
negative or non-numeric numbers, empty, very long or odd unicode text, unknown choices, a
list where one value is expected. Every POST runs in a savepoint that is rolled back, so the
committed world stays as it was.

Deterministic (``derandomize``) and bounded: every date and number field once with each
extreme value, then a few generated examples per form.
"""

import datetime
import functools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.dates import add_months

from .access_rules import CASE_KEYS, EXPECTED
from .clock import TODAY
from .test_permission_matrix import SPECS, _expected, _fingerprint, _url

# Pages whose refusals write on purpose (a failed sign-in or second-factor code is counted)
# or that hold no form of their own; their own tests cover them.
SKIPPED = {
    "login": "a refused sign-in is counted (axes): its own tests",
    "second_factor:verify": "a wrong code is counted: tests/test_second_factor.py",
    "second_factor:enrol": "a wrong code is counted: tests/test_second_factor.py",
    "accounts:invitation_set_password": "public, needs a live token: tests/test_invitations.py",
    "accounts:invitation": "redirects, no form",
}

# Extremes every date, time and number field is tried with, one field at a time.
EXTREME_DATES = ["0001-01-01", "9999-12-31", add_months(TODAY, 50 * 12).isoformat()]
EXTREME_DATETIMES = [f"{day}T12:00" for day in EXTREME_DATES]
EXTREME_NUMBERS = ["-1", "99999999999999999999"]

NASTY_TEXT = st.one_of(
    st.sampled_from(["", " ", "x" * 5000, "\x00", "🙂" * 300, "<script>", "0" * 400, "‮"]),
    st.text(max_size=40),
)


# Written by reads and sign-ins, not by a form's work.
NOT_WORK = ("access_auditevent", "django_session", "axes_accesslog", "axes_accessattempt")


def _writes() -> int:
    """Rows inserted, updated or deleted in this transaction so far (PostgreSQL's counters of
    the current transaction, savepoints included): cheap, and exact for one request."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables WHERE NOT relname = ANY(%s)",
            [list(NOT_WORK)],
        )
        return int(cursor.fetchone()[0])


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    checked: bool = False


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)


class _FormParser(HTMLParser):
    """The POST forms of a page with their fields, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(action=a.get("action", ""))
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self._form.fields.append(
                Field(a["name"], kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select", multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _own_forms(html: str, url: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    path = urlsplit(url).path
    return [f for f in parser.forms if not f.action or urlsplit(f.action).path == path]


def _plausible(f: Field) -> str | list[str] | None:
    """A value the form would probably accept, to reach the rules behind the form."""
    if f.kind == "hidden":
        return f.value
    if f.kind == "checkbox":
        return (f.value or "on") if f.checked else None
    if f.kind == "radio":
        return f.value if f.checked else None
    if f.kind == "select":
        chosen = f.value or next((o for o in f.options if o), "")
        return [chosen] if f.multiple and chosen else chosen
    if f.value:
        return f.value
    if f.kind == "date":
        return TODAY.isoformat()
    if f.kind == "datetime-local":
        return f"{TODAY + datetime.timedelta(days=1)}T10:00"
    if f.kind == "number":
        return "1"
    if f.kind == "email":
        return "fuzz@example.org"
    if f.kind == "file":
        return None
    return "Fuzz"


def _nasty(f: Field) -> st.SearchStrategy:
    if f.kind == "date":
        return st.one_of(
            st.sampled_from([*EXTREME_DATES, "1900-01-01", "", "2024-02-30", "31/12/2024", "x"]),
            st.dates().map(datetime.date.isoformat),
        )
    if f.kind == "datetime-local":
        return st.one_of(
            st.sampled_from([*EXTREME_DATETIMES, "", "2024-01-01T25:61", "x"]),
            st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        )
    if f.kind == "number":
        return st.one_of(
            st.sampled_from([*EXTREME_NUMBERS, "1e309", "NaN", "", "Infinity", "1,5", "x"]),
            st.integers(min_value=-(10**25), max_value=10**25).map(str),
            st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
        )
    if f.kind in ("select", "radio", "checkbox"):
        return st.one_of(
            st.sampled_from([*f.options, "", "0", "-1", "999999999", "x", "9" * 30]),
            st.lists(st.sampled_from(f.options or ["1"]), max_size=3),
        )
    return st.one_of(NASTY_TEXT, st.lists(NASTY_TEXT, min_size=2, max_size=2))


def _fuzzable(f: Field) -> bool:
    # The hidden fields are the form's bookkeeping (csrf, version, submission token): kept.
    return f.kind not in ("hidden", "file")


@dataclass
class Target:
    name: str
    url: str
    username: str


@functools.cache
def _pages() -> list[str]:
    return [
        name
        for name, spec in SPECS.items()
        if spec.method == "get" and spec.kind != "public" and name not in SKIPPED
    ]


def _target(world, name: str) -> Target | None:
    """The page as the first user who may open it (with a case they may change)."""
    spec = SPECS[name]
    case_keys = CASE_KEYS if spec.kind.startswith("case_") and spec.kind != "case_work" else [None]
    for username in EXPECTED:
        for case_key in case_keys:
            if _expected(username, spec, case_key) == spec.ok == 200:
                return Target(name, _url(world, name, case_key), username)
    return None


def _post(client, url: str, data: dict, baseline: str) -> tuple[int | str, bool]:
    """POST in a savepoint that is rolled back: the status (or the crash) and whether any
    row differs from ``baseline`` (the world before the POST) when the POST is refused."""
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        before = _writes()
        try:
            with transaction.atomic():
                response = client.post(url, data)
        except Exception as crash:  # the test client re-raises what would be a 500
            transaction.set_rollback(True)
            client.cookies = cookies
            return f"500 {type(crash).__name__}: {crash!s:.200}", False
        # The counters also count writes a refusal rolled back itself: only then is the
        # whole world compared, row by row.
        changed = _writes() != before and response.status_code not in (301, 302, 303)
        changed = changed and _fingerprint() != baseline
        transaction.set_rollback(True)
    client.cookies = cookies
    return response.status_code, changed


def _check(client, url: str, data: dict, baseline: str, failures: list[str], what: str) -> None:
    status, changed = _post(client, url, data, baseline)
    if isinstance(status, str) or status >= 500:
        failures.append(f"{what}: {status}")
    elif changed:
        failures.append(f"{what}: refused with {status}, but a row changed")


def _fuzzer(
    client, url: str, base: dict, fuzzable: list[Field], baseline: str, failures: list[str]
):
    """A few generated POSTs: the plausible filling with one to three fields broken."""

    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def fuzz(data):
        chosen = data.draw(
            st.lists(st.sampled_from(fuzzable), min_size=1, max_size=3, unique_by=id)
        )
        post = dict(base)
        for f in chosen:
            post[f.name] = data.draw(_nasty(f), label=f.name)
        _check(client, url, post, baseline, failures, f"{sorted(post.items())!r:.300}")

    return fuzz


@pytest.mark.django_db
@pytest.mark.parametrize("name", _pages())
def test_no_form_crashes_or_half_writes_on_implausible_input(world, client, name):
    target = _target(world, name)
    if target is None:
        pytest.skip("nobody in the world may open this page")
    client.force_login(world.users[target.username])
    with transaction.atomic():
        page = client.get(target.url)
        transaction.set_rollback(True)
    assert page.status_code == 200, f"{name}: {page.status_code}"
    if not page.get("Content-Type", "").startswith("text/html"):
        pytest.skip("a download, no form")
    forms = _own_forms(page.content.decode(), target.url)
    if not forms:
        pytest.skip("no form that posts to this page")
    failures: list[str] = []
    baseline = _fingerprint()
    for form in forms:
        base = {f.name: v for f in form.fields if (v := _plausible(f)) is not None}
        fuzzable = [f for f in form.fields if _fuzzable(f)]
        # Each extreme alone, everything else plausible: the rules behind the form are reached.
        for f in fuzzable:
            extremes = {
                "date": EXTREME_DATES,
                "datetime-local": EXTREME_DATETIMES,
                "number": EXTREME_NUMBERS,
            }.get(f.kind, [])
            for value in extremes:
                _check(
                    client,
                    target.url,
                    {**base, f.name: value},
                    baseline,
                    failures,
                    f"{f.name}={value}",
                )
        if not fuzzable:
            continue

        _fuzzer(client, target.url, base, fuzzable, baseline, failures)()
    assert not failures, f"{name} ({target.username}):\n" + "\n".join(failures)
