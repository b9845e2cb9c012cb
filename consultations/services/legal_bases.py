"""The legal bases (protocol or reasoned authorisation) consultations are held under.

Who keeps them, who confirms an authorisation and who downloads its signed document is
decided in ``access.policy`` (``may_manage_legal_bases``, ``may_confirm_legal_basis``); the
services check it again, so no other caller (a task, a shell, a future view) goes around it.

* A protocol links to the partner agreement (a 458ter protocol) that holds it.
* A prosecutor's reasoned authorisation names the prosecutor's office that gave it and is
  usable only once that office's prosecutor liaison confirmed it in the application, or a
  signed copy was uploaded. Until then it "awaits confirmation" and no consultation may be
  planned or moved under it, nor may participants or cases be added (see
  ``consultations.services.planning``).
* Widening a confirmed authorisation (more organisations, a longer validity, another purpose,
  reactivating it, ...) ends its confirmation and its document's backing: what the parket
  confirmed is not what it would now allow. Narrowing it (fewer organisations, a shorter
  validity, deactivating) keeps them.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.policy import may_confirm_legal_basis, may_manage_legal_bases
from accounts.models import User
from common.dates import DateKind, check_dates
from common.history import attribute
from common.uploads import check_upload
from common.versioning import locked_for_update
from partners.models import Agreement, AgreementKind, Organisation

from ..models import USABLE, LegalBasis, LegalBasisKind

# What the parket's confirmation (or the signed document) vouches for.
_CONFIRMED_TEXT = ("kind", "reference", "purpose", "arrangements", "issuing_office_id")


def _check_manager(by: User) -> None:
    if not may_manage_legal_bases(by):
        raise PermissionDenied(_("Only the operations lead manages the legal bases."))


def _check_dates(dated_on: datetime.date, valid_until: datetime.date | None) -> None:
    check_dates(
        {
            "dated_on": (dated_on, DateKind.HAPPENED),
            "valid_until": (valid_until, DateKind.VALIDITY),
        }
    )
    if valid_until is not None and valid_until < dated_on:
        raise ValidationError(
            {"valid_until": _("The end of validity cannot be before the date of the basis.")}
        )


def _check_reference(reference: str, exclude_pk: int | None = None) -> None:
    others = LegalBasis.objects.filter(reference__iexact=reference.strip())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"reference": _("A legal basis with this reference already exists.")})


def _check_kind(basis: LegalBasis) -> None:
    """A protocol names its partner agreement; an authorisation its prosecutor's office."""
    if basis.kind == LegalBasisKind.PROTOCOL:
        agreement: Agreement | None = basis.agreement
        if agreement is None:
            raise ValidationError(
                {"agreement": _("Link the partner agreement that holds the protocol.")}
            )
        if agreement.kind != AgreementKind.PROTOCOL_458TER:
            raise ValidationError({"agreement": _("This agreement is not a 458ter protocol.")})
        basis.issuing_office = None
        return
    office: Organisation | None = basis.issuing_office
    if office is None or not office.is_prosecutors_office:
        raise ValidationError(
            {
                "issuing_office": _(
                    "Name the prosecutor's office that gave the reasoned authorisation."
                )
            }
        )


def _check_organisations(organisations: list[Organisation] | None) -> None:
    if organisations is not None and not organisations:
        raise ValidationError(
            {"allowed_organisations": _("Name the organisations that may take part.")}
        )


@transaction.atomic
def legal_basis_create(
    *,
    by: User,
    kind: LegalBasisKind | str,
    reference: str,
    dated_on: datetime.date,
    purpose: str,
    allowed_organisations: Iterable[Organisation],
    valid_until: datetime.date | None = None,
    arrangements: str = "",
    is_active: bool = True,
    agreement: Agreement | None = None,
    issuing_office: Organisation | None = None,
    signed_document: Any = None,
) -> LegalBasis:
    _check_manager(by)
    organisations = list(allowed_organisations)
    _check_organisations(organisations)
    _check_dates(dated_on, valid_until)
    _check_reference(reference)
    basis = LegalBasis(
        kind=kind,
        reference=reference.strip(),
        dated_on=dated_on,
        valid_until=valid_until,
        purpose=purpose,
        arrangements=arrangements,
        is_active=is_active,
        agreement=agreement,
        issuing_office=issuing_office,
        created_by=by,
    )
    _check_kind(basis)
    if signed_document:
        check_upload(signed_document, field="signed_document")
        basis.signed_document = signed_document
    attribute(basis, by)
    basis.save()
    basis.allowed_organisations.set(organisations)
    return basis


