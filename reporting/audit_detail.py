"""An audit row's detail in the reader's language.

``AuditEvent.detail`` is JSON written once and never changed: short English keys and stored
codes (a share's ground, a verdict, a factor change), ids, dates. The trail shows it as
labelled parts ("Organisatie: 12; Grond: toestemming"): each key has its label here and each
coded value the label of its choice list, looked up when shown, so the stored row stays as
written. A key this module does not know is shown as stored rather than hidden;
``tests/test_audit_detail.py`` collects every key the code base writes and fails on one
without a label.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.models import AuditAction
from access.parts import ShareScope
from access.purposes import purpose_label
from cases.models import BreakGlassVerdict, ShareEndReason, ShareGround
from consultations.models import AccessEndReason, Consent, SecrecyMethod

LABELS: dict[str, Promise] = {
    # what a row is about
    "ids": _("rows shown"),
    "filters": _("filters"),
    "case_id": _("case id"),
    "user": _("user"),
    "account": _("account concerned"),
    "username": _("username"),
    "organisation": _("organisation"),
    "organisation_id": _("organisation"),
    "other_case": _("other case"),
    "other_organisation": _("other organisation"),
    "recipient": _("recipient"),
    "actions": _("rights"),
    "action": _("action"),
    "object_type": _("object type"),
    "date_from": _("from"),
    "date_to": _("until"),
    # sharing, ownership, emergency access
    "share": _("share"),
    "ground": _("ground"),
    "scope": _("scope"),
    "reason": _("reason"),
    "ends_on": _("ends on"),
    "ends_at": _("ends at"),
    "ownership_change": _("change of owner"),
    "from": _("from"),
    "to": _("to"),
    "break_glass": _("emergency access"),
    "verdict": _("verdict"),
    # consultations
    "consultation": _("consultation"),
    "agenda_item": _("agenda item"),
    "agenda_items": _("agenda items"),
    "cases": _("cases"),
    "participant_user": _("participant"),
    "participant": _("participant"),
    "participants": _("participants"),
    "representative": _("for a representative"),
    "method": _("confirmed how"),
    "shared_by": _("shared by"),
    "legal_basis": _("legal basis"),
    "consent": _("consent"),
    # registrations by partners
    "registration": _("registration"),
    # documents, reports, figures
    "version": _("version"),
    "run": _("report run"),
    "year": _("year"),
    "checksum": _("checksum"),
    "period": _("period"),
    "start": _("start"),
    "end": _("end"),
    "format": _("format"),
    "table": _("table"),
    # accounts, logins, second factor
    "source": _("source address"),
    "failures": _("failed attempts"),
    "locked_out": _("locked out"),
    "pending": _("pending"),
    "added": _("added"),
    "old": _("before"),
    "new": _("after"),
    "change": _("change made"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "email": _("e-mail address"),
    "is_active": _("active"),
    "is_staff": _("staff status"),
    "is_superuser": _("superuser status"),
    "password": _("password"),
    "usable_password": _("password usable"),
    "roles": _("roles"),
    "groups": _("groups"),
}

# The second factor's changes, stored as codes by ``access.second_factor.devices``.
FACTOR_CHANGES = {
    "totp_enrolled": _("authenticator app set up"),
    "recovery_codes_regenerated": _("new recovery codes"),
    "removed": _("second factor removed"),
}


def _choices(*lists: type[models.Choices]) -> Callable[[Any], str]:
    """The label of the first choice list that knows the code; else a catalogue code
    (``purpose_label``) or the value as stored."""

    def label(value: Any) -> str:
        for choices in lists:
            if str(value) in choices.values:
                return str(choices(value).label)
        return purpose_label(str(value))

    return label


def _mapping(labels: Mapping[str, Promise]) -> Callable[[Any], str]:
    return lambda value: str(labels.get(str(value), value))


def _rights(value: Any) -> str:
    rights = {"view": _("may view"), "change": _("may change")}
    return str(rights.get(str(value), value))


CODED: dict[str, Callable[[Any], str]] = {
    "ground": _choices(ShareGround),
    "scope": _choices(ShareScope),
    # A share ended (cases) or a consultation access granted or ended (consultations).
    "reason": _choices(ShareEndReason, AccessEndReason),
    "verdict": _choices(BreakGlassVerdict),
    "consent": _choices(Consent),
    "method": _choices(SecrecyMethod),
    "action": _choices(AuditAction),
    "change": _mapping(FACTOR_CHANGES),
    "actions": _rights,
}


@dataclass(frozen=True)
class DetailPart:
    label: str
    value: str


def label_of(key: str) -> str:
    label = LABELS.get(key)
    return str(label) if label is not None else key


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(_value(key, item) for item in value) or "—"
    if isinstance(value, dict):
        if value.keys() == {"old", "new"}:  # a change of one field of an account
            return f"{_value(key, value['old'])} → {_value(key, value['new'])}"
        if "name" in value and value.keys() <= {"id", "name"}:  # an organisation, by name
            return str(value["name"]) or str(value.get("id", "—"))
        return "; ".join(f"{part.label}: {part.value}" for part in detail_parts(value))
    if key in CODED:
        return CODED[key](value)
    return str(value)


def detail_parts(detail: Mapping[str, Any] | None) -> list[DetailPart]:
    """The stored detail as labelled parts, in the order the keys were written."""
    return [DetailPart(label_of(key), _value(key, value)) for key, value in (detail or {}).items()]
