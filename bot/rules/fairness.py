"""Whom to suggest: people with the fewest letters logged recently come first.

"Recently" is an exponentially decayed count with a half-life of 30 days. Each letter (and each soft
hold) adds weight(day) = 2^((day - EPOCH) / HALF_LIFE) to a prisoner's `load_ref`; dividing by
weight(today) gives the decayed count. All loads shrink by the same factor as time passes, so ordering
by the stored `load_ref` is ordering by recent letters, and an index on it answers "fewest first".
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

HALF_LIFE_DAYS = 30
EPOCH = date(2024, 1, 1)
BIRTHDAY_LEAD_DAYS = 21  # international post: remind and prioritise this early (docs/domain.md)
BIRTHDAY_BOOST = 1.0  # a birthday soon counts as one letter fewer (more makes letters uneven: see benchmarks)
SPREAD = 0.5  # candidates within half a letter of the best are equally good: pick among them at random


def weight(day: date) -> float:
    return float(2 ** ((day - EPOCH).days / HALF_LIFE_DAYS))


def recent_letters(load_ref: float, today: date) -> float:
    return load_ref / weight(today)


@dataclass(frozen=True)
class Candidate:
    prisoner_id: int
    load_ref: float
    birthday_in_days: int | None = None

    def score(self, today: date) -> float:
        boost = (
            BIRTHDAY_BOOST if self.birthday_in_days is not None and self.birthday_in_days <= BIRTHDAY_LEAD_DAYS else 0.0
        )
        return recent_letters(self.load_ref, today) - boost


def choose(candidates: Sequence[Candidate], today: date, rng: random.Random) -> Candidate | None:
    """The least-loaded candidate; ties (within SPREAD) broken at random so that people asking at
    the same moment are spread over different prisoners."""
    if not candidates:
        return None
    scored = [(candidate.score(today), candidate) for candidate in candidates]
    best = min(score for score, _ in scored)
    pool = [candidate for score, candidate in scored if score <= best + SPREAD]
    return rng.choice(pool)
