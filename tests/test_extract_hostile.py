"""Fact sheets built to make the extractor's regular expressions backtrack: each is read in time.

Found by adversarial testing (session 30): a line of '[' (a Markdown link's text ran to the line's
end at every '['), '![' (images), '<https://' (angle-bracket addresses) and one very long word after a
front-matter key (a quoted-name pattern tried every start and length of the word) each took hours on
a 2 MB sheet, the size `eulod extract` accepts. At 400 KB a quadratic pattern takes minutes where the
extractor now takes seconds; the limit below is generous for a busy machine and far below the
quadratic time. Each sheet runs in a subprocess, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SIZE = 400_000
SHEETS = {
    "link-brackets.md": "[" * SIZE,
    "link-targets.md": "[a](" * (SIZE // 4),
    "images.md": "![" * (SIZE // 2),
    "image-targets.md": "![a](" * (SIZE // 5),
    "angle-addresses.txt": "<https://x" * (SIZE // 10),
    "front-matter-word.md": '+++\ntitle = "' + "x" * SIZE + '"\n+++\n',
    "long-word.txt": "Project: " + "x" * SIZE,
    "dot-leaders.txt": "Name " + ". " * (SIZE // 2) + "x",
    "check-boxes.txt": "☐ " * (SIZE // 2),
    "tracked-changes.md": "]{.deletion}" + "[a" * (SIZE // 2),
    "json-brackets.json": "[" * (SIZE // 2) + "]" * (SIZE // 2),
}


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_a_hostile_sheet_is_read_in_time(tmp_path: Path, name: str) -> None:
    sheet = tmp_path / name
    sheet.write_text(SHEETS[name], encoding="utf-8")
    code = ("import sys; from eulod.converters.extract.factsheet import extract_file; "
            "d = extract_file(__import__('pathlib').Path(sys.argv[1])); print('done', d.record is None)")
    done = subprocess.run([sys.executable, "-c", code, str(sheet)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("done")
