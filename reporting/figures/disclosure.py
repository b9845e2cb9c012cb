"""Secondary (complementary) suppression: which further cells to hide so that no hidden
count can be worked out from what is shown (docs/disclosure-control.md).

The attacker this protects against knows every shown value, that "< 5" means 1 to 4, that
"x" is never a zero (usually 5 or more, see ``base.COMPLEMENTARY``), and every relation
the tables declare (``base.Relation``), those between a period and its parts
(``TimeSplit``: a year is its quarters and its months) and the cells that several tables
show of one quantity. From that the attacker narrows every hidden cell to an interval, by
propagating the bounds through every relation until nothing changes (which subsumes
differencing: a relation with one hidden cell gives it exactly).

The protection plays that attacker. While some hidden cell is narrowed to one number, it
hides one more cell for it: in a relation through that cell (those with the fewest hidden
cells first), the smallest non-zero count still shown (a part before the total on a tie);
when none is left, a "< 5" of those relations is shown as "x" instead, so that its upper
bound no longer pins the others. Each round hides one more cell or widens one, so it ends;
it is deterministic, so the same figures give the same pattern in every output.

Its limits (docs/disclosure-control.md): bounds propagation with exact elimination is not a
full integer programme, so in theory a solver combining many relations at once could narrow
a cell further than the interval found here.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from .base import SMALL_COUNT_THRESHOLD, Cell, Table
from .period import Period

logger = logging.getLogger(__name__)

INFINITY = float("inf")
# A cell: (period index, table index, row index, column index).
type Key = tuple[int, int, int, int]
# Safety stop for pathological inputs; real tables need a handful of rounds.
MAX_ROUNDS = 500
# A row a table does not list: its count is a known zero.
ZERO = "zero"


@dataclass(frozen=True)
class TimeSplit:
    """``whole`` is exactly the union of ``parts`` (disjoint calendar periods)."""

    whole: Period
    parts: tuple[Period, ...]


@dataclass(frozen=True)
class Same:
    """Cells of different tables (of one period) that show one and the same quantity,
    as (table key, row key, column key); or, with ``parts``, a sum of them."""

    total: tuple[str, str, str]
    parts: tuple[tuple[str, str, str], ...]


@dataclass
class _Line:
    """sum(sign * value) == 0 over ``terms``; ``total`` is the cell on the left side."""

    terms: list[tuple[Key, int]]
    total: Key | None


class _Problem:
    def __init__(self, groups: Sequence[Sequence[Table]]) -> None:
        self.groups = groups
        self.values: dict[Key, int] = {}
        for p, tables in enumerate(groups):
            for t, table in enumerate(tables):
                for j, column in enumerate(table.columns):
                    if not column.suppress_small:
                        continue
                    for i, row in enumerate(table.rows):
                        value = row[j]
                        if isinstance(value, int) and not isinstance(value, bool):
                            self.values[(p, t, i, j)] = value
        self.lines: list[_Line] = []
        self.dropped = 0

    def locate(self, p: int, table_key: str, row: str, column: str) -> Key | str | None:
        """The cell; ``ZERO`` when its table lists no such row (a known zero); None when
        there is no such table or count column (the relation does not apply)."""
        for t, table in enumerate(self.groups[p]):
            if table.key != table_key:
                continue
            columns = [c.key for c in table.columns]
            if column not in columns:
                return None
            if row not in table.row_keys:
                return ZERO
            key = (p, t, list(table.row_keys).index(row), columns.index(column))
            return key if key in self.values else None
        return None

    def add(self, total: Key | str | None, parts: Sequence[Key | str | None]) -> None:
        if total is None or any(part is None for part in parts):
            return
        terms: list[tuple[Key, int]] = []
        if isinstance(total, tuple):
            terms.append((total, -1))
        terms.extend((part, 1) for part in parts if isinstance(part, tuple))
        if not terms:
            return
        if sum(self.values[key] * sign for key, sign in terms) != 0:
            # A declaration that the data do not obey (or rows changed between two
            # queries): it cannot be relied on either way, so it is left out and logged.
            self.dropped += 1
            logger.warning("figures relation does not hold, left out: %s", terms)
            return
        self.lines.append(_Line(terms, total if isinstance(total, tuple) else None))


def _declared(problem: _Problem) -> None:
    for p, tables in enumerate(problem.groups):
        for table in tables:
            for relation in table.relations:

                def at(cell: Cell, own: str = table.key, p: int = p) -> Key | str | None:
                    return problem.locate(p, cell.table or own, cell.row, cell.column)

                problem.add(at(relation.total), [at(part) for part in relation.parts])


def _same(problem: _Problem, same: Sequence[Same]) -> None:
    for p in range(len(problem.groups)):
        for item in same:
            problem.add(
                problem.locate(p, *item.total), [problem.locate(p, *part) for part in item.parts]
            )


def _over_time(problem: _Problem, periods: Sequence[Period], splits: Sequence[TimeSplit]) -> None:
    index = {period: p for p, period in enumerate(periods)}
    for split in splits:
        if split.whole not in index or any(part not in index for part in split.parts):
            continue
        whole = index[split.whole]
        parts = [index[part] for part in split.parts]
        for table in problem.groups[whole]:
            columns = [c.key for c in table.columns if c.suppress_small and c.adds_up_over_time]
            rows = set(table.row_keys)
            for p in parts:
                rows |= {
                    key
                    for other in problem.groups[p]
                    if other.key == table.key
                    for key in other.row_keys
                }
            for column in columns:
                for row in sorted(rows):
                    problem.add(
                        problem.locate(whole, table.key, row, column),
                        [problem.locate(p, table.key, row, column) for p in parts],
                    )


class _Bounds:
    """The attacker's interval for every cell, propagated through the lines."""

    def __init__(self, problem: _Problem, hidden: set[Key], small: set[Key]) -> None:
        self.low: dict[Key, float] = {}
        self.high: dict[Key, float] = {}
        for key, value in problem.values.items():
            if key not in hidden:
                self.low[key] = self.high[key] = value
            elif key in small:
                # "< 5": 1 to 4.
                self.low[key], self.high[key] = 1, SMALL_COUNT_THRESHOLD - 1
            else:
                # "x": never a zero, any number from 1 up (a complement, or a small count
                # whose "< 5" would itself give it away).
                self.low[key], self.high[key] = 1, INFINITY
        self.lines = problem.lines
        self.by_cell: dict[Key, list[int]] = defaultdict(list)
        for number, line in enumerate(self.lines):
            for key, _sign in line.terms:
                self.by_cell[key].append(number)

    def _term(self, key: Key, sign: int) -> tuple[float, float]:
        if sign > 0:
            return self.low[key], self.high[key]
        return -self.high[key], -self.low[key]

    def propagate(self) -> None:
        pending = list(range(len(self.lines)))
        queued = set(pending)
        steps = 0
        while pending and steps < 200_000:
            number = pending.pop()
            queued.discard(number)
            steps += 1
            terms = self.lines[number].terms
            bounds = [self._term(key, sign) for key, sign in terms]
            low_sum = sum(b[0] for b in bounds if b[0] != -INFINITY)
            low_inf = sum(1 for b in bounds if b[0] == -INFINITY)
            high_sum = sum(b[1] for b in bounds if b[1] != INFINITY)
            high_inf = sum(1 for b in bounds if b[1] == INFINITY)
            for (key, sign), (t_low, t_high) in zip(terms, bounds, strict=True):
                # This term equals minus the sum of the others.
                others_high_inf = high_inf - (t_high == INFINITY)
                others_low_inf = low_inf - (t_low == -INFINITY)
                others_high = high_sum - (t_high if t_high != INFINITY else 0)
                others_low = low_sum - (t_low if t_low != -INFINITY else 0)
                new_low = -others_high if not others_high_inf else -INFINITY
                new_high = -others_low if not others_low_inf else INFINITY
                low, high = (new_low, new_high) if sign > 0 else (-new_high, -new_low)
                changed = False
                if low > self.low[key]:
                    self.low[key] = low
                    changed = True
                if high < self.high[key]:
                    self.high[key] = high
                    changed = True
                if changed:
                    for other in self.by_cell[key]:
                        if other not in queued:
                            queued.add(other)
                            pending.append(other)

    def exact(self, key: Key) -> bool:
        return self.low[key] == self.high[key]


