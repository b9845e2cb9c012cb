"""The funding chapter: amounts, staffing and each municipality's share."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from reporting.funding import RULE, split_for_year
from reporting.models import Funder, FundingYear, StaffRole

from .base import Column, Table, Value
from .common import label_column


def funding_tables(year: int) -> list[Table]:
    """Empty when nothing was entered for ``year``. Missing inhabitants raise a
    ``ValidationError``: the report then fails with that message instead of a wrong split."""
    funding = FundingYear.objects.filter(year=year).prefetch_related("staffing_lines").first()
    if funding is None:
        return []
    amounts = Table(
        key="funding_amounts",
        title=_("Funding"),
        columns=(label_column("funder", _("Funder")), Column("amount", _("Amount (EUR)"))),
        rows=[
            [_("Flemish government"), funding.flemish_amount],
            [_("Local governments together"), funding.local_amount],
            [_("Total"), funding.flemish_amount + funding.local_amount],
        ],
        row_keys=["flemish", "local", "total"],
    )
    fte: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in funding.staffing_lines.all():
        fte[(line.funder, line.role)] += line.fte
    staffing_rows: list[list[Value]] = []
    staffing_keys: list[str] = []
    for funder, funder_label in Funder.choices:
        for role, role_label in StaffRole.choices:
            if (funder, role) in fte:
                staffing_rows.append([str(funder_label), str(role_label), fte[(funder, role)]])
                staffing_keys.append(f"{funder}:{role}")
    staffing_rows.append([_("Total"), "", sum(fte.values(), Decimal("0.00"))])
    staffing_keys.append("total")
    staffing = Table(
        key="funding_staffing",
        title=_("Staffing (FTE) per funder and role"),
        columns=(
            label_column("funder", _("Funder")),
            label_column("role", _("Role")),
            Column("fte", _("FTE")),
        ),
        rows=staffing_rows,
        row_keys=staffing_keys,
    )
    shares = split_for_year(year, funding.local_amount)
    split_rows: list[list[Value]] = [
        [share.municipality.name, share.inhabitants, share.amount] for share in shares
    ]
    split_rows.append(
        [
            _("Total"),
            sum(share.inhabitants for share in shares),
            sum((share.amount for share in shares), Decimal("0.00")),
        ]
    )
    split = Table(
        key="funding_split",
        title=_("Contribution of each municipality"),
        columns=(
            label_column("municipality", _("Municipality")),
            Column("inhabitants", _("Inhabitants")),
            Column("amount", _("Contribution (EUR)")),
        ),
        rows=split_rows,
        row_keys=[*(f"municipality:{share.municipality.name}" for share in shares), "total"],
        note=_(RULE),
    )
    return [amounts, staffing, split]
