"""Rows and the printed table shared by every benchmark module."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass
class Row:
    """One measured figure: lower is better unless ``higher_is_better``."""

    area: str
    case: str
    value: float
    target: float | None = None
    unit: str = "s"
    higher_is_better: bool = False

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        good = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "ok" if good else "MISSED"

    def shown(self, value: float) -> str:
        if self.unit == "s":
            if value < 0.01:
                return f"{value * 1000:.2f} ms"
            return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
        if self.unit == "%":
            return f"{value:.1f} %"
        if self.unit == "MB":
            return f"{value:.0f} MB"
        return f"{value:.3g} {self.unit}".strip()


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Return the fastest wall-clock time of ``repeat`` runs of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def interleaved(fns: Sequence[Callable[[], object]], repeat: int) -> list[list[float]]:
    """Wall-clock times of ``repeat`` rounds of ``fns``, one list per function.

    Each round runs every function once, starting with a different one each round, so
    that a busy spell of the machine and any warm-up effect fall on all of them alike.
    """
    times: list[list[float]] = [[] for _ in fns]
    for round_ in range(repeat):
        for i in range(len(fns)):
            k = (round_ + i) % len(fns)
            started = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - started)
    return times


def render(rows: Iterable[Row]) -> str:
    """Return a fixed-width table of the rows."""
    lines = []
    head = f"{'area':<10} {'case':<72} {'measured':>12} {'target':>12}  verdict"
    lines += [head, "-" * len(head)]
    for row in rows:
        bound = "≥" if row.higher_is_better else "≤"
        target = f"{bound} {row.shown(row.target)}" if row.target is not None else ""
        lines.append(
            f"{row.area:<10} {row.case:<72} {row.shown(row.value):>12} {target:>12}  {row.verdict}"
        )
    return "\n".join(lines)
