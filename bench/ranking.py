"""Rank statistics shared by the accuracy benchmarks and the dev tuning script."""

from __future__ import annotations

from collections.abc import Sequence


def rank_stats(pairs: Sequence[tuple[list[str], str | None]]) -> tuple[float, float, float]:
    """(top-1, top-3, mean reciprocal rank) of gold keys in ranked lists."""
    n = len(pairs)
    top1 = sum(r[:1] == [g] for r, g in pairs) / n
    top3 = sum(g in r[:3] for r, g in pairs) / n
    mrr = sum(1 / (r.index(g) + 1) if g in r else 0.0 for r, g in pairs) / n
    return top1, top3, mrr
