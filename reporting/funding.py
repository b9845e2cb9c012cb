"""Each municipality's share of the local contribution, pro rata to its inhabitants.

The rule (also printed under the report's table): every municipality's exact share is
``local_amount * inhabitants / total inhabitants``. In euro cents, each share is first
rounded down; the cents that are then still missing from the total are handed out one by
one to the municipalities with the largest remainders of that rounding (the largest
remainder or Hamilton method). Equal remainders go by municipality name, alphabetically.
So the shares always add up exactly to the total, and nobody is more than one cent off
their exact share.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from partners.models import Municipality, MunicipalityPopulation

CENT = Decimal("0.01")

# Printed under the split table of the annual report.
RULE = gettext_noop(
    "Each municipality pays a share of the local contribution in proportion to its "
    "inhabitants on 1 January of the year. In cents, every share is first rounded down; "
    "the cents still missing from the total then go one by one to the municipalities with "
    "the largest remainders (largest remainder method), equal remainders in alphabetical "
    "order of the municipality's name. The shares add up exactly to the total."
)


@dataclass(frozen=True)
class Share:
    municipality: Municipality
    inhabitants: int
    amount: Decimal


def split_cents(total_cents: int, weights: Sequence[tuple[str, int]]) -> list[int]:
    """Split ``total_cents`` over ``(name, weight)`` pairs by the largest remainder method.

    Returns the cents per pair, in the order given; they add up to ``total_cents`` exactly.
    Integer arithmetic only, so no rounding error can creep in.
    """
    if total_cents < 0:
        raise ValueError("total_cents must not be negative")
    if any(weight < 0 for _name, weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weight for _name, weight in weights)
    if not weights or weight_sum == 0:
        if total_cents == 0:
            return [0] * len(weights)
        raise ValueError("cannot split an amount over a total weight of zero")
    floors = []
    remainders = []
    for index, (name, weight) in enumerate(weights):
        quotient, remainder = divmod(total_cents * weight, weight_sum)
        floors.append(quotient)
        remainders.append((-remainder, name, index))
    leftover = total_cents - sum(floors)
    for _remainder, _name, index in sorted(remainders)[:leftover]:
        floors[index] += 1
    return floors


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value())


def municipal_split(
    local_amount: Decimal,
    inhabitants: Mapping[Municipality, int | None],
) -> list[Share]:
    """Each municipality's share of ``local_amount``, ordered by name.

    A municipality without inhabitants for the year is an error, never a silent split
    over the others.
    """
    missing = sorted(m.name for m, count in inhabitants.items() if count is None)
    if missing:
        raise ValidationError(
            _("Enter the inhabitants of every municipality first; missing: %(names)s.")
            % {"names": ", ".join(missing)},
            code="missing_inhabitants",
        )
    ordered = sorted(inhabitants.items(), key=lambda pair: pair[0].name)
    weights = [(m.name, int(count or 0)) for m, count in ordered]
    if not weights:
        raise ValidationError(_("There are no municipalities to split over."), code="none")
    if sum(weight for _name, weight in weights) == 0:
        raise ValidationError(
            _("The municipalities' inhabitants add up to zero."), code="zero_inhabitants"
        )
    cents = split_cents(to_cents(local_amount), weights)
    return [
        Share(municipality=m, inhabitants=int(count or 0), amount=Decimal(c) * CENT)
        for (m, count), c in zip(ordered, cents, strict=True)
    ]


def inhabitants_for_year(year: int) -> dict[Municipality, int | None]:
    """Every municipality with its inhabitants for exactly ``year`` (None when not entered)."""
    counts = dict(
        MunicipalityPopulation.objects.filter(year=year).values_list(
            "municipality_id", "inhabitants"
        )
    )
    return {m: counts.get(m.pk) for m in Municipality.objects.order_by("name")}


def split_for_year(year: int, local_amount: Decimal) -> list[Share]:
    return municipal_split(local_amount, inhabitants_for_year(year))
