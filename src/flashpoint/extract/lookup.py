"""Find the items (mentions, statements) that may cover a character position, fast.

The extractors ask, for every speaker and every first-person pronoun, "which mention
(statement) covers this offset?". Scanning every item each time is quadratic in the
article's length: a 100 KB one-paragraph page spent a minute there, and the 1 MB
paragraph of the fuzz suite (tests/test_fuzz.py) did not finish in six. `Lookup` answers
with the few items near the position instead, in the items' own order, so callers that
take "the first item that matches" keep exactly the answer the full scan gave.

Hand-written (a sorted list and `bisect`, about 30 lines) because an interval-tree
library would be a dependency for one query.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Lookup(Generic[T]):
    """`items` indexed by the `(start, end)` character range `bounds` gives each."""

    def __init__(self, items: Sequence[T], bounds: Callable[[T], tuple[int, int]]) -> None:
        ranges = [bounds(item) for item in items]
        self._items = items
        self._order = sorted(range(len(items)), key=lambda i: ranges[i][0])
        self._starts = [ranges[i][0] for i in self._order]
        # Any item overlapping a position p starts at or after p - longest.
        self._longest = max((end - start for start, end in ranges), default=0)

    def near(self, lo: int, hi: int) -> list[T]:
        """Every item that overlaps or lies inside `[lo, hi]` (and maybe a few more), in
        the order of `items`: a superset the caller filters with its own test."""
        first = bisect_left(self._starts, lo - self._longest)
        last = bisect_right(self._starts, hi)
        return [self._items[i] for i in sorted(self._order[first:last])]
