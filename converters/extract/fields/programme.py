"""Programme, programme reference (a CCI code) and funds: under their labels, else anywhere on the page.

Programme names, codes and funds are data (programmes.yaml, read by ``..programmes``).
"""

from __future__ import annotations

from .. import programmes as prog
from ..sheet import Sheet


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
        # a programme's name is stated under its label, or when it is the only programme the page names
        sheet.put("programme", distinct[0], where, found="stated" if from_label or len(distinct) == 1 else "inferred")
        if len(distinct) > 1 and labelled == []:
            sheet.ask("programme", "the text names more than one programme; the first is used", distinct,
                     [n for _, ls in found for n in ls])
    else:
        sheet.ask("programme", "no programme of the code list is named")
    fund_list = prog.funds(whole)
    if fund_list:
        sheet.put("funds", fund_list, [])
