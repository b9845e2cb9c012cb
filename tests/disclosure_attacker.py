"""An attacker of the published figures, written apart from the protection it tests
(``reporting.figures.disclosure`` is not imported here, nor the tables' declared relations).

It reads published tables as shown (strings), knows what the legend says ("< 5" is 1 to 4,
"x" is never 0), and knows the structure anyone can see: totals add up, a police zone is
its municipalities, a year is its quarters and months, a quarter its months, and some cells
of different tables are the same number. From that it derives every value it can: exact
elimination over the hidden cells (differencing, and any combination of relations), then
interval reasoning, again and again until nothing changes.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

SMALL, HIDDEN = "< 5", "x"
INF = float("inf")

# A published cell: (period code, table key, row key, column key).
type Ref = tuple[str, str, str, str]


@dataclass
class Published:
    """Every published table: (period code, table key) -> (row keys, column keys, shown)."""

    tables: dict[tuple[str, str], tuple[list[str], list[str], list[list[str]]]] = field(
        default_factory=dict
    )

    def add(self, period: str, key: str, rows: Sequence[str], columns: Sequence[str], shown):
        found = (list(rows), list(columns), [list(row) for row in shown])
        previous = self.tables.setdefault((period, key), found)
        # One table, published twice (dashboard and annual report): the same cells.
        assert previous == found, (period, key)

    def cell(self, ref: Ref) -> str | None:
        """The shown text; "0" for a row a table does not list (a known zero); None when
        there is no such table or column."""
        period, key, row, column = ref
        if (period, key) not in self.tables:
            return None
        rows, columns, shown = self.tables[(period, key)]
        if column not in columns:
            return None
        if row not in rows:
            return "0"
        return shown[rows.index(row)][columns.index(column)]

    def rows(self, period: str, key: str) -> list[str]:
        return self.tables.get((period, key), ([], [], []))[0]


def number(text: str) -> int | None:
    """A shown count in Dutch ("1.234") as an int; None for a marker or anything else."""
    plain = text.replace(".", "")
    return int(plain) if plain.isdigit() else None


@dataclass
class Equation:
    """sum(coefficient * cell) == 0."""

    terms: list[tuple[Ref, int]]


class Attacker:
    def __init__(self, published: Published) -> None:
        self.published = published
        self.equations: list[Equation] = []
        self.known: dict[Ref, int] = {}
        self.low: dict[Ref, float] = {}
        self.high: dict[Ref, float] = {}
        self.hidden: set[Ref] = set()

    # --- what the attacker knows about the structure ---

    def sum_of(self, total: Ref, parts: Iterable[Ref]) -> None:
        refs = [total, *parts]
        texts = [self.published.cell(ref) for ref in refs]
        if any(text is None for text in texts):
            return
        self.equations.append(Equation([(total, -1), *((part, 1) for part in refs[1:])]))
        for ref, text in zip(refs, texts, strict=True):
            assert text is not None
            self._learn(ref, text)

    def _learn(self, ref: Ref, text: str) -> None:
        if ref in self.low:
            return
        value = number(text)
        if value is not None:
            self.known[ref] = value
            self.low[ref] = self.high[ref] = value
        elif text == SMALL:
            self.hidden.add(ref)
            self.low[ref], self.high[ref] = 1, 4
        elif text == HIDDEN:
            self.hidden.add(ref)
            self.low[ref], self.high[ref] = 1, INF
        else:
            raise AssertionError(f"not a count: {ref} {text!r}")

    def columns_add_up(self, period: str, key: str, columns: Sequence[str]) -> None:
        """The "total" row of each column is the sum of the other rows."""
        rows = [row for row in self.published.rows(period, key) if row != "total"]
        for column in columns:
            self.sum_of(
                (period, key, "total", column), [(period, key, row, column) for row in rows]
            )

    def rows_add_up(self, period: str, key: str, columns: Sequence[str]) -> None:
        """The "total" column of each row is the sum of the other columns."""
        for row in self.published.rows(period, key):
            self.sum_of((period, key, row, "total"), [(period, key, row, c) for c in columns])

    def over_time(self, whole: str, parts: Sequence[str], key: str, columns: Sequence[str]):
        rows = set(self.published.rows(whole, key))
        for part in parts:
            rows |= set(self.published.rows(part, key))
        for column in columns:
            for row in sorted(rows):
                self.sum_of((whole, key, row, column), [(part, key, row, column) for part in parts])

    # --- what the attacker derives ---

    def _eliminate(self) -> set[Ref]:
        """Hidden cells the equations give exactly, with what is known as constants."""
        unknown = self.hidden - set(self.known)
        pivots: dict[Ref, tuple[dict[Ref, Fraction], Fraction]] = {}
        for equation in self.equations:
            row: dict[Ref, Fraction] = defaultdict(Fraction)
            constant = Fraction(0)
            for ref, coefficient in equation.terms:
                if ref in unknown:
                    row[ref] += coefficient
                else:
                    constant -= coefficient * self.known[ref]
            row = {ref: value for ref, value in row.items() if value}
            for pivot, (pivot_row, pivot_constant) in pivots.items():
                factor = row.get(pivot)
                if factor:
                    for ref, value in pivot_row.items():
                        row[ref] = row.get(ref, Fraction(0)) - factor * value
                        if not row[ref]:
                            del row[ref]
                    constant -= factor * pivot_constant
            if not row:
                continue
            pivot = min(row)
            scale = row[pivot]
            row = {ref: value / scale for ref, value in row.items()}
            constant /= scale
            for other, (other_row, other_constant) in list(pivots.items()):
                factor = other_row.get(pivot)
                if factor:
                    for ref, value in row.items():
                        other_row[ref] = other_row.get(ref, Fraction(0)) - factor * value
                        if not other_row[ref]:
                            del other_row[ref]
                    pivots[other] = (other_row, other_constant - factor * constant)
            pivots[pivot] = (row, constant)
        solved = set()
        for pivot, (row, constant) in pivots.items():
            if len(row) == 1:
                assert constant.denominator == 1
                self.known[pivot] = int(constant)
                self.low[pivot] = self.high[pivot] = int(constant)
                solved.add(pivot)
        return solved

    def _bound(self) -> set[Ref]:
        """Tighten every interval through every equation until nothing changes."""
        changed = True
        while changed:
            changed = False
            for equation in self.equations:
                for index, (ref, coefficient) in enumerate(equation.terms):
                    low = high = 0.0
                    for position, (other, c) in enumerate(equation.terms):
                        if position == index:
                            continue
                        # c * other, as an interval; the ref's term is minus their sum.
                        lo, hi = self.low[other], self.high[other]
                        term = (c * lo, c * hi) if c > 0 else (c * hi, c * lo)
                        low += term[0]
                        high += term[1]
                    # coefficient * ref = -(sum of the others)
                    new_low, new_high = (-high, -low) if coefficient > 0 else (low, high)
                    if new_low > self.low[ref]:
                        self.low[ref] = new_low
                        changed = True
                    if new_high < self.high[ref]:
                        self.high[ref] = new_high
                        changed = True
        solved = set()
        for ref in self.hidden - set(self.known):
            if self.low[ref] == self.high[ref]:
                self.known[ref] = int(self.low[ref])
                solved.add(ref)
        return solved

    def recovered(self) -> dict[Ref, int]:
        """Every hidden cell whose value the attacker pins to one number."""
        while self._eliminate() | self._bound():
            pass
        return {ref: self.known[ref] for ref in self.hidden if ref in self.known}


def zone_relations(attacker: Attacker, period: str, zones: Mapping[str, Sequence[str]]) -> None:
    """A police zone is the sum of its municipalities (published in the two place tables)."""
    for zone, municipalities in zones.items():
        attacker.sum_of(
            (period, "cases_by_police_zone", f"zone:{zone}", "cases"),
            [
                (period, "cases_by_municipality", f"municipality:{m}", "cases")
                for m in municipalities
            ],
        )
    for row in ("unknown", "total"):
        attacker.sum_of(
            (period, "cases_by_police_zone", row, "cases"),
            [(period, "cases_by_municipality", row, "cases")],
        )
