"""Fairness of the suggester: 1,500 writable prisoners, 5,000 supporters, 90 days.

Compares, in one run and on the same writing days, three ways of choosing whom a supporter writes to:
the bot's suggester (bot.rules.fairness.choose over the same candidates the SQL query reads: the 30
least-loaded people plus those with a birthday within the lead time, without the people offered to
this supporter in the last 14 days), uniform random choice, and choice weighted by 1/(1 + letters
received). Per 30-day window it prints the share of prisoners with at least one letter and the Gini
coefficient of letters per prisoner.

    python -m benchmarks.fairness [--seed N] [--rate R]
"""

from __future__ import annotations

import argparse
import bisect
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from bot.rules import fairness, occasions
from bot.services.holds import NOT_AGAIN_DAYS
from bot.services.suggestions import CANDIDATES

PRISONERS = 1500
SUPPORTERS = 5000
DAYS = 90
WINDOW = 30
START = date(2026, 1, 5)


def gini(values: list[int]) -> float:
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if total == 0:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


class Suggester:
    """The bot's rule, with the load kept sorted as the database index keeps it."""

    def __init__(self, birthdays: dict[int, tuple[int, int]], rng: random.Random) -> None:
        self.load = [0.0] * PRISONERS
        self.order = [(0.0, pid) for pid in range(PRISONERS)]  # sorted (load_ref, prisoner)
        self.birthdays = birthdays
        self.offered: dict[int, dict[int, date]] = {}
        self.rng = rng
        self._soon: dict[date, list[int]] = {}

    def choose(self, supporter: int, today: date) -> int:
        recent = {pid for pid, day in self.offered.get(supporter, {}).items() if (today - day).days < NOT_AGAIN_DAYS}
        least = [pid for _, pid in self.order if pid not in recent][:CANDIDATES]  # stops early in practice
        soon = [pid for pid in self._birthdays_soon(today) if pid not in recent]
        soon = sorted(soon, key=lambda pid: self.load[pid])[:CANDIDATES]
        candidates = [
            fairness.Candidate(pid, self.load[pid], self._days(pid, today)) for pid in dict.fromkeys(least + soon)
        ]
        chosen = fairness.choose(candidates, today, self.rng)
        assert chosen is not None
        self.offered.setdefault(supporter, {})[chosen.prisoner_id] = today
        return chosen.prisoner_id

    def _birthdays_soon(self, today: date) -> list[int]:
        if today not in self._soon:
            window = set(occasions.birthday_window(today, fairness.BIRTHDAY_LEAD_DAYS))
            self._soon[today] = [pid for pid, md in self.birthdays.items() if md in window]
        return self._soon[today]

    def _days(self, pid: int, today: date) -> int | None:
        month, day = self.birthdays[pid]
        birthday = occasions.next_birthday(month, day, today)
        return None if birthday is None else (birthday - today).days

    def record(self, pid: int, today: date) -> None:
        old = (self.load[pid], pid)
        del self.order[bisect.bisect_left(self.order, old)]
        self.load[pid] += fairness.weight(today)
        bisect.insort(self.order, (self.load[pid], pid))


def simulate(choose: Callable[[int, date], int], record: Callable[[int, date], None],
             schedule: list[list[int]]) -> list[list[int]]:  # fmt: skip
    """Letters per prisoner in each 30-day window."""
    windows = [[0] * PRISONERS for _ in range(DAYS // WINDOW)]
    for day_index, writers in enumerate(schedule):
        today = START + timedelta(days=day_index)
        for supporter in writers:
            pid = choose(supporter, today)
            record(pid, today)
            windows[day_index // WINDOW][pid] += 1
    return windows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rate", type=float, default=1 / 20, help="chance a supporter writes on a given day")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    schedule = [[s for s in range(SUPPORTERS) if rng.random() < args.rate] for _ in range(DAYS)]
    birthdays = {}
    for pid in range(PRISONERS):
        day = date(2001, 1, 1) + timedelta(days=rng.randrange(365))
        birthdays[pid] = (day.month, day.day)

    suggester = Suggester(birthdays, random.Random(args.seed + 1))
    uniform_rng = random.Random(args.seed + 2)
    weighted_rng = random.Random(args.seed + 3)
    received = [0] * PRISONERS
    population = list(range(PRISONERS))

    def weighted(_supporter: int, _today: date) -> int:
        return weighted_rng.choices(population, weights=[1 / (1 + r) for r in received])[0]

    def count(pid: int, _today: date) -> None:
        received[pid] += 1

    results = {}
    for name, choose, record in (
        ("suggester", suggester.choose, suggester.record),
        ("uniform random", lambda _s, _t: uniform_rng.randrange(PRISONERS), lambda _p, _t: None),
        ("weighted 1/(1+letters)", weighted, count),
    ):
        started = time.perf_counter()
        results[name] = (simulate(choose, record, schedule), time.perf_counter() - started)

    print(f"fairness: {PRISONERS} prisoners, {SUPPORTERS} supporters, {DAYS} days, seed {args.seed}, "
          f"{sum(len(d) for d in schedule)} letters")  # fmt: skip
    print(f"{'method':<24} {'window':<8} {'letters':>8} {'coverage':>9} {'gini':>6}   time")
    for name, (windows, seconds) in results.items():
        for index, letters in enumerate(windows):
            covered = sum(1 for value in letters if value) / PRISONERS
            print(f"{name:<24} {f'days {index * WINDOW + 1}-{(index + 1) * WINDOW}':<8} {sum(letters):>8} "
                  f"{covered:>8.1%} {gini(letters):>6.3f}   {seconds:.1f}s")  # fmt: skip


if __name__ == "__main__":
    main()
