"""The project's budget: total cost, EU contribution, co-financing, their rates, and the currency.

Amounts under money labels belong to the project, or to the participant the label (or the short
line above it) names; amounts in prose belong to the kind the nearest cue before them names.
Cues are data (labels.yaml ``prose_money``, ``of_which``, ``fully_funded``, ``budget_scope``,
``prose_share``).
"""

from __future__ import annotations

import re
from typing import Any

from ..data import best_label, contains, load, word_set, words
from ..matching import cue_regex
from ..numbers import MULTIPLIER, bare_amount, declared_currency, find_amounts, find_percentages
from ..parties import participant_named
from ..patterns import alternation
from ..programmes import funds
from ..segments import Segment, blocks, of_which
from ..sheet import Participant, Sheet
from ..text import Line

Amounts = dict[str, list[tuple[Any, list[int], Any]]]  # the project's amounts by kind: (value, lines, rates)


def read(sheet: Sheet) -> None:
    """The project's amounts (rivals go to review) and the currency; participants' shares go to the participants."""
    project: Amounts = {}
    text = "\n".join(line.text for line in sheet.doc.lines)
    sheet.declared_currency = declared_currency(text, load("labels.yaml")["currency_declarations"])
    _labelled(sheet, project)
    _rate_line(sheet, project)
    _prose(sheet, project)
    _settle(sheet, project)


def _labelled(sheet: Sheet, project: Amounts) -> None:
    """Amounts under money labels, with the parts an "of which" states; a participant's when the label names one."""
    scoped: Participant | None = None
    previous_line = -10
    for seg in sheet.segments:
        if seg.kind not in ("total_cost", "eu_contribution", "co_financing"):
            if seg.kind is not None:
                scoped = None
            continue
        value, lines, rest = sheet.first_block(seg)
        cells = value.split(" | ")
        if len(cells) > 1 and of_which(cells[0]) and find_amounts(cells[-1]):
            # 'Contreparties nationales publiques' over 'dont Région … 486 000 € … | 729 000 € (15 %)': the label
            # cell's note on its parts, then the row's amount
            value = ", ".join([cells[-1], *cells[:-1]])
        value, lines, rest = _with_parts(value, lines, rest)
        sheet.release(rest)
        total = _total_row(seg) if seg.kind == "total_cost" else None
        if total is not None:  # a budget table one cell a line under the heading: its total row, not its first amount
            value, lines = total
        amounts = find_amounts(value)
        if not amounts:
            bare = bare_amount(value)  # an export's column: '38412650,00' under its label
            if bare is None:
                continue
            amounts = [bare]
        head, parts = money_parts(value)
        amounts = find_amounts(head) or amounts
        rates = find_percentages(seg.label) or find_percentages(head)
        owner = participant_named(sheet, seg.label)
        if owner is None and scoped is not None and seg.label_lines[0] == previous_line + 1:
            owner = scoped
        if owner is None and seg.label_lines[0] != previous_line + 1:
            owner = _budget_block_owner(sheet, seg.label_lines[0])
        scoped, previous_line = owner, seg.label_lines[-1]
        note_currency(sheet, amounts[0])
        stated = _fund_share(seg.kind, seg.label)
        if stated == "eu_contribution" and not names_eu(seg.label) and any(p[0] == "eu_contribution" for p in parts):
            # 'Безвъзмездна финансова помощ: X, от които: Y от ЕФРР, Z национално': the grant is public support,
            # the fund's part is the EU's
            found = list(parts)
        else:
            found = [(stated, amounts[0].value, rates)] + [p for p in parts if p[0] != stated]
            if stated == "eu_contribution" and not names_eu(seg.label) and owner is None:
                project.setdefault("_generic_eu", []).append((amounts[0].value, [], []))
        if stated == "co_financing" and best_label(seg.label, {"own": load("labels.yaml")["own_contribution"]})[0] and owner is None:
            project.setdefault("_unsure", []).append(("co_financing", [], []))
        # a second total with its own "of which" ('Προϋπολογισμός Δήμου Χανίων: 312.000,00 € (εκ των οποίων
        # 249.600,00 € ΕΤΠΑ)'): the parts are of that total, perhaps a partner's the label names in a form not matched
        other_total = owner is None and stated == "total_cost" and any(
            value != amounts[0].value for value, _, _ in project.get("total_cost", []))
        for kind, amount, kind_rates in found:
            if owner is None and (kind, amount) != (stated, amounts[0].value):
                project.setdefault("_parts", []).append((kind, amount, []))  # stated by the "of which" its label opens
                if other_total:
                    project.setdefault("_other_parts", []).append((kind, amount, []))
            if owner is not None:
                owner.budget.setdefault(kind, amount)
                if kind_rates and kind != "total_cost":
                    owner.budget.setdefault(f"{kind}_rate", kind_rates[0])
                owner.budget.setdefault("_lines", []).extend(seg.label_lines + lines)
            else:
                project.setdefault(kind, []).append((amount, seg.label_lines + lines, kind_rates))


