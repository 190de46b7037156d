"""The project's website: under its label (a link or a URL), else a free line that is only a URL."""

from __future__ import annotations

from ..page import URL
from ..segments import blocks
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    for seg in sheet.of("website"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        links = [l for line in seg.body for l in line.links if l.startswith("http")]
        match = links[0] if links else (URL.search(value).group(0) if URL.search(value) else None)
        if match:
            sheet.put("website", _absolute(match), seg.label_lines + lines)
            return
    for block in blocks(sheet.free):
        text = " ".join(line.text for line in block).strip("<> ")
        if URL.fullmatch(text):
            sheet.put("website", _absolute(text), [line.number for line in block])
            return


def _absolute(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