def _widens(
    before: LegalBasis,
    after: LegalBasis,
    old_organisations: set[int],
    new_organisations: set[int] | None,
) -> bool:
    """Whether ``after`` allows anything ``before`` did not (or says something else)."""
    if any(getattr(before, name) != getattr(after, name) for name in _CONFIRMED_TEXT):
        return True
    if after.dated_on < before.dated_on:
        return True
    if before.valid_until is not None and (
        after.valid_until is None or after.valid_until > before.valid_until
    ):
        return True
    if after.is_active and not before.is_active:
        return True
    return new_organisations is not None and bool(new_organisations - old_organisations)


@transaction.atomic
def legal_basis_update(
    *,
    legal_basis: LegalBasis,
    by: User,
    version: int | None,
    allowed_organisations: Iterable[Organisation] | None = None,
    signed_document: Any = None,
    **fields: Any,
) -> LegalBasis:
    """``signed_document``: None keeps the stored one, False removes it, a file replaces it."""
    _check_manager(by)
    basis = locked_for_update(legal_basis, version)
    before = LegalBasis.objects.get(pk=basis.pk)
    allowed = set(fields)
    editable = {
        "kind",
        "reference",
        "dated_on",
        "valid_until",
        "purpose",
        "arrangements",
        "is_active",
        "agreement",
        "issuing_office",
    }
    if allowed - editable:
        raise TypeError(f"not editable: {sorted(allowed - editable)}")
    for name, value in fields.items():
        setattr(basis, name, value.strip() if name == "reference" else value)
    _check_dates(basis.dated_on, basis.valid_until)
    _check_reference(basis.reference, exclude_pk=basis.pk)
    _check_kind(basis)
    organisations = list(allowed_organisations) if allowed_organisations is not None else None
    _check_organisations(organisations)
    old_organisations = set(basis.allowed_organisations.values_list("pk", flat=True))
    new_organisations = {o.pk for o in organisations} if organisations is not None else None
    if _widens(before, basis, old_organisations, new_organisations):
        # The parket vouched for what it was, not for what it now allows.
        basis.confirmed_at = None
        basis.confirmed_by = None
        basis.signed_document = ""  # type: ignore[assignment]
    if signed_document is False:
        basis.signed_document = ""  # type: ignore[assignment]
    elif signed_document:
        check_upload(signed_document, field="signed_document")
        basis.signed_document = signed_document
    if not basis.is_authorisation:
        basis.confirmed_at = None
        basis.confirmed_by = None
    basis.version += 1
    attribute(basis, by)
    basis.save()
    if organisations is not None:
        basis.allowed_organisations.set(organisations)
    return basis


@transaction.atomic
def legal_basis_deactivate(*, legal_basis: LegalBasis, by: User) -> LegalBasis:
    """No new consultation can use it; consultations held under it keep it."""
    _check_manager(by)
    basis = locked_for_update(legal_basis, None)
    if basis.is_active:
        basis.is_active = False
        basis.version += 1
        attribute(basis, by)
        basis.save()
    return basis


@transaction.atomic
def legal_basis_confirm(*, legal_basis: LegalBasis, by: User, request: Any = None) -> LegalBasis:
    """The parket confirms its reasoned authorisation: from then on consultations may use it.

    Only a prosecutor liaison of the office that gave it (``may_confirm_legal_basis``);
    confirming it again changes nothing. The audit trail records who confirmed it.
    """
    basis = locked_for_update(legal_basis, None)
    if not basis.is_authorisation:
        raise ValidationError(_("Only a reasoned authorisation is confirmed by the parket."))
    if not may_confirm_legal_basis(by, basis):
        raise PermissionDenied(
            _("Only a prosecutor liaison of the office that gave it confirms an authorisation.")
        )
    if basis.is_confirmed:
        return basis
    basis.confirmed_at = timezone.now()
    basis.confirmed_by = by
    basis.version += 1
    attribute(basis, by)
    basis.save()
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=basis,
        request=request,
        purpose="legal basis confirmed by the parket",
    )
    return basis


def valid_legal_bases(on: datetime.date) -> QuerySet[LegalBasis]:
    """Active bases valid on ``on`` that a consultation may use (an authorisation only once
    the parket confirmed it or a signed document backs it): the only ones a consultation can
    be planned under."""
    return LegalBasis.objects.filter(
        USABLE,
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        is_active=True,
        dated_on__lte=on,
    )


def check_usable(legal_basis: LegalBasis, *, field: str = "legal_basis") -> None:
    """Refuse an authorisation that awaits the parket's confirmation (or a signed document).

    Read from the database: the caller's copy may be older than a confirmation or a widening.
    """
    if LegalBasis.objects.get(pk=legal_basis.pk).awaits_confirmation:
        raise ValidationError(
            {
                field: _(
                    "This reasoned authorisation of the public prosecutor has not been confirmed "
                    "by the parket and no signed copy was uploaded: it cannot be used for a "
                    "consultation yet."
                )
            }
        )
