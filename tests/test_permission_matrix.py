"""Every URL pattern x every role x objects in and out of scope: the exact status code."""

import functools
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.http import HttpRequest
from django.urls import resolve, reverse

from accounts.roles import RoleCode
from common.views import CONFIRM_FIELD, CONFIRM_VALUE, ConfirmationMixin

from .access_rules import CASE_KEYS, EXPECTED, NOTICE_RECIPIENTS, consultation_status
from .conftest import USERS
from .urlwalk import Route, walk

# How each named URL is reached and what it needs.
#   kind "case_view": a page of one case, needs read access
#   kind "case_change": a write on one case, needs change access
#   kind "case_work": case lists and exports, needs a case-working role
#   kind "case_notice": a hit notice on one case, for its recipient only (404 for all others)
#   kind "register": registering a case
#   kind "authenticated": any signed-in user
#   kind "public": no login needed
#   kind "own": one user's own object (a notice): exactly ``users`` may; 404 for everyone else
#   kind "inbox": a partner inbox item: ``users`` may, ``forbidden`` see it but get 403, all
#       others 404 (like "registration")
#   kind "role": partner-network pages, for the role codes in ``roles`` only
#   kind "consultation": a page of the world's art. 458ter consultation (``pk`` is the
#       consultation; other parameters from ``world.consultation_children``), for its chair
#       and its participants who confirmed secrecy; 404 for everyone else
#   kind "consultation_liaison": the prosecutor liaison's entry on an agenda case: a liaison
#       taking part; anyone else who sees the consultation gets 403, everyone else 404
#   kind "consultation_change": changes that consultation: the chair (and the case team with
#       change access, for an agenda item); a participant gets 403, everyone else 404


@dataclass(frozen=True)
class Spec:
    kind: str
    method: str = "get"
    ok: int = 200
    ok_signed_in: int | None = None  # when a signed-in user gets another success code
    roles: frozenset[str] = frozenset()  # kind "role": who may
    users: frozenset[str] = frozenset()  # kind "users": exactly these users may (others 403)
    # kind "registration": ``users`` may, these see the registration but may not act (403),
    # everyone else gets 404.
    forbidden: frozenset[str] = frozenset()


_DIRECTORY_READERS = frozenset(
    {
        RoleCode.NETWORK_COORDINATOR,
        RoleCode.CASE_DIRECTOR,
        RoleCode.OPERATIONS_LEAD,
        RoleCode.PROSECUTOR_LIAISON,
        RoleCode.PARTNER_PROFESSIONAL,
    }
)
_NETWORK = frozenset({RoleCode.NETWORK_COORDINATOR})
# access.policy.may_read_legal_bases / may_manage_legal_bases (FJC_LEGAL_BASIS_ROLES empty).
_LEGAL_BASIS_READERS = frozenset(
    {RoleCode.CASE_DIRECTOR, RoleCode.OPERATIONS_LEAD, RoleCode.PROSECUTOR_LIAISON}
)
_LEGAL_BASIS_KEEPERS = frozenset({RoleCode.OPERATIONS_LEAD})
# The world's authorisation was given by prosecutor's office A: its liaison confirms it; the
# keepers and that liaison download its signed copy.
_CONFIRMS_AUTHORISATION = frozenset({"liaison_parket_a"})
_DOWNLOADS_AUTHORISATION = frozenset({"liaison_parket_a", "opslead_city_a", "opslead_city_b"})
_FUNDING = frozenset({RoleCode.OPERATIONS_LEAD})
# The default of settings.FJC_REPORT_ROLES.
_ANNUAL_REPORTS = frozenset({RoleCode.OPERATIONS_LEAD})
# access.policy.may_publish_annual_reports: the operations lead alone, whatever the setting.
_PUBLISHERS = frozenset({RoleCode.OPERATIONS_LEAD})
# accounts.roles.DASHBOARD_ROLES: aggregates of the network, no case data.
_NETWORK_DASHBOARD = frozenset({RoleCode.NETWORK_COORDINATOR, RoleCode.OPERATIONS_LEAD})
# access.policy.may_request_break_glass / may_read_break_glass_reviews: active case directors
# who are not administrators (the auditor role is not in the world: tests/test_break_glass.py).
_CASE_DIRECTORS = frozenset(
    name
    for name, (_org, roles, extra) in USERS.items()
    if RoleCode.CASE_DIRECTOR in roles and not extra
)

