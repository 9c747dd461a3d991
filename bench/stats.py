"""Percentiles and the summaries the report is made of."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks; ``sorted_values`` ascending."""
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def summary(values: Iterable[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {
        "n": len(ordered),
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": ordered[-1],
    }


def merge_lists(dicts: Iterable[dict]) -> dict:
    merged: dict = {}
    for d in dicts:
        for key, values in d.items():
            merged.setdefault(key, []).extend(values)
    return merged


def add_counts(dicts: Iterable[dict]) -> dict:
    total: dict = {}
    for d in dicts:
        for key, value in d.items():
            total[key] = total.get(key, 0) + value
    return total


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return a / b
