"""Start date, end date and duration: under their labels, else from prose; derived one from the others on request.

Month names are CLDR's (``..dates``); the prose cues are data (labels.yaml ``start_words``,
``end_cues``, ``duration_words``).
"""

from __future__ import annotations

from typing import Any

from ..data import contains, load, word_set, words
from ..dates import PartialDate, add_months, find_dates, find_duration, months_between
from ..matching import begins_words
from ..page import page_meta
from ..sheet import Sheet

Found = list[tuple[Any, list[int]]]  # values with their lines


def read(sheet: Sheet) -> None:
    """The project's dates and duration, each settled to one value (rivals go to review)."""
    starts, ends, durations = _labelled(sheet)
    _days_from_prose(sheet, starts, ends)
    if not starts or not durations or not ends:
        _from_prose(sheet, starts, ends, durations)
    _settle(sheet, "start_date", starts, lambda d: d.iso())
    _settle(sheet, "end_date", ends, lambda d: d.iso())
    _settle(sheet, "duration_months", durations, lambda m: m)
    _derive(sheet)


def _labelled(sheet: Sheet) -> tuple[Found, Found, Found]:
    """Dates and durations under their labels ('Start date:', 'Period: 01/2019 - 12/2021', 'Duration: 36 months')."""
    starts: list[tuple[PartialDate, list[int]]] = []
    ends: list[tuple[PartialDate, list[int]]] = []
    durations: list[tuple[int, list[int]]] = []
    for seg in sheet.segments:
        if seg.kind not in ("start_date", "end_date", "period", "duration"):
            continue
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        if _job_label(seg.label):
            continue  # 'Työn alkamispäivä', 'Haku päättyy': a job advertisement's employment or application dates
        dates = [f.date for f in find_dates(value, sheet.language)]
        if (seg.kind == "duration" and not dates) or (seg.kind == "period" and not dates):
            months = find_duration(value)
            if months:
                durations.append((months, seg.label_lines + lines))
            continue
        if seg.kind in ("duration", "period") and find_duration(value):  # "Duration: 36 months (01/2019 - 12/2021)"
            durations.append((find_duration(value), seg.label_lines + lines))
        if seg.kind == "end_date" and dates:
            ends.append((dates[-1], seg.label_lines + lines))
        elif dates:
            starts.append((dates[0], seg.label_lines + lines))
            if len(dates) > 1:
                ends.append((dates[1], seg.label_lines + lines))
    return starts, ends, durations


def _job_label(label: str) -> bool:
    """Whether a date label names a job or an application (labels.yaml ``job_date_stems``: the words of a stem
    begin consecutive words of the label: 'Työn alkamispäivä', 'Ende der Bewerbungsfrist', 'Start of employment')."""
    return begins_words(label, word_set("labels.yaml", "job_date_stems"))


def _days_from_prose(sheet: Sheet, starts: Found, ends: Found) -> None:
    """'Periode: juli 2025 – juni 2031' in a fact box, 'fra 1. juli 2025 til 30. juni 2031' in the article: a
    sentence giving both labelled months with their days gives the days (in place, its lines added)."""
    if len(starts) != 1 or len(ends) != 1 or starts[0][0].day is not None or ends[0][0].day is not None \
            or starts[0][0].month is None or ends[0][0].month is None:
        return
    months = [(starts[0][0].year, starts[0][0].month), (ends[0][0].year, ends[0][0].month)]
    for sentence, numbers in sheet.sentences():
        found = [f.date for f in find_dates(sentence, sheet.language)]
        if len(found) == 2 and all(d.day is not None for d in found) and [(d.year, d.month) for d in found] == months:
            starts[0] = (found[0], starts[0][1] + numbers)
            ends[0] = (found[1], ends[0][1] + numbers)
            return


def _from_prose(sheet: Sheet, starts: Found, ends: Found, durations: Found) -> None:
    """'The project runs from March 2019 to June 2021', '... ends on 30 June 2021', 'a 36-month project'."""
    labels = load("labels.yaml")
    labelled_start, labelled_end = bool(starts), bool(ends)
    for sentence, numbers in sheet.sentences():
        folded = words(sentence)
        if page_meta(sentence):
            continue  # "Published on 15 October 2020 – Updated on ...": the page's dates, not the project's
        found = [f.date for f in find_dates(sentence, sheet.language)]
        if not labelled_start and found:
            if len(found) >= 2 and (found[0].year, found[0].month or 0) <= (found[1].year, found[1].month or 0):
                starts.append((found[0], numbers))
                ends.append((found[1], numbers))
            elif any(contains(folded, words(w)) for w in labels["start_words"]):
                starts.append((found[0], numbers))
        if not labelled_end and len(found) == 1 and any(contains(folded, words(w)) for w in labels["end_cues"]):
            ends.append((found[0], numbers))  # 'BeePathNet ... ends on 30 June 2021'
        months = _said_duration(sentence)
        if months and not durations:
            durations.append((months, numbers))


def _said_duration(sentence: str) -> int | None:
    """The number of months a sentence gives as a duration: one with a duration word ('36 months', 'lasts')."""
    months = find_duration(sentence)
    if months and any(contains(words(sentence), cue) for cue in word_set("labels.yaml", "duration_words")):
        return months
    return None


def check_durations(sheet: Sheet) -> None:
    """Another number of months a sentence gives as the duration ('… ukupno trajanje projekta iznosi 30 mjeseci',
    after an amendment) beside the one taken: asked. A step after the text sections, whose paragraphs go back
    to the free text only then."""
    held = sheet.record.get("duration_months")
    if held is None:
        return
    for sentence, numbers in sheet.sentences():
        months = _said_duration(sentence)
        if months and months != held:
            sheet.ask("duration_months", "a sentence gives another duration (an amendment, another project?): check it",
                      [held, months], numbers)
            return


def _settle(sheet: Sheet, path: str, candidates: list[tuple[Any, list[int]]], convert: Any) -> None:
    """The first value found; when the text states others, the field goes to review with all of them."""
    values: dict[Any, list[int]] = {}
    for value, lines in candidates:
        values.setdefault(convert(value), []).extend(lines)
    if not values:
        return
    first = next(iter(values))
    sheet.put(path, first, values[first])
    if len(values) > 1:
        sheet.ask(path, "the text states more than one value; the first is used", list(values), [n for ns in values.values() for n in ns])


def _derive(sheet: Sheet) -> None:
    """The third of start, end and duration from the other two (with ``derive``), else a review item offering it."""
    start, end, months = sheet.record.get("start_date"), sheet.record.get("end_date"), sheet.record.get("duration_months")
    parse = lambda iso: PartialDate(*[int(p) for p in iso.split("-")])  # noqa: E731
    if start and end and months:
        spanned = months_between(parse(start), parse(end))
        if abs(spanned - months) > 0:
            sheet.ask("duration_months", f"the stated duration ({months}) differs from the {spanned} months the dates span", [str(months), str(spanned)])
    elif start and months and not end:
        derived = add_months(parse(start), months).iso()
        if sheet.derive:
            sheet.put("end_date", derived, [], "start_date + duration_months")
        else:
            sheet.ask("end_date", "not stated; derivable from start_date and duration_months", [derived])
    elif start and end and not months:
        derived = months_between(parse(start), parse(end))
        if sheet.derive:
            sheet.put("duration_months", derived, [], "months from start_date to end_date")
        else:
            sheet.ask("duration_months", "not stated; derivable from start_date and end_date", [str(derived)])
