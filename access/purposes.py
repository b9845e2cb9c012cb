"""Audit purposes in the reader's language.

``AuditEvent.purpose`` stores a short English code (a view's ``audit_purpose``, a grant's
reason, "out of scope", ...) or text a person wrote (a break-glass reason). The table is
append-only, so the codes stay as stored and are translated when shown: the code itself is the
msgid in ``locale/nl/LC_MESSAGES/django.po``. Anything the catalogue does not hold (free text)
is shown as written. ``tests/test_audit_purposes.py`` collects every code the code base can
store and checks each has its Dutch.
"""

import re

from django.utils.translation import gettext, gettext_noop, trans_real

# Codes built at run time: "<purpose> not permitted" (a denied change of a page).
_NOT_PERMITTED = re.compile(r"(?P<purpose>.+) not permitted")
NOT_PERMITTED = gettext_noop("%(purpose)s not permitted")


def _is_code(text: str) -> bool:
    """A msgid of the active catalogue. Free text is not looked up, so it never counts as an
    untranslated string (``tests/test_no_english.py`` records every lookup that misses)."""
    return bool(text) and text in trans_real.catalog()._catalog  # type: ignore[attr-defined]


def purpose_label(purpose: str) -> str:
    """The stored purpose as the reader should see it: translated code, or free text as is."""
    if _is_code(purpose):
        return gettext(purpose)
    if match := _NOT_PERMITTED.fullmatch(purpose):
        inner = match["purpose"]
        inner_label = purpose_label(inner)
        if inner_label != inner:
            return gettext(NOT_PERMITTED) % {"purpose": inner_label}
    return purpose