def _total_row(seg: Segment) -> tuple[str, list[int]] | None:
    """'TOTAL' over '4.826.450,00' in a budget heading's first block, a table pdftotext gives one cell a line
    ('Contribuția UE' over '3.233.721,50', ..., 'TOTAL' over '4.826.450,00'): the total's amount and lines, when
    the block holds more than one amount (with one, the amount is the total whatever is around it)."""
    found = blocks(seg.body)
    if not found or len(find_amounts(" ".join(line.text for line in found[0]))) < 2:
        return None
    head = found[0]
    totals = word_set("labels.yaml", "table_totals")
    for line, after in zip(head, head[1:]):
        if words(line.text) in totals and find_amounts(after.text):
            return after.text, [line.number, after.number]
    return None


def _with_parts(value: str, lines: list[int], rest: list[Line]) -> tuple[str, list[int], list[Line]]:
    """The value with the "of which" rows under it, each its own block ('Безвъзмездна финансова помощ | X',
    then 'в т.ч. Европейско финансиране | Y' and 'в т.ч. Национално финансиране | Z' as a table's rows):
    they are parts of the amount above, read by :func:`money_parts`, not lines to let go."""
    taken = 0
    for line in rest:
        if line.text and not of_which(line.text.lstrip("|").strip()):
            break
        taken += 1
    parts = [line for line in rest[:taken] if line.text]
    if not parts:
        return value, lines, rest
    return (value + "".join(", " + line.text.replace("|", " ") for line in parts), lines + [line.number for line in parts],
            rest[taken:])


def names_eu(label: str) -> bool:
    """'EU-Förderung', 'ES fondų lėšos', 'Příspěvek EU (FST)', 'Montant FEDER': the label names the EU or one of its funds."""
    if funds(label) or re.search(rf"(?<!\w)(?:{alternation('eu_abbreviations')})(?!\w)", label):
        return True
    folded = words(label)
    return any(contains(folded, name) for name in word_set("labels.yaml", "eu_names"))


def _fund_share(kind: str, label: str) -> str:
    """``kind``, except that co-financing *by an EU fund* is the EU contribution.

    "ERAF līdzfinansējums" (Latvian) and "Sofinanciranje Evropskega sklada za regionalni razvoj"
    (Slovenian) say that the fund co-finances the project: the amount is the fund's share, not
    the national or the beneficiary's co-financing (docs/extraction.md). Found on the blind
    seventh set, where such amounts were the commonest silent error.
    """
    if kind == "co_financing" and funds(label):
        return "eu_contribution"
    return kind


def _rate_line(sheet: Sheet, project: Amounts) -> None:
    """'Percentage of EU support: 30%': the EU contribution's rate on a line of its own."""
    for seg in sheet.of("eu_rate"):  # 'Percentage of EU support: 30%': the EU contribution's rate on a line of its own
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        rates = find_percentages(value)
        if rates and not any(kind == "eu_contribution" and found[0][2] for kind, found in project.items()):
            project.setdefault("_eu_rate", []).append((rates[0], seg.label_lines + lines, []))


