"""NumPy helpers of the rebuild: integer columns, runs, keys, sums per key.

Every value of the rebuild is an integer (ids, levels, codes of text choices); "no value" is NONE,
since levels, gaps and weights are >= 0 and ids >= 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

NONE = -1
NO_TIME = np.iinfo(np.int64).min
Arrays = dict[str, np.ndarray]


def ints(values: Iterable[Any], count: int = -1) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=count)


def empty(*names: str) -> Arrays:
    return {name: np.empty(0, dtype=np.int64) for name in names}


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (np.unique without options hashes: many times slower on ids)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values ∈ sorted_set, elementwise (no sort of `values`, unlike np.isin)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[position] == values


def group_starts(*columns: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal rows in columns already sorted by them."""
    n = len(columns[0])
    if n == 0:
        return np.empty(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for column in columns:
        change[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(change)


def pair_codes(*pairs: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """One int64 per (a, b) row of several pairs of columns, equal for equal rows across all of
    them, ordered as (a, b). Ids below 2**31 are shifted together; larger ones are ranked."""
    if all(
        not len(a) or (a.min() >= 0 and a.max() < 2**31 and b.min() >= 0 and b.max() < 2**32)
        for a, b in pairs
    ):
        return [(a << 32) | b for a, b in pairs]
    sizes = [len(a) for a, _ in pairs]
    codes = np.zeros(sum(sizes), dtype=np.int64)
    for column in (np.concatenate([a for a, _ in pairs]), np.concatenate([b for _, b in pairs])):
        values, inverse = np.unique(column, return_inverse=True)
        codes = codes * max(1, len(values)) + inverse  # < n**2: far below 2**63
    return np.split(codes, np.cumsum(sizes)[:-1])


def row_codes(*tables: Sequence[np.ndarray]) -> list[np.ndarray]:
    """One int64 per row of several tables with the same columns, equal for equal rows, ordered as
    the rows: the columns' offsets from their smallest value packed side by side when they fit in 62
    bits, else ranks combined pairwise."""
    width = len(tables[0])
    columns = [np.concatenate([table[j] for table in tables]) for j in range(width)]
    sizes = [len(table[0]) for table in tables]
    if not len(columns[0]):
        return [np.empty(0, dtype=np.int64) for _ in tables]
    lows = [int(c.min()) for c in columns]
    bits = [(int(c.max()) - low).bit_length() for c, low in zip(columns, lows, strict=True)]
    if sum(bits) <= 62:
        code = np.zeros(len(columns[0]), dtype=np.int64)
        for column, low, b in zip(columns, lows, bits, strict=True):
            code = (code << b) | (column - low)
    else:
        code = columns[0]
        for column in columns[1:]:
            code = pair_codes((code, column))[0]
    return np.split(code, np.cumsum(sizes)[:-1])


def match(code_new: np.ndarray, code_old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each new code: the index of an equal old code (or -1), and whether there is one."""
    if not len(code_old):
        return np.full(len(code_new), -1, dtype=np.int64), np.zeros(len(code_new), dtype=bool)
    order = np.argsort(code_old, kind="stable")
    sorted_old = code_old[order]
    position = np.minimum(np.searchsorted(sorted_old, code_new), len(sorted_old) - 1)
    found = sorted_old[position] == code_new
    return np.where(found, order[position], -1), found


def spread(index: np.ndarray, lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Row i stands for the list `lists[index[i]]`: one output row per element of it, as (the row i
    it came from, the element)."""
    counts = np.fromiter((len(items) for items in lists), dtype=np.int64, count=len(lists))
    flat = ints(item for items in lists for item in items)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    repeat = counts[index]
    row = np.repeat(np.arange(len(index)), repeat)
    within = np.arange(len(row)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return row, flat[offsets[index[row]] + within]


def sum_by(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum the rows of `values` (n, k) over equal `codes` (n,): the distinct codes, sorted, and
    their sums."""
    if not len(codes):
        return codes, values
    order = np.argsort(codes)
    codes = codes[order]
    starts = group_starts(codes)
    return codes[starts], np.add.reduceat(values[order], starts, axis=0)


def sort_order(*columns: np.ndarray) -> np.ndarray:
    """The order that sorts rows by the columns (the first the most significant), as np.lexsort
    gives it; one sort of a packed key when the columns' ranges fit in 63 bits."""
    if not len(columns[0]):
        return np.empty(0, dtype=np.int64)
    lows = [int(c.min()) for c in columns]
    spans = [int(c.max()) - low for c, low in zip(columns, lows, strict=True)]
    if sum(span.bit_length() for span in spans) > 63:
        return np.lexsort(columns[::-1])
    code = np.zeros(len(columns[0]), dtype=np.int64)
    for column, low, span in zip(columns, lows, spans, strict=True):
        code = (code << span.bit_length()) | (column - low)
    return np.argsort(code, kind="stable")