_AUDIT = frozenset({RoleCode.AUDITOR})

# Registrations by partners (issue 19): access.policy.may_register / may_triage (never an
# administrator); the world's registration is police zone A's, with city A.
_REGISTRANTS = frozenset(
    name
    for name, (_org, roles, extra) in USERS.items()
    if {RoleCode.PARTNER_PROFESSIONAL, RoleCode.PROSECUTOR_LIAISON} & set(roles) and not extra
)
_TRIAGE = frozenset(
    name
    for name, (_org, roles, extra) in USERS.items()
    if {RoleCode.CASE_DIRECTOR, RoleCode.OPERATIONS_LEAD} & set(roles) and not extra
)
_REGISTRATION_TRIAGE = frozenset({"director_city_a", "opslead_city_a"})
_REGISTRATION_REGISTRANT = frozenset({"partner_police_a"})

# The partner inbox (issue 19, part 3): access.policy.may_use_inbox (case-working users of an
# organisation, never an administrator). The world's inbox items (city A's referral to
# partner B and an action assigned to partner B) are seen by partner B's inbox users and city
# A's case team; only partner B answers (the team gets 403), everyone else 404.
_INBOX_USERS = frozenset(
    name
    for name, (_org, roles, extra) in USERS.items()
    if {RoleCode.CASE_DIRECTOR, RoleCode.PARTNER_PROFESSIONAL, RoleCode.PROSECUTOR_LIAISON}
    & set(roles)
    and not extra
)
_INBOX_PARTNER_B = frozenset({"partner_partner_b"})
_CITY_A_TEAM = frozenset({"director_city_a"})


