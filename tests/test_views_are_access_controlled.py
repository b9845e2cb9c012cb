"""A view cannot forget access control: every pattern is built on the access-controlled bases."""

from access.views import AccessControlledView

from .urlwalk import walk

# Views that are not built on the access-controlled bases, each with its reason.
EXEMPT = {
    "health": "readiness probe; SELECT 1, a Redis ping and the worker's heartbeat, no data",
    "health_live": "liveness probe; reads nothing",
    "login": "Django's login view; must be reachable without a session",
    "logout": "Django's logout view; ends the session, reads nothing",
    "set_language": "stores the language preference; reads nothing",
    "second_factor:verify": "the login's code step; the user's own devices, no case data",
    "second_factor:enrol": "enrols the user's own TOTP app; no case data",
    "second_factor:security": "the user's own second factor; no case data",
    "second_factor:recovery_codes": "shows the user's own new recovery codes once; no case data",
    "second_factor:new_recovery_codes": "replaces the user's own recovery codes; no case data",
    "accounts:invitation": "the invitation link, for a person without a session; moves the "
    "token into the session",
    "accounts:invitation_set_password": "the person sets their own password through their "
    "invitation; reads nothing else",
}
EXEMPT_PREFIXES = {
    "admin:": "Django admin: model-level permissions only, and no case model is registered "
    "(tests/test_admin.py proves it)",
}


def test_every_view_is_access_controlled():
    offenders = []
    for route in walk():
        if route.name in EXEMPT or any(route.name.startswith(p) for p in EXEMPT_PREFIXES):
            continue
        cls = route.view_class
        if cls is None or not issubclass(cls, AccessControlledView):
            offenders.append(route.name)
    assert not offenders, f"Views not built on access.views bases: {offenders}"


def test_exemptions_are_real_patterns():
    names = {r.name for r in walk()}
    assert set(EXEMPT) <= names