def _prose(sheet: Sheet, project: Amounts) -> None:
    """An amount in a sentence is of the kind the nearest cue before it names ('total budget of', 'ERDF contribution')."""
    cues = load("labels.yaml")["prose_money"]
    for sentence, numbers in sheet.sentences():
        amounts = find_amounts(sentence)
        if amounts and share_owner(sheet, sentence, amounts[0].start) is not None:
            continue  # a participant's share, read by read_prose_shares
        for index, amount in enumerate(amounts):
            best = _nearest_cue(words(sentence[: amount.start]), cues)
            since = amounts[index - 1].end if index else 0  # '... financé à 80 % par le FEDER (400 000,00 €)'
            after = False
            if "eu_contribution" not in project and _nearest_cue(words(sentence[since: amount.start]), cues) is None \
                    and _fund_after(sentence[amount.end: amounts[index + 1].start if index + 1 < len(amounts) else None]):
                # '85 % (1 569 329,50 Kč) z Evropského sociálního fondu plus': the source named after the amount
                if index and re.fullmatch(r"[\s.]*\(\s*", sentence[since: amount.start]):
                    # '1 593 168,94 лв. (814 574,34 евро), са от ЕСФ+': the bracket is the amount before, converted
                    amount, since = amounts[index - 1], amounts[index - 2].end if index > 1 else 0
                best, after = "eu_contribution", True
            if best and best not in project:
                rates = find_percentages(sentence[since: amount.start]) if best == "eu_contribution" else []
                project[best] = [(amount.value, numbers, rates[-1:] if after else rates[:1])]  # 'ze 100 %: 85 % (...) z ESF+': the nearest
                note_currency(sheet, amount)
                if index == 0:  # "a total budget of X, of which Y (85%) comes from the ERDF"
                    for kind, value, rates in money_parts(sentence[amount.start:])[1]:
                        if kind not in project:
                            project[kind] = [(value, numbers, rates)]
                if best == "total_cost" and len(amounts) == 1 and "_eu_rate" not in project:
                    share = _eu_share(sentence[amount.end:], cues["eu_contribution"])
                    if share is not None:  # 'total budget was EUR 599,962.50, 85% of it from the ERDF'
                        project["_eu_rate"] = [(share, numbers, [])]


FUND_AFTER_WORDS = 6  # '(1 569 329,50 Kč) z Evropského sociálního fondu plus': the source named right after


def _fund_after(text: str) -> bool:
    """An EU fund or the Union named in the first words after an amount (its source, in languages that say
    it after: 'z Evropského sociálního fondu', 'aus dem EFRE', 'from the ERDF')."""
    head = " ".join(text.strip(" )").split()[:FUND_AFTER_WORDS])
    return bool(head) and bool(funds(head) or names_eu(head))


def _nearest_cue(before: str, cues: dict[str, list[str]]) -> str | None:
    """The kind whose cue ends nearest the end of the folded text before an amount."""
    best, where = None, -1
    for kind, phrases in cues.items():
        for phrase in phrases:
            position = f" {before} ".rfind(f" {words(phrase)} ")
            if position > where:
                best, where = kind, position
    return best


def _settle(sheet: Sheet, project: Amounts) -> None:
    """Put the first amount of each kind (asking when there are others), a stated EU rate, and the currency.

    Unsure, so inferred: co-financing under a label naming the beneficiary's own resources (some records
    keep it, others leave it out), and a grant under a label that names no EU fund when it is the whole
    total cost (a public grant may be national money too).
    """
    unsure = {kind for kind, _, _ in project.pop("_unsure", [])}
    other_parts = {(kind, value) for kind, value, _ in project.pop("_other_parts", [])}
    parts = {(kind, value) for kind, value, _ in project.pop("_parts", [])}
    generic = project.pop("_generic_eu", [])
    totals = {v for v, _, _ in project.get("total_cost", [])}
    grants = {v for v, _, _ in generic}
    named = [found for found in project.get("eu_contribution", []) if found[0] not in grants]
    if named and project["eu_contribution"][0][0] in grants:
        # 'Subvención concedida: 140.616,00 €' above 'Cofinanciación FEDER: …, 84.369,60 €': the amount a label gives
        # the fund comes first, the grant (EU and regional money) after it, both asked
        project["eu_contribution"] = named + [found for found in project["eu_contribution"] if found not in named]
    if generic and "eu_contribution" in project and project["eu_contribution"][0][0] in totals \
            and project["eu_contribution"][0][0] == generic[0][0]:
        unsure.add("eu_contribution")
    stated_rate = project.pop("_eu_rate", None)
    if stated_rate and "eu_contribution" in project:
        amount, lines, _ = project["eu_contribution"][0]
        project["eu_contribution"][0] = (amount, lines + stated_rate[0][1], [stated_rate[0][0]])
    elif stated_rate:  # the EU's share is stated, its amount is not
        sheet.put("budget.eu_contribution_rate", stated_rate[0][0], stated_rate[0][1])
    for kind, found in project.items():
        values = list(dict.fromkeys(v for v, _, _ in found))
        if len(values) > 1:
            sheet.ask(f"budget.{kind}", "more than one amount is given; the first is used", values, [n for _, ns, _ in found for n in ns])
        value, lines, rates = found[0]
        why = _UNSURE.get(kind) if kind in unsure else None
        if (kind, value) in other_parts:
            why = "a part of another total than the project's (a partner's?)"
        if why is None and _in_millions(sheet, value, lines):
            why = "an amount rounded to millions ('4,86 millions'): the exact figure may be elsewhere"
        found_as = "stated" if (kind, value) in parts and why is None else None
        sheet.put(f"budget.{kind}", value, lines, derived=why, found=found_as)
        if rates and kind != "total_cost":
            sheet.put(f"budget.{kind}_rate", rates[0], lines, derived=why, found=found_as)
    if "budget" in sheet.record or any(p.budget for p in sheet.participants):
        stated = list(dict.fromkeys(sheet.currencies))
        if len(stated) > 1:
            sheet.ask("currency", "the amounts are in more than one currency; the first is used", stated)
        sheet.put("currency", stated[0] if stated else "EUR", [], found="stated" if stated else "inferred")
    if "total_cost" not in project:
        sheet.ask("budget.total_cost", "no total cost found")
    _check_rates(sheet)


