"""bench/scale.py's reading of `eulod build`'s terminal output: which stage began when.

Run 11's report at 100 000 glued two stage lines into one stage name, because the pseudo-terminal
carried a cleared progress bar and the next stage's line with no line end between them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# Loaded by its path, not through sys.path: bench/ holds modules (endpoint.py) whose names
# would shadow the project's packages for every test collected after this one.
_SPEC = importlib.util.spec_from_file_location("bench_scale", Path(__file__).resolve().parents[1] / "bench" / "scale.py")
scale = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_scale"] = scale  # dataclasses and annotations look the module up by name
_SPEC.loader.exec_module(scale)


def _stages(tmp_path: Path, chunks: list[tuple[bytes, float]]) -> list[tuple[str, float]]:
    lines = scale.StderrLines(tmp_path / "stderr.log")
    for data, at in chunks:
        lines.feed(data, at)
    lines.close(chunks[-1][1])
    return lines.stages


def test_two_stage_lines_without_a_line_end_are_two_stages(tmp_path: Path) -> None:
    glued = (b"\x1b[2Keulod build: computing the summaries...\x1b[2K"
             b"eulod build: comparing with the previous build...\n")
    stages = _stages(tmp_path, [(b"eulod build: converting...\n", 1.0), (glued, 5.0)])
    assert [name for name, _ in stages] == ["converting", "computing the summaries", "comparing with the previous build"]
    assert [at for _, at in stages] == [1.0, 5.0, 5.0]


def test_a_stage_line_split_across_reads_is_one_stage(tmp_path: Path) -> None:
    stages = _stages(tmp_path, [(b"eulod build: load", 1.0), (b"ing the store...\r", 2.0), (b"done\n", 3.0)])
    assert stages == [("loading the store", 2.0)]


def test_timed_log_lines_are_still_read(tmp_path: Path) -> None:
    lines = scale.StderrLines(tmp_path / "stderr.log")
    lines.feed(b"INFO eulod.pipeline.store: bulk-loaded the data in 4.20 s\n", 9.0)
    lines.close(9.0)
    assert lines.timed == [("bulk-loaded the data", 4.2, 9.0)]


def test_a_failed_commands_last_lines_are_kept_in_its_result(tmp_path: Path) -> None:
    """Run 14's 1 000 000 build exited with 2 and its stderr went with its folder: the result keeps the last lines."""
    script = "import sys\nfor n in range(30): print(f'line {n}', file=sys.stderr)\nsys.exit(2)\n"
    failed = scale.run_measured([sys.executable, "-c", script], tmp_path, "failing", terminal=True)
    assert failed["returncode"] == 2
    assert failed["tail"] == [f"line {n}" for n in range(30 - scale.TAIL_LINES, 30)]
    passed = scale.run_measured([sys.executable, "-c", "print('fine')"], tmp_path, "passing", terminal=True)
    assert passed["returncode"] == 0 and passed["tail"] == []
    report = scale.command_report([{"size": 10, "build": failed, "load_before": (0.1,), "load_after": (0.1,)}], [], "x")
    assert "line 29" in report and "exited with 2" in report
