"""A country label ('Paese: Italia') on the sheet of one beneficiary: the country of the body it is about."""

from __future__ import annotations

from ..places import read_country
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    """'Paese: Italia' on a sheet of one beneficiary: the country of the body it is about."""
    for seg in sheet.of("country"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        reading = read_country(value.strip(" ."))
        lacking = [p for p in sheet.participants if p.org.country is None]
        if reading and len(sheet.participants) == 1 and lacking:
            lacking[0].org.country = read_country(value.strip(" ."), lacking[0].org.city)
            lacking[0].org.lines.extend(seg.label_lines + lines)