def _check_rates(sheet: Sheet) -> None:
    """A stated rate that is not its amount over the total cost is asked (decision 1, docs/extraction.md).

    'FEDER 85 %' of an eligible cost below the total, '60 %' for some partners only: the record keeps
    the rate as stated, but which base it is on the draft cannot tell, and readers of the blind sets
    left such rates out.
    """
    budget = sheet.record.get("budget") or {}
    for kind in ("eu_contribution", "co_financing"):
        entry = sheet.provenance.get(f"budget.{kind}_rate")
        if entry is not None and _of_eligible(sheet, entry.get("lines") or []):
            entry.update(found="inferred", derived="the rate is stated of the eligible cost, not of the total")
    try:
        total = float(budget["total_cost"])
    except (KeyError, TypeError, ValueError):
        return
    rival_totals = any(item["field"] == "budget.total_cost" and len(item.get("candidates") or []) > 1
                       for item in sheet.review)
    for kind in ("eu_contribution", "co_financing"):
        rate, amount = budget.get(f"{kind}_rate"), budget.get(kind)
        entry = sheet.provenance.get(f"budget.{kind}_rate")
        if rate is None or amount is None or total <= 0 or entry is None:
            continue
        share = float(amount) / total * 100
        if abs(share - float(rate)) > RATE_TOLERANCE:
            entry.update(found="inferred", derived=f"{kind.replace('_', ' ')} over the total cost is {share:.1f} %, not the "
                                                   f"stated {rate} %: the rate is on another base (the eligible cost?)")
            stated = sheet.provenance.get(f"budget.{kind}")
            if stated is not None and not _of_eligible(sheet, entry.get("lines") or []):
                # 'ERDF (70%): €51,450' under 'Cork City Council budget: €73,500' in a network of €862,400: with no
                # eligible cost named, the amount and its rate are of another budget, a partner's as often as not
                stated.update(found="inferred", derived=f"at the stated {rate} % it is of {float(amount) * 100 / float(rate):,.0f}"
                                                        ", not of the total cost: the project's, or a part's?")
        elif rival_totals:  # 'Costo totale parte italiana' and '... parte svizzera': of one side, or the project's?
            entry.update(found="inferred", derived=f"the stated {rate} % multiplies out against the first of several "
                                                   "total costs only; which the record's total is, is asked")


def _of_eligible(sheet: Sheet, lines: list[int]) -> bool:
    """A percentage on these lines is followed by words of the eligible cost ('63,26% wydatków kwalifikowalnych')."""
    stems = load("labels.yaml")["eligible_stems"]
    numbers = set(lines)
    for line in sheet.doc.lines:
        if line.number in numbers:
            for after in re.findall(r"%(.{0,60})", line.text):
                if any(word.startswith(stem) for word in words(after).split()[:4] for stem in stems):
                    return True
    return False


RATE_TOLERANCE = 1.0  # percentage points: a rate stated rounded ('85 %' of 84.6 %) still multiplies out


_MILLIONS = re.compile(MULTIPLIER, re.IGNORECASE)


def _in_millions(sheet: Sheet, value: str, lines: list[int]) -> bool:
    """The amount is written in millions on its lines ('2,92 millions d'euros', 'EUR 1.2 mln'): a rounded figure."""
    numbers = set(lines)
    return any(amount.value == value and _MILLIONS.search(amount.text)
               for line in sheet.doc.lines if line.number in numbers for amount in find_amounts(line.text))


_UNSURE = {
    "co_financing": "the beneficiary's own resources: co-financing, or no field?",
    "eu_contribution": "a grant as large as the total cost under a label that names no EU fund: the EU's, or public money?",
}