def _solved_by_elimination(problem: _Problem, hidden: set[Key]) -> set[Key]:
    """Hidden cells the relations give exactly, whatever the bounds: Gaussian elimination
    over the hidden cells, with the shown ones moved to the right-hand side."""
    rows: list[dict[Key, Fraction]] = []
    for line in problem.lines:
        row = {key: Fraction(sign) for key, sign in line.terms if key in hidden}
        if row:
            rows.append(row)
    pivots: dict[Key, dict[Key, Fraction]] = {}
    for row in rows:
        for pivot, pivot_row in pivots.items():
            factor = row.get(pivot)
            if factor:
                for key, value in pivot_row.items():
                    row[key] = row.get(key, Fraction(0)) - factor * value
                    if not row[key]:
                        del row[key]
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {key: value / scale for key, value in row.items()}
        for other in pivots.values():
            factor = other.get(pivot)
            if factor:
                for key, value in row.items():
                    other[key] = other.get(key, Fraction(0)) - factor * value
                    if not other[key]:
                        del other[key]
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def _exposed(problem: _Problem, hidden: set[Key], small: set[Key]) -> list[Key]:
    """Hidden cells the attacker pins to one number: by bounds first (cheap, and it finds
    differencing and the "two < 5 adding up to 2" cases); only when that finds nothing, by
    exact elimination (which finds combinations of relations bounds cannot)."""
    bounds = _Bounds(problem, hidden, small)
    bounds.propagate()
    exposed = sorted(key for key in hidden if bounds.exact(key))
    return exposed or sorted(_solved_by_elimination(problem, hidden))


