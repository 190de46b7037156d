"""Programme, programme reference (a CCI code) and funds: under their labels, else anywhere on the page.

Programme names, codes and funds are data (programmes.yaml, read by ``..programmes``).
"""

from __future__ import annotations

import re

from .. import programmes as prog
from ..sheet import Sheet

_PERIOD = re.compile(r"\b((?:19|20)\d\d)\.?\s*[-–—/]\s*((?:19|20)\d\d)\b")  # '2021.-2027.' (hr) too


def read(sheet: Sheet) -> None:
    labelled = [s for s in sheet.segments if s.kind in ("programme", "fund")]
    start = sheet.record.get("start_date")
    year = int(start[:4]) if start else None
    texts = []
    for seg in labelled:
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        texts.append((value, seg.label_lines + lines))
    whole = "\n".join(line.text for line in sheet.doc.lines)
    found = [(p, lines) for value, lines in texts for p, _ in prog.programmes(value, year)]
    from_label = bool(found)
    if not found:
        found = [(p, [sheet.line_of(p_off)]) for p, p_off in prog.programmes(whole, year)]
    refs = prog.references(whole)
    if refs:
        sheet.put("programme_reference", refs[0], [sheet.line_of(whole.index(refs[0]))])
        by_code = prog.programme_codes().get(refs[0])
        if by_code and not found:
            found = [(by_code, sheet.provenance["programme_reference"]["lines"])]
    distinct = list(dict.fromkeys(p for p, _ in found))
    if distinct:
        where = next(lines for p, lines in found if p == distinct[0])
        # a programme's name is stated under its label, or when it is the only programme the page names; a
        # generation told by the start year ('AMIF' -> AMIF-2014-2020) that another period on the page
        # contradicts ('... (AMIF) 2021–2027') is a guess
        if _other_period(distinct[0], whole):
            sheet.put("programme", distinct[0], where, derived="the page names another programming period than this programme's")
        else:
            # one programme, named only in another project's row
            only_listed = not from_label and bool(where) and set(where) <= _listed(sheet)
            # a programme label whose value names no programme of the code list ('Program: EU's LIFE-program')
            # says which programme is the project's: one named elsewhere on the page is another's, perhaps
            other_named = not from_label and any(seg.kind == "programme" for seg in labelled) and any(v for v, _ in texts)
            if other_named:
                sheet.put("programme", distinct[0], where, derived="the programme label names one the code list does "
                                                                   "not have; this one is named elsewhere on the page")
            else:
                sheet.put("programme", distinct[0], where,
                          found="stated" if (from_label or len(distinct) == 1) and not only_listed else "inferred")
        if len(distinct) > 1 and labelled == []:
            sheet.ask("programme", "the text names more than one programme; the first is used", distinct,
                     [n for _, ls in found for n in ls])
    else:
        sheet.ask("programme", "no programme of the code list is named")
    fund_list = prog.funds(whole, year)
    if fund_list:
        # a fund named only in a list or a table row no label claims ('Other EU projects: ... (ESF+)',
        # '| Fietsvriendelijke binnenstad | EFRO Oost |') may be another project's; so may one the page names
        # beside the funds its fund label names ('Fond: ESF+', and further down another project's ERDF)
        listed = {line.number for line in sheet.free if line.bullet or " | " in line.text}
        own = prog.funds("\n".join(line.text for line in sheet.doc.lines if line.number not in listed), year)
        named = prog.funds("\n".join(value for value, _ in texts), year)
        # a programme label's value naming several funds is a multi-fund programme's name ('Programme
        # FEDER-FSE+-FTJ Hauts-de-France'): it says which funds the programme has, not the project
        in_names = {n for seg, (value, lines) in zip(labelled, texts) if seg.kind == "programme"
                    and len(prog.funds(value, year)) > 1 for n in lines}
        elsewhere = prog.funds("\n".join(line.text for line in sheet.doc.lines if line.number not in in_names), year) \
            if in_names else fund_list
        if set(fund_list) - set(own):
            sheet.put("funds", fund_list, [], derived="a fund named only in a list no label claims, perhaps another project's")
        elif set(fund_list) - set(elsewhere):
            sheet.put("funds", fund_list, [], derived="a fund named only in the name of a programme of several funds: "
                                                      "the programme's, perhaps not the project's")
        elif named and set(fund_list) - set(named):
            sheet.put("funds", fund_list, [], derived="a fund named beside those its label names, perhaps another project's")
        elif not named and len(fund_list) > 1 and _uneven(whole, fund_list, year):
            # 'ERDF' once in a newsletter's other item beside the project's 'ESF+' three times; 'FSE+' only in the
            # programme's name 'FEDER-FSE+': which funds are the project's, no label says
            sheet.put("funds", fund_list, [], derived="funds named unevenly and under no label: one may be another "
                                                      "project's or only in a programme's name")
        else:
            # 'ESF' alone in a project starting in 2022: ESF+, or the 2014-2020 fund whose projects still started then
            sheet.put("funds", fund_list, [], derived=prog.period_told(whole, year))


def _uneven(text: str, funds: list[str], year: int | None) -> bool:
    """Several funds, one named fewer times than another, or each once: the page does not say they are all the project's."""
    counts = [prog.fund_mentions(text, fund, year) for fund in funds]
    return min(counts) < max(counts) or max(counts) == 1


def _listed(sheet: Sheet) -> set[int]:
    """The lines of lists and table rows no programme or fund label claims: where a page names other projects
    (a programme named only there may be another project's)."""
    claimed = {n for seg in sheet.segments if seg.kind in ("programme", "fund") for n in seg.lines}
    return {line.number for line in sheet.doc.lines if (line.bullet or " | " in line.text) and line.number not in claimed}


def _other_period(notation: str, text: str) -> bool:
    """The programme's notation names a period ('AMIF-2014-2020') and the page names only other seven-year
    programming periods ('2021–2027')."""
    own = _PERIOD.search(notation)
    if not own:
        return False
    periods = {(a, b) for a, b in _PERIOD.findall(text) if int(b) - int(a) == 6}
    return bool(periods) and (own.group(1), own.group(2)) not in periods
