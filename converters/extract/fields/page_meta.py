"""A page-date label ('Opublikowano: 28.07.2021') over paragraphs: the date is one line, the paragraphs are free text.

No field is read here: the page's own date is not the project's, and what follows it is prose
for the readers after this step.
"""

from __future__ import annotations

from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    """Release the paragraphs after a page-date label to the free text."""
    for seg in sheet.of("page_meta"):
        _, _, rest = sheet.first_block(seg)
        sheet.release(rest)