def _complement_for(problem: _Problem, key: Key, hidden: set[Key], small: set[Key]) -> Key | None:
    """The cell to hide next for ``key``: in the relations through it, fewest hidden cells
    first, the smallest non-zero count still shown, a part before the total. When none
    is left, a "< 5" whose upper bound pins it is shown as "x" instead (the line's total
    first, then ``key`` itself): e.g. three months of "< 5" in a quarter of "< 5" give
    the quarter at least 3, so the quarter cannot also say "at most 4"."""
    best: tuple[tuple[int, int, int, Key], Key] | None = None
    fallback: tuple[tuple[int, int, int, Key], Key] | None = None
    for line in problem.lines:
        cells = [cell for cell, _sign in line.terms]
        if key not in cells:
            continue
        hidden_here = sum(1 for cell in cells if cell in hidden)
        for cell in cells:
            value = problem.values[cell]
            if cell in small:
                rank = (int(cell != line.total), int(cell != key), value, cell)
                if fallback is None or rank < fallback[0]:
                    fallback = (rank, cell)
            if cell in hidden or value == 0:
                continue
            rank = (hidden_here, value, int(cell == line.total), cell)
            if best is None or rank < best[0]:
                best = (rank, cell)
    if best is not None:
        return best[1]
    return fallback[1] if fallback is not None else None


def protect(tables: Sequence[Table], *, same: Sequence[Same] = ()) -> list[Table]:
    """``tables`` of one period, protected together."""
    return protect_periods([list(tables)], same=same)[0]


def protect_periods(
    groups: Sequence[Sequence[Table]],
    *,
    periods: Sequence[Period] = (),
    splits: Sequence[TimeSplit] = (),
    same: Sequence[Same] = (),
) -> list[list[Table]]:
    """Every table of every group (one group per period, ``periods`` in the same order)
    with its complements chosen and ``protected`` set."""
    problem = _Problem(groups)
    _declared(problem)
    _same(problem, same)
    if periods:
        _over_time(problem, periods, splits)
    hidden = {key for key, value in problem.values.items() if 0 < value < SMALL_COUNT_THRESHOLD}
    # The hidden cells shown as "< 5"; every other hidden cell is shown as "x".
    small = set(hidden)
    lines_of: dict[Key, set[int]] = defaultdict(set)
    for number, line in enumerate(problem.lines):
        for key, _sign in line.terms:
            lines_of[key].add(number)
    for _round in range(MAX_ROUNDS):
        exposed = _exposed(problem, hidden, small)
        touched: set[int] = set()
        added = False
        for key in exposed:
            # Cells whose relations got a complement this round wait for the next round,
            # which may find them protected already (fewer cells hidden).
            if lines_of[key] & touched:
                continue
            complement = _complement_for(problem, key, hidden, small)
            if complement is not None:
                hidden.add(complement)
                small.discard(complement)
                touched |= lines_of[complement]
                added = True
        if not added:
            if exposed:
                logger.warning("figures: %s hidden cells could not be protected", len(exposed))
            break
    complements: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    for p, t, i, j in hidden - small:
        complements[(p, t)].add((i, j))
    return [
        [
            replace(table, complementary=frozenset(complements[(p, t)]), protected=True)
            for t, table in enumerate(tables)
        ]
        for p, tables in enumerate(groups)
    ]
