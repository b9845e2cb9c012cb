"""Scoring an assessment: pure functions over an instrument version's content.

Every scored rule is a sum of the weights of the chosen answers; with "count of yes" the
loader has made sure that "yes" weighs 1 and every other answer 0, so the sum is the count.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class _Option(Protocol):
    weight: int
    is_unknown: bool


class _Threshold(Protocol):
    min_score: int
    max_score: int

    @property
    def level(self) -> object: ...


@dataclass(frozen=True)
class Score:
    score: int | None
    unknown_count: int
    level: object | None


def level_for_score(thresholds: Iterable[_Threshold], score: int) -> object | None:
    for threshold in thresholds:
        if threshold.min_score <= score <= threshold.max_score:
            return threshold.level
    return None


def score_answers(
    *, has_total: bool, chosen: Sequence[_Option], thresholds: Iterable[_Threshold]
) -> Score:
    unknown = sum(1 for option in chosen if option.is_unknown)
    if not has_total:
        return Score(score=None, unknown_count=unknown, level=None)
    total = sum(option.weight for option in chosen)
    return Score(score=total, unknown_count=unknown, level=level_for_score(thresholds, total))
