"""The legal bases (protocol or reasoned authorisation) consultations are held under."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.history import attribute
from common.versioning import locked_for_update
from partners.models import Organisation

from ..models import LegalBasis, LegalBasisKind


def _check_dates(dated_on: datetime.date, valid_until: datetime.date | None) -> None:
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
) -> LegalBasis:
    organisations = list(allowed_organisations)
    if not organisations:
        raise ValidationError(
            {"allowed_organisations": _("Name the organisations that may take part.")}
        )
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
        created_by=by,
    )
    attribute(basis, by)
    basis.save()
    basis.allowed_organisations.set(organisations)
    return basis


@transaction.atomic
def legal_basis_update(
    *,
    legal_basis: LegalBasis,
    by: User,
    version: int | None,
    allowed_organisations: Iterable[Organisation] | None = None,
    **fields: Any,
) -> LegalBasis:
    basis = locked_for_update(legal_basis, version)
    allowed = set(fields)
    editable = {
        "kind",
        "reference",
        "dated_on",
        "valid_until",
        "purpose",
        "arrangements",
        "is_active",
    }
    if allowed - editable:
        raise TypeError(f"not editable: {sorted(allowed - editable)}")
    for name, value in fields.items():
        setattr(basis, name, value.strip() if name == "reference" else value)
    _check_dates(basis.dated_on, basis.valid_until)
    _check_reference(basis.reference, exclude_pk=basis.pk)
    organisations = list(allowed_organisations) if allowed_organisations is not None else None
    if organisations is not None and not organisations:
        raise ValidationError(
            {"allowed_organisations": _("Name the organisations that may take part.")}
        )
    basis.version += 1
    attribute(basis, by)
    basis.save()
    if organisations is not None:
        basis.allowed_organisations.set(organisations)
    return basis


@transaction.atomic
def legal_basis_deactivate(*, legal_basis: LegalBasis, by: User) -> LegalBasis:
    """No new consultation can use it; consultations held under it keep it."""
    basis = locked_for_update(legal_basis, None)
    if basis.is_active:
        basis.is_active = False
        basis.version += 1
        attribute(basis, by)
        basis.save()
    return basis


def valid_legal_bases(on: datetime.date) -> Any:
    """Active bases valid on ``on``: the only ones a consultation can be planned under."""
    from django.db.models import Q

    return LegalBasis.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on), is_active=True, dated_on__lte=on
    )