SPECS = {
    "home": Spec("authenticated"),
    "health": Spec("public"),
    "health_live": Spec("public"),
    "login": Spec("public", ok_signed_in=302),
    "logout": Spec("authenticated", "post", 302),
    "set_language": Spec("public", "post", 302),
    # The user's own second factor (a verified session: the code step sends it on).
    "second_factor:verify": Spec("authenticated", ok=302),
    "second_factor:enrol": Spec("authenticated"),
    "second_factor:security": Spec("authenticated"),
    "second_factor:recovery_codes": Spec("authenticated", ok=302),
    "second_factor:new_recovery_codes": Spec("authenticated", "post", 302),
    # The invitation link moves its token into the session and redirects; the page after it
    # answers everyone (an unknown token gets the page that says nothing).
    "accounts:invitation": Spec("public", ok=302),
    "accounts:invitation_set_password": Spec("public"),
    # Notices (issue 17): each user's own list and settings; the world's notice is
    # director_city_a's, anyone else's POST to it is a 404.
    "notices:list": Spec("authenticated"),
    "notices:read": Spec("own", "post", 302, users=frozenset({"director_city_a"})),
    "notices:read_all": Spec("authenticated", "post", 302),
    "notices:settings": Spec("authenticated"),
    "cases:list": Spec("case_work"),
    "cases:export": Spec("case_work"),
    "cases:board": Spec("case_work"),
    "cases:create": Spec("register"),
    "cases:create_consult": Spec("register"),
    "cases:detail": Spec("case_view"),
    "cases:history": Spec("case_view"),
    # The print view (issue 17, part 9): whoever may see the case may print it.
    "cases:print": Spec("case_view"),
    "cases:print_pdf": Spec("case_view"),
    "cases:update": Spec("case_change"),
    "cases:share": Spec("case_change"),
    "cases:revoke_share": Spec("case_change", "post", 302),
    "cases:track": Spec("case_change"),
    "cases:status": Spec("case_change"),
    "cases:close": Spec("case_change"),
    "cases:reopen": Spec("case_change"),
    "cases:director": Spec("case_change"),
    "cases:co_director_add": Spec("case_change"),
    "cases:co_director_remove": Spec("case_change", "post", 302),
    "cases:hit_notice_read": Spec("case_notice", "post", 302),
    # --- break-glass: the world's emergency access (director_caw_b on city A's case) is
    # ended; its requester alone may end one (302: already ended), a director of city A's
    # case reviews it ---
    "cases:break_glass": Spec("users", users=_CASE_DIRECTORS),
    "cases:break_glass_end": Spec("users", "post", 302, users=frozenset({"director_caw_b"})),
    "cases:break_glass_reviews": Spec("users", users=_CASE_DIRECTORS),
    "cases:break_glass_review": Spec("users", users=frozenset({"director_city_a", "co_director"})),
    # --- client system (people) ---
    "cases:person_add": Spec("case_change"),
    "cases:person_edit": Spec("case_change"),
    "cases:person_remove": Spec("case_change", "post", 302),
    "cases:relation_add": Spec("case_change"),
    "cases:relation_remove": Spec("case_change", "post", 302),
    # Without a live undo offer in the session: a message, back to the case.
    "cases:relation_restore": Spec("case_change", "post", 302),
    # --- journal and actions ---
    "cases:journal": Spec("case_view"),
    "cases:journal_add": Spec("case_change"),
    "cases:journal_correct": Spec("case_change"),
    "cases:actions": Spec("case_view"),
    "cases:action_add": Spec("case_change"),
    "cases:action_update": Spec("case_change"),
    "cases:action_done": Spec("case_change", "post", 302),
    "cases:action_undo": Spec("case_change", "post", 302),
    # --- judicial and care trajectory ---
    "cases:trajectory_notes": Spec("case_change"),
    "cases:police_report_add": Spec("case_change"),
    "cases:police_report_remove": Spec("case_change", "post", 302),
    "cases:measure_add": Spec("case_change"),
    "cases:measure_extend": Spec("case_change"),
    "cases:hearing_add": Spec("case_change"),
    "cases:hearing_remove": Spec("case_change", "post", 302),
    # Documents on a case: the world's are not confidential (tests/test_case_documents.py
    # has the confidential and removed ones); a share of the whole file reads them.
    "cases:documents": Spec("case_view"),
    "cases:document_add": Spec("case_change"),
    "cases:document_version_add": Spec("case_change"),
    "cases:document_download": Spec("case_view"),
    "cases:document_remove": Spec("case_change", "post", 302),
    # Letters from templates (issue 17, part 8): made by whoever may change the case.
    "cases:letter_create": Spec("case_change"),
    "cases:prosecution_decision_add": Spec("case_change"),
    "cases:condition_add": Spec("case_change"),
    "cases:condition_edit": Spec("case_change"),
    "cases:condition_remove": Spec("case_change", "post", 302),
    "cases:breach_add": Spec("case_change"),
    "cases:breach_remove": Spec("case_change", "post", 302),
    "cases:measure_lift": Spec("case_change"),
    "cases:care_partner_add": Spec("case_change"),
    "cases:care_partner_end": Spec("case_change"),
    # --- safety plans (the whole file's: a share of the whole file reads them) ---
    "cases:safety_plan_add": Spec("case_change"),
    "cases:safety_plan": Spec("case_view"),
    "cases:safety_plan_edit": Spec("case_change"),
    # --- the children's trajectory (the whole file's, like the safety plans) ---
    "cases:child": Spec("case_view"),
    "cases:child_file_edit": Spec("case_change"),
    "cases:child_conversation_add": Spec("case_change"),
    # --- the plan of approach (one per case; the whole file's). Every world case has one, so
    # the add page sends the team to it (302) ---
    "cases:plan": Spec("case_view"),
    "cases:plan_add": Spec("case_change", ok=302),
    "cases:plan_edit": Spec("case_change"),
    "cases:plan_goal_add": Spec("case_change"),
    "cases:plan_goal_edit": Spec("case_change"),
    "cases:plan_goal_remove": Spec("case_change", "post", 302),
    "cases:plan_evaluation_add": Spec("case_change"),
    # --- referrals ---
    "cases:referral_out_add": Spec("case_change"),
    "cases:referral_in_add": Spec("case_change"),
    "cases:referral_answer": Spec("case_change"),
    # --- risk ---
    "risk:list": Spec("case_view"),
    "risk:detail": Spec("case_view"),
    "risk:joint_detail": Spec("case_view"),
    "risk:create": Spec("case_change"),
    "risk:fill": Spec("case_change"),
    "risk:raise": Spec("case_change"),
    "risk:joint_create": Spec("case_change"),
    "risk:decide": Spec("case_change"),
    "risk:dismiss_suggestion": Spec("case_change"),
    # --- partner directory and network ---
    "partners:directory": Spec("role", roles=_DIRECTORY_READERS),
    "partners:organisation": Spec("role", roles=_DIRECTORY_READERS),
    "partners:agreement_download": Spec("role", roles=_DIRECTORY_READERS),
    "partners:organisation_create": Spec("role", roles=_NETWORK),
    "partners:organisation_edit": Spec("role", roles=_NETWORK),
    "partners:contact_add": Spec("role", roles=_NETWORK),
    "partners:contact_edit": Spec("role", roles=_NETWORK),
    "partners:agreement_add": Spec("role", roles=_NETWORK),
    "partners:agreement_edit": Spec("role", roles=_NETWORK),
    "partners:trainings": Spec("role", roles=_NETWORK),
    "partners:training_add": Spec("role", roles=_NETWORK),
    "partners:training_edit": Spec("role", roles=_NETWORK),
    "partners:gaps": Spec("role", roles=_NETWORK),
    "partners:gap": Spec("role", roles=_NETWORK),
    "partners:gap_status": Spec("role", roles=_NETWORK),
    "partners:gap_follow_up_add": Spec("role", roles=_NETWORK),
    "partners:gap_signal": Spec("case_change"),
    "reporting:dashboard": Spec("role", roles=_NETWORK_DASHBOARD),
    # --- lists and history ---
    "cases:search": Spec("case_work", "post", 302),
    # --- annual figures report runs (issue 7) ---
    "reporting:reports": Spec("role", roles=_ANNUAL_REPORTS),
    "reporting:report_status": Spec("role", roles=_ANNUAL_REPORTS),
    "reporting:report_download": Spec("role", roles=_ANNUAL_REPORTS),
    # --- published annual reports (issue 12): the world's run is published as version 1, so
    # publishing it again is refused with a message on the list (302) ---
    "reporting:report_publish": Spec("role", "post", 302, roles=_PUBLISHERS),
    "reporting:report_differences": Spec("role", roles=_ANNUAL_REPORTS),
    # --- funding (issue 7): the operations lead only ---
    # accounts.roles.AUDIT_ROLES: the audit trail and the complete data-subject report.
    "reporting:audit_trail": Spec("role", roles=_AUDIT),
    "reporting:subject_access_search": Spec("role", roles=_AUDIT),
    "reporting:subject_access_report": Spec("role", roles=_AUDIT),
    # The data-subject report of a person in a case: as the person's edit page.
    "reporting:party_access_report": Spec("case_change"),
    "reporting:funding_list": Spec("role", roles=_FUNDING),
    "reporting:funding_create": Spec("role", roles=_FUNDING),
    "reporting:funding_edit": Spec("role", roles=_FUNDING),
    # The case directors' workload and its CSV (issue 19): the operations lead only.
    "reporting:workload": Spec("role", roles=_FUNDING),
    "reporting:workload_csv": Spec("role", roles=_FUNDING),
    # --- consultations (art. 458ter) ---
    "consultations:legal_bases": Spec("role", roles=_LEGAL_BASIS_READERS),
    "consultations:legal_basis_create": Spec("role", roles=_LEGAL_BASIS_KEEPERS),
    "consultations:legal_basis_edit": Spec("role", roles=_LEGAL_BASIS_KEEPERS),
    "consultations:legal_basis_deactivate": Spec("role", "post", 302, roles=_LEGAL_BASIS_KEEPERS),
    "consultations:legal_basis_confirm": Spec("users", "post", 302, users=_CONFIRMS_AUTHORISATION),
    "consultations:legal_basis_document": Spec("users", users=_DOWNLOADS_AUTHORISATION),
    "consultations:list": Spec("case_work"),
    "consultations:create": Spec("register"),
    "consultations:detail": Spec("consultation"),
    "consultations:secrecy": Spec("consultation"),
    "consultations:item": Spec("consultation"),
    "consultations:edit": Spec("consultation_change"),
    "consultations:cancel": Spec("consultation_change", "post", 302),
    "consultations:held": Spec("consultation_change", "post", 302),
    "consultations:participant_add": Spec("consultation_change"),
    "consultations:participant_add_named": Spec("consultation_change"),
    "consultations:participant_remove": Spec("consultation_change", "post", 302),
    "consultations:agenda_add": Spec("consultation_change"),
    "consultations:agenda_remove": Spec("consultation_change", "post", 302),
    "consultations:agenda_move": Spec("consultation_change", "post", 302),
    "consultations:item_edit": Spec("consultation_change"),
    # Issue 19 part 5: the chair keeps the register and records secrecy given on paper or
    # orally and a triage table's registrations; the case team sets the review date.
    "consultations:attendance": Spec("consultation_change"),
    "consultations:secrecy_record": Spec("consultation_change"),
    "consultations:triage_add": Spec("consultation_change"),
    "consultations:item_review": Spec("consultation_change"),
    # minutes, documents and the prosecutor liaison's view
    "consultations:minutes": Spec("consultation"),
    "consultations:minutes_decisions": Spec("consultation_change"),
    "consultations:minutes_disclosure_add": Spec("consultation_change"),
    "consultations:minutes_action_add": Spec("consultation_change"),
    "consultations:minutes_plan_review": Spec("consultation_change"),
    "consultations:agenda_pdf": Spec("consultation"),
    "consultations:minutes_pdf": Spec("consultation"),
    "consultations:liaison": Spec("role", roles=frozenset({RoleCode.PROSECUTOR_LIAISON})),
    "consultations:parket_reference": Spec("consultation_liaison"),
    # --- registrations by partners and their triage (issue 19) ---
    "registrations:create": Spec("users", users=_REGISTRANTS),
    "registrations:mine": Spec("users", users=_REGISTRANTS),
    "registrations:triage": Spec("users", users=_TRIAGE),
    "registrations:detail": Spec(
        "registration", users=_REGISTRATION_TRIAGE | _REGISTRATION_REGISTRANT
    ),
    "registrations:attachment": Spec(
        "registration", users=_REGISTRATION_TRIAGE | _REGISTRATION_REGISTRANT
    ),
    "registrations:note_add": Spec(
        "registration", users=_REGISTRATION_TRIAGE, forbidden=_REGISTRATION_REGISTRANT
    ),
    "registrations:decide": Spec(
        "registration", users=_REGISTRATION_TRIAGE, forbidden=_REGISTRATION_REGISTRANT
    ),
    # The registrant's organisation corrects or withdraws it before a decision (the world's
    # registration is received); the triage table sees it but gets 403, everyone else 404.
    "registrations:correct": Spec(
        "registration", users=_REGISTRATION_REGISTRANT, forbidden=_REGISTRATION_TRIAGE
    ),
    "registrations:withdraw": Spec(
        "registration", users=_REGISTRATION_REGISTRANT, forbidden=_REGISTRATION_TRIAGE
    ),
    # --- the partner inbox (issue 19, part 3) ---
    "inbox:list": Spec("users", users=_INBOX_USERS),
    "inbox:referral": Spec("inbox", users=_INBOX_PARTNER_B | _CITY_A_TEAM),
    "inbox:action": Spec("inbox", users=_INBOX_PARTNER_B | _CITY_A_TEAM),
    **{
        f"inbox:{kind}_{verb}": Spec("inbox", users=_INBOX_PARTNER_B, forbidden=_CITY_A_TEAM)
        for kind in ("referral", "action")
        for verb in ("accept", "decline", "complete")
    },
}

