"""The years a project is active: one definition for the summaries and the home page's listing."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def _year(date: str | None) -> int | None:
    """The year of an ISO date at any precision (2021-06-01, 2021-06, 2021); None if it has none."""
    head = (date or "")[:4]
    return int(head) if len(head) == 4 and head.isdigit() else None


def project_years(start: str | None, end: str | None, months: int | None, current_year: int) -> range:
    """The calendar years a project runs, ends included, from its dates as stated (ISO text).

    The one definition behind ``eulod:activeInYear`` and the home page's year filter. The
    end is the end date's year; without one, the year the stated duration ends in
    (counted from the start month, January when only a year is given); without either, the
    project counts as not ended, so it runs up to the year of the build (as the example
    query always read it). One whose end precedes its start (the shapes report that) counts
    for its start year only, rather than for no year.
    """
    first = _year(start)
    if first is None:
        return range(0)
    last = _year(end)
    if last is None and months and months > 0:
        month = int(start[5:7]) if start and len(start) >= 7 and start[5:7].isdigit() else 1
        last = first + (month - 1 + months - 1) // 12
    if last is None:
        last = current_year
    return range(first, max(last, first) + 1)


# Of several stated dates (the shapes warn; the data may still hold them), the ones a
# project's years run between: the earliest start and the latest end (the listing uses them too).
DATE_PICK: dict[str, Callable[[str, str], str]] = {"start": min, "end": max}


def stated_months(values: Iterable[str]) -> int | None:
    """Of the durations stated (months, as text), the one a project's years count: the longest,
    as the latest end is; None when none is a number. One rule for the listing, the summaries
    and their update: "the last one the store gives" differed from store to store."""
    numbers = [int(value) for value in values if value.isdigit()]
    return max(numbers) if numbers else None
