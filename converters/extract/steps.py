"""The table of steps: which reader runs when over a fact sheet's :class:`.sheet.Sheet`.

The order is the rule. Labelled facts come first, so the prose readers after them see only the
free text no label claimed and the participants already listed (a money label names its
participant; a sentence's body merges with a listed one). The title comes after the
participants, which it must not be; the description after the title, whose lines it skips;
contacts after the participants, whose names tell a contact's organisation. The participant
list is written once every reader has added to it, and the review step runs last, over every
value.
"""

from __future__ import annotations

from collections.abc import Callable

from .fields import (
    coded,
    contacts,
    country,
    dates,
    description,
    identifiers,
    language,
    money,
    page_meta,
    participant_list,
    participants,
    programme,
    prose,
    review,
    shares,
    status,
    texts,
    title,
    website,
)
from .sheet import Sheet

STEPS: tuple[tuple[str, Callable[[Sheet], None]], ...] = (
    ("language", language.read),
    ("page date", page_meta.read),
    ("participants under labels", participants.read),
    ("country label", country.read),
    ("dates", dates.read),
    ("programme and funds", programme.read),
    ("identifiers", identifiers.read),
    ("text sections", texts.read),  # first: the paragraphs a section's list ends before go back to the free text
    ("budget", money.read),
    ("participants led by / with countries in prose", prose.read_led_by),
    ("participants listed after a cue in prose", prose.read_partner_lists),
    ("participants after a country adjective", prose.read_adjective_lists),
    ("participating municipalities", prose.read_participating_bodies),
    ("participants' shares in prose", shares.read),
    ("beneficiaries in prose", prose.read_beneficiaries),
    ("title", title.read),
    ("description", description.read),
    ("another duration in a sentence", dates.check_durations),
    ("contacts", contacts.read),
    ("website", website.read),
    ("status", status.read),
    ("results achieved or planned", texts.check_delivered),
    ("fields of intervention", coded.read),
    ("participant list", participant_list.read),
    ("review", review.read),
)


def run(sheet: Sheet) -> None:
    """Run every step over the sheet, in the table's order."""
    for _, step in STEPS:
        step(sheet)