# Patterns outside the matrix, each with the reason.
NOT_IN_MATRIX = {
    "admin:": "the Django admin: covered by tests/test_admin.py",
}


@functools.cache
def _routes() -> dict[str, Route]:
    return {r.name: r for r in walk() if not any(r.name.startswith(p) for p in NOT_IN_MATRIX)}


def test_every_url_pattern_has_a_matrix_entry():
    names = set(_routes())
    missing = names - set(SPECS)
    assert not missing, f"URL patterns without a permission-matrix entry: {sorted(missing)}"
    stale = set(SPECS) - names
    assert not stale, f"Matrix entries for URL names that no longer exist: {sorted(stale)}"


def _consultation_url(world, route) -> str:
    params = set(route.pattern.pattern.converters)
    kwargs = {"pk": world.consultation.pk}
    for param in params - {"pk"}:
        kwargs[param] = world.consultation_children[param].pk
    return reverse(route.name, kwargs=kwargs)


def _url(world, name: str, case_key: str | None) -> str:
    route = _routes()[name]
    if SPECS[name].kind.startswith("consultation"):
        return _consultation_url(world, route)
    params = set(route.pattern.pattern.converters)
    kwargs = {}
    if "pk" in params:
        kwargs["pk"] = world.cases[case_key].pk
    for param in params & set(world.directory):
        # Partner-directory and network objects: one of each in the world, outside cases.
        kwargs[param] = world.directory[param].pk
    if "token" in params:
        # An invitation's token: an unknown one (tests/test_invitations.py has real ones).
        kwargs["token"] = "unknown-token"
    for param in params - {"pk", "organisation_pk", "token", *world.directory}:
        # Objects inside the case: tests/conftest.py CHILDREN makes one of each per case.
        kwargs[param] = world.children[case_key][param].pk
    if "organisation_pk" in params:
        # An organisation without a share, so the matrix does not change what it tests.
        kwargs["organisation_pk"] = world.orgs["partner_b"].pk
    return reverse(name, kwargs=kwargs)