def share_owner(sheet: Sheet, sentence: str, start: int) -> Participant | None:
    """The participant whose share a sentence opening with a share cue states ("Riga's share of the budget is ...")."""
    opening = sentence[:start]
    if best_label(opening, {"s": load("labels.yaml")["prose_share"]})[0] is None:
        return None
    return participant_named(sheet, opening)


def _budget_block_owner(sheet: Sheet, number: int) -> Participant | None:
    """The participant a short line just above a money label names ('Budżet Miasta X', 'Orçamento do Município de X')."""
    lines = sheet.doc.lines
    index = next((i for i, line in enumerate(lines) if line.number == number and line.text), None)
    if not index:
        return None
    above = lines[index - 1]
    if not above.text or ":" in above.text or len(above.text.split()) > 8 or above.bullet:
        return None
    if best_label(above.text, {"scope": load("labels.yaml")["budget_scope"]})[0] is None:
        return None
    return participant_named(sheet, above.text)


def note_currency(sheet: Sheet, amount: Any) -> None:
    """Remember the currency an amount states (zł, lei, €); an unmarked amount is taken as EUR, for review."""
    if amount.currency is None and sheet.declared_currency:
        sheet.currencies.append(sheet.declared_currency)  # 'amounts in CZK' at the top of an export
    elif amount.currency is None:
        sheet.ask("currency", f"the amount {amount.text} states no currency; EUR assumed", ["EUR"])
    else:
        sheet.currencies.append(amount.currency)


def _eu_share(text: str, cues: list[str]) -> int | float | None:
    """'..., 85% of it from the European Regional Development Fund': a percentage the EU or one of its funds pays."""
    match = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s?%([^.;%]{0,60})", text)
    if not match or not any(contains(words(match.group(2)), words(cue)) for cue in cues):
        return None
    rates = find_percentages(match.group(0))
    return rates[0] if rates else None


def _part_contexts(piece: str, amounts: list[Any]) -> list[tuple[Any, str, list]]:
    """Each amount of an "of which" list with the words that say whose it is and its rate.

    '2 113 874,81 лв. европейско съфинансиране от ЕФРР (85 %) 373 036,73 лв. национално ...': the words
    follow their amounts when nothing but punctuation comes before the first; else they precede them
    ('ERDF EUR 170,965.30 (70%), national EUR 73,270.85 (30%)').
    """
    after = not words(piece[: amounts[0].start])
    out = []
    for index, amount in enumerate(amounts):
        following = amounts[index + 1].start if index + 1 < len(amounts) else len(piece)
        if after:
            text = piece[amount.end: following]
            out.append((amount, text, find_percentages(text)))
        else:
            start = amounts[index - 1].end if index else 0
            bracket = re.match(r"\s*\([^()]*%[^()]*\)", piece[amount.end: following])
            out.append((amount, piece[start: amount.start], find_percentages(bracket.group(0)) if bracket else []))
    return out


def _part_kind(context: str, kinds: dict[str, list[str]]) -> str | None:
    """Whose an "of which" part is: a fund's or the EU's by name, else by the money labels its words hold."""
    if funds(context) or names_eu(context):
        return "eu_contribution"
    kind, _ = best_label(context, kinds)
    return kind


def money_parts(value: str) -> tuple[str, list[tuple[str, str, list]]]:
    """'EUR 244,236.15, of which ERDF EUR 170,965.30 (70%)': the head amount's text and its named parts.

    A part after an "of which" cue is the EU contribution or the co-financing, by the words
    between the cue and its amount; "wholly funded by the EU" makes the EU contribution the
    whole amount.
    """
    labels = load("labels.yaml")
    cues = "|".join(cue_regex(words(c)) for c in sorted(labels["of_which"], key=len, reverse=True))
    pieces = re.split(rf"(?:^|[\s,;(])(?:{cues})\b", value)
    head, parts = pieces[0], []
    kinds = {k: labels["fields"][k] for k in ("eu_contribution", "co_financing")}
    for piece in pieces[1:]:
        amounts = find_amounts(piece)
        if not amounts:
            continue
        if len(amounts) == 1:
            contexts = [(amounts[0], piece[: amounts[0].start] + " " + piece[amounts[0].end:], find_percentages(piece))]
        else:
            contexts = _part_contexts(piece, amounts)
        for amount, context, rates in contexts:
            kind = _part_kind(context, kinds)
            if kind:
                parts.append((kind, amount.value, rates))
    folded = words(head)
    amounts = find_amounts(head)
    if amounts and any(contains(folded, words(c)) for c in labels["fully_funded"]):
        rates = [r for r in find_percentages(head) if r == 100]
        parts.append(("eu_contribution", amounts[0].value, rates))
    return head, parts