def _expected(username: str | None, spec: Spec, case_key: str | None) -> int:
    if spec.kind == "public":
        return spec.ok_signed_in if username and spec.ok_signed_in else spec.ok
    if username is None:
        return 302  # to the login page
    rule = EXPECTED[username]
    if spec.kind == "authenticated":
        return spec.ok
    if spec.kind == "case_work":
        return spec.ok if rule.works_with_cases else 403
    if spec.kind == "register":
        return spec.ok if rule.registers_cases else 403
    if spec.kind == "role":
        return spec.ok if set(USERS[username][1]) & spec.roles else 403
    if spec.kind == "users":
        return spec.ok if username in spec.users else 403
    if spec.kind in ("registration", "inbox"):
        if username in spec.users:
            return spec.ok
        return 403 if username in spec.forbidden else 404
    if spec.kind == "own":
        return spec.ok if username in spec.users else 404
    if spec.kind == "consultation_liaison":
        # The parket's own reference: a prosecutor liaison taking part, nobody else.
        status = consultation_status(username, manage=False, ok=spec.ok)
        is_liaison = RoleCode.PROSECUTOR_LIAISON in USERS[username][1]
        return 403 if status == spec.ok and not is_liaison else status
    if spec.kind.startswith("consultation"):
        return consultation_status(username, manage=spec.kind == "consultation_change", ok=spec.ok)
    if case_key not in rule.views:
        return 404
    if spec.kind == "case_notice":
        return spec.ok if NOTICE_RECIPIENTS[case_key] == username else 404
    if spec.kind == "case_change" and case_key not in rule.changes:
        return 403
    return spec.ok


def _request(client, spec: Spec, url: str, name: str):
    if spec.method == "post":
        data = {"language": "en", "next": "/"} if name == "set_language" else {}
        if issubclass(getattr(resolve(url).func, "view_class", object), ConfirmationMixin):
            data = {CONFIRM_FIELD: CONFIRM_VALUE}  # the confirmed POST: it acts (302)
        return client.post(url, data)
    return client.get(url)


def _area(name: str) -> str:
    return name.split(":")[0] if ":" in name else "site"


AREAS = sorted({_area(name) for name in SPECS})
ROLES = [None, *EXPECTED]


def _fingerprint() -> str:
    """A digest of every row of every table the matrix could change: equal before and after
    means that the matrix changed no shared row. The audit trail and sessions are left out:
    the matrix's own reads and logins write there (and its savepoints roll that back too)."""
    from django.apps import apps
    from django.db import connection

    skipped = {"access_auditevent", "django_session"}
    tables = sorted(
        {m._meta.db_table for m in apps.get_models(include_auto_created=True)} - skipped
    )
    digests = " UNION ALL ".join(
        # Order-independent: the row count and the sum of the rows' hashes.
        f"SELECT '{t}' AS t, count(*) || ':' || coalesce(sum(hashtextextended(r::text, 0)), 0) "
        f'AS d FROM "{t}" r'
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg(t || d, ';' ORDER BY t) FROM ({digests}) x")
        return cursor.fetchone()[0]


@functools.cache
def _committed_fingerprint() -> str:
    # The committed world, as every matrix test starts from it (signing in writes nothing).
    return _fingerprint()


@pytest.fixture
def _signing_in_writes_nothing():
    """The session is a signed cookie in tests; without the last-login update, signing in
    changes no row, so every matrix test starts from the committed world itself."""
    from django.contrib.auth import user_logged_in
    from django.contrib.auth.models import update_last_login

    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    yield
    user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")


@pytest.fixture
def _statuses_only(monkeypatch):
    """The matrix reads status codes and redirects only: templates render as in production,
    without the test client's copy of every template context."""
    from django.template.base import PartialTemplate, Template
    from django.test.utils import _TestState

    saved = _TestState.saved_data  # type: ignore[attr-defined]  # set by setup_test_environment
    monkeypatch.setattr(Template, "_render", saved.template_render)
    monkeypatch.setattr(PartialTemplate, "_render", saved.partial_template_render)


@pytest.mark.django_db
@pytest.mark.usefixtures("_statuses_only", "_signing_in_writes_nothing")
@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "anonymous")
def test_permission_matrix(world, client, username, area):
    """One role x one area of URLs. Each request runs in its own savepoint that is rolled
    back, so no request sees what another one did and the order of tests never matters."""
    if username is not None:
        client.force_login(world.users[username])
    before = _committed_fingerprint()
    failures = []
    checked = 0
    for name, spec in SPECS.items():
        if _area(name) != area:
            continue
        case_keys = (
            CASE_KEYS if spec.kind.startswith("case_") and spec.kind != "case_work" else [None]
        )
        for case_key in case_keys:
            url = _url(world, name, case_key)
            cookies = SimpleCookie(client.cookies)
            with transaction.atomic():
                response = _request(client, spec, url, name)
                transaction.set_rollback(True)
            # The session as it was before the request (a logout's deletion was rolled back).
            client.cookies = cookies
            expected = _expected(username, spec, case_key)
            checked += 1
            if response.status_code != expected:
                failures.append(
                    f"{username} {spec.method.upper()} {name} [{case_key}]: "
                    f"{response.status_code}, expected {expected}"
                )
            if expected == 302 and username is None and spec.kind != "public":
                assert response["Location"].startswith(reverse("login"))
    assert not failures, "\n".join(failures)
    assert checked > 0
    assert _fingerprint() == before, "a matrix request changed a shared row"


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(world, client):
    from .factories import PASSWORD

    assert not client.login(
        request=HttpRequest(), username="inactive_director_city_a", password=PASSWORD
    )
    response = client.get(reverse("cases:detail", kwargs={"pk": world.cases["city_a"].pk}))
    assert response.status_code == 302
