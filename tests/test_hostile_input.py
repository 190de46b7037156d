"""Hostile record files through the command line and its loader (issue 14, items 7 and 8).

Small inputs with huge costs (a YAML alias bomb), inputs Python cannot hold (5 000 nested
brackets, a lone surrogate, an undecodable byte, a 17 MiB text) each used to end the whole
command as "unexpected error", exit 2, no file named. Each is now a problem naming the file
(and the line, or the record and field, as far as they are known), and the other records are
still validated and built. The command line runs as users run it (the console script, real
files); the property-based tests feed generated hostile documents to the loader the command
line uses (converters.records.load_file, through converters.sources.load_sources).
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.converters.documents import Limits, current_limits, set_limits
from eulod.converters.records import RecordProblem, load_file
from eulod.converters.sources import load_sources
from eulod.pipeline.report import group_by_record, text_report

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "data" / "records"
GOOD = ("000-cities-at-heart.yaml", "002-co4cities.yaml")
GOOD_IDS = ("cities-at-heart", "co4cities")
EULOD = Path(sys.executable).with_name("eulod")
GIB = 1024**3


def eulod(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, memory: int | None = None) -> subprocess.CompletedProcess:
    """The console script as a user runs it; ``memory`` caps its address space (bytes)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")} | (env or {})

    def cap() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [str(EULOD), *map(str, args)], cwd=cwd, env=environ, capture_output=True, text=True,
        timeout=600, preexec_fn=cap,  # a hang guard, not a timing assert
    )


def minimal(record_id: str = "demo", **fields) -> dict:
    return {"id": record_id, "language": "en", "title": "Demo", "programme": "URBACT-IV",
            "source": {"file": "factsheets/demo.txt"}, **fields}


def alias_bomb() -> str:
    """A record whose description is 9^7 (4.8 million) texts made of 9 + 7 * 9 aliases: 400 bytes."""
    levels = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefg", "bcdefgh"):
        levels.append(f"&{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    head = "id: bomb\nlanguage: en\ntitle: t\nprogramme: URBACT-IV\nsource: {file: x.txt}\n"
    return head + "notes: " + levels[0] + "\ndescription: [" + ", ".join(levels[1:]) + "]\n"


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# name -> (file content, words the problem must say)
HOSTILE: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "bomb.yaml": (alias_bomb().encode(), ("aliases", "line 7")),
    "deep-list.yaml": (("[" * 5000 + "]" * 5000 + "\n").encode(), ("nested more than 32 deep", "line 1")),
    "deep-map.yaml": (("{a: " * 5000 + "1" + "}" * 5000 + "\n").encode(), ("nested more than 32 deep", "line 1")),
    "deep.json": (deep_json(5000).encode(), ("nested more than 32 deep", "line 1")),
    "deep.jsonl": ((json.dumps(minimal("jsonl-ok")) + "\n" + deep_json(5000) + "\n").encode(), ("nested", "line 2")),
    "surrogate.json": (json.dumps(minimal("lone", title="caf\ud800")).encode(), ("field title", "surrogate")),
    "not-utf8.yaml": (b"id: latin\nlanguage: en\ntitle: \"caf\xe9\"\n", ("not UTF-8", "line 3")),
    "huge-text.json": (json.dumps(minimal("huge", title="x" * (17 * 1024 * 1024))).encode(),
                       ("field title", "17 MiB", "at most 1 MiB")),
    "long-number.json": (b'{"id": ' + b"9" * 5000 + b"}", ("number", "line 1")),
    "binary-tag.yaml": (b"id: tagged\ntitle: !!binary aGVsbG8=\n", ("binary", "line 2")),
}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Two good sample records."""
    target = tmp_path / "records"
    target.mkdir()
    for name in GOOD:
        shutil.copy(RECORDS / name, target / name)
    return target


def assert_named_cleanly(run: subprocess.CompletedProcess, name: str, words: tuple[str, ...]) -> str:
    """The bad file's block of a text report, once checked to be a plain problem report."""
    output = run.stdout + run.stderr
    assert "unexpected error" not in output and "Traceback" not in output, output[-3000:]
    assert run.returncode == 1, output[-3000:]
    block = output.split(name, 1)[1].split("\n/", 1)[0][:3000] if name in output else ""
    assert block, f"{name} is not named:\n{output[-3000:]}"
    for word in words:
        assert word in block, f"{word!r} not in:\n{block}"
    return block


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_validate_names_the_hostile_file_and_still_checks_the_good_ones(folder: Path, name: str):
    content, words = HOSTILE[name]
    (folder / name).write_bytes(content)
    run = eulod("validate", folder, cwd=folder.parent, memory=2 * GIB)
    assert_named_cleanly(run, name, words)
    for record in GOOD_IDS:  # validated: their SHACL results are there
        assert f"record '{record}'" in run.stdout
    assert "warning [durationMonths]" in run.stdout


@pytest.mark.slow
def test_the_alias_bomb_costs_little_memory_and_is_never_printed(folder: Path):
    (folder / "bomb.yaml").write_bytes(HOSTILE["bomb.yaml"][0])
    assert len(HOSTILE["bomb.yaml"][0]) < 441
    run = eulod("validate", folder / "bomb.yaml", cwd=folder.parent, memory=1 * GIB)  # it took 2.3 GB
    assert_named_cleanly(run, "bomb.yaml", ("aliases",))
    assert run.stdout.count("lol") == 0 and len(run.stdout) < 2000


@pytest.mark.slow
def test_build_loads_the_good_records_and_names_every_bad_file(folder: Path, tmp_path: Path):
    for name, (content, _words) in HOSTILE.items():
        (folder / name).write_bytes(content)
    build_dir = tmp_path / "build"
    run = eulod("build", "--skip-invalid", "--build-dir", build_dir, folder, cwd=tmp_path, memory=2 * GIB)
    for name, (_content, words) in HOSTILE.items():
        assert_named_cleanly(run, name, words)
    manifest = json.loads((build_dir / "current" / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["records"]) == sorted([*GOOD_IDS, "jsonl-ok"])

    strict = eulod("build", "--build-dir", tmp_path / "strict", folder, cwd=tmp_path, memory=2 * GIB)
    assert_named_cleanly(strict, "deep.json", ("nested",))
    assert "not loaded" in strict.stderr


@pytest.mark.slow
def test_a_text_over_the_configured_limit_is_the_record_field_problem(folder: Path):
    record = minimal("wordy", description="word " * 500)  # 2 500 bytes
    (folder / "wordy.json").write_text(json.dumps(record), "utf-8")
    assert eulod("validate", folder / "wordy.json", cwd=folder).returncode == 0  # under the default limit
    run = eulod("validate", folder, cwd=folder, env={"EULOD_MAX_TEXT_KB": "2"})
    block = assert_named_cleanly(run, "wordy.json", ("record 'wordy'", "field description", "at most 2 KiB", "max_text_kb"))
    assert "word word" not in block  # the value itself is not printed


@pytest.mark.slow
def test_a_record_file_over_the_configured_size_is_refused_unread(folder: Path):
    big = folder / "big.yaml"
    big.write_text(yaml.safe_dump(minimal("big", description="x" * (2 * 1024 * 1024))), "utf-8")
    run = eulod("validate", folder, cwd=folder, env={"EULOD_MAX_RECORD_FILE_MB": "1"})
    assert_named_cleanly(run, "big.yaml", ("larger than 1 MiB", "max_record_file_mb"))
    assert "record 'co4cities'" in run.stdout


@pytest.mark.slow
def test_a_json_lines_file_keeps_the_lines_around_a_giant_one(tmp_path: Path):
    lines = [json.dumps(minimal("first")), json.dumps(minimal("giant", description="x" * (2 * 1024 * 1024))),
             json.dumps(minimal("last"))]
    path = tmp_path / "bulk.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    run = eulod("validate", path, cwd=tmp_path, env={"EULOD_MAX_RECORD_FILE_MB": "1"})
    assert_named_cleanly(run, "bulk.jsonl", ("record 'line 2'", "longer than a record file may be"))
    assert "record 'first'" in run.stdout and "record 'last'" in run.stdout


def test_yaml_documents_before_a_bad_one_are_kept(tmp_path: Path):
    path = tmp_path / "several.yaml"
    path.write_text(yaml.safe_dump(minimal("kept")) + "---\n" + "[" * 100 + "]" * 100 + "\n", "utf-8")
    result = load_file(path)
    assert [r.id for r in result.records] == ["kept"]
    (problem,) = result.problems
    assert "line 8" in problem.reason and "the 1 document(s) before it were read" in problem.reason


def test_a_config_file_nested_too_deep_is_a_configuration_error(tmp_path: Path):
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * 3000 + "1" + "]" * 3000 + "\n", "utf-8")
    run = eulod("--config", config, "validate", RECORDS, cwd=tmp_path)
    assert run.returncode == 2 and "unexpected error" not in run.stderr
    assert "configuration error" in run.stderr and "deep.toml" in run.stderr


def test_a_mapping_file_with_an_alias_bomb_is_a_mapping_error(tmp_path: Path):
    mapping = tmp_path / "bomb-mapping.yaml"
    mapping.write_text("record: {id: a, title: b}\n" + alias_bomb().split("\n", 5)[5].replace("notes", "extra"), "utf-8")
    table = tmp_path / "rows.csv"
    table.write_text("a,b\n1,2\n", "utf-8")
    run = eulod("import", "csv", table, "--mapping", mapping, "-o", tmp_path / "out.jsonl", cwd=tmp_path, memory=1 * GIB)
    assert run.returncode == 2, run.stderr
    assert "mapping error" in run.stderr and "bomb-mapping.yaml" in run.stderr and "aliases" in run.stderr


# --- -v / -vv, and the hint printed on an unexpected error ------------------------------------

COMMANDS = [  # each command with the arguments it requires
    ["build"], ["validate", "r.yaml"], ["extract", "f.txt"], ["serve"], ["publish"],
    ["import", "csv", "t.csv", "--mapping", "kohesio", "-o", "o.jsonl"], ["import", "cordis", "p.csv", "o.csv", "-o", "o.jsonl"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_verbose_is_accepted_before_and_after_the_command(command: list[str]):
    """The parser eulod runs, as it reads these command lines (nothing is executed)."""
    from eulod.cli import parser

    assert parser().parse_args(["-vv", *command]).verbose == 2
    assert parser().parse_args([*command, "-vv"]).verbose == 2
    assert parser().parse_args(command).verbose == 0


@pytest.mark.slow
def test_the_hint_on_an_unexpected_error_is_a_command_that_works(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", "utf-8")
    run = eulod("build", "--build-dir", blocker / "build", RECORDS, cwd=tmp_path)  # the build folder cannot be made
    assert run.returncode == 2 and "unexpected error" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    hint = run.stderr.split("for details, run: ", 1)[1].rstrip().removesuffix(")")
    suggested = shlex.split(hint)
    assert suggested[0] == "eulod"
    again = eulod(*suggested[1:], cwd=tmp_path)
    assert again.returncode == 2
    assert "unrecognized arguments" not in again.stderr and "Traceback (most recent call last)" in again.stderr
    assert "for details, run" not in again.stderr  # it already is the detailed run


# --- generated hostile documents through the loader -------------------------------------------

SMALL = Limits(file_bytes=256 * 1024, text_bytes=2 * 1024)


@pytest.fixture()
def small_limits():
    """Limits small enough that generated documents cross them cheaply; the defaults come back after."""
    before = current_limits()
    set_limits(SMALL)
    yield SMALL
    set_limits(before)


any_text = st.text(st.characters(codec=None, categories=None), max_size=40)  # surrogates and controls too
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text
    | st.integers(0, 6000).map(lambda n: "y" * n),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=30,
)


@st.composite
def hostile_json(draw) -> bytes:
    """A record (or not) with generated values, nested, as JSON with every non-ASCII escaped."""
    value = draw(json_values)
    if draw(st.booleans()):
        value = minimal(draw(any_text), **{draw(st.sampled_from(["title", "description", "notes", "x"])): value})
    for _ in range(draw(st.integers(0, 3))):
        value = draw(st.sampled_from([lambda v: [v], lambda v: {"k": v}]))(value)
    text = json.dumps(value, ensure_ascii=True, allow_nan=True)
    depth = draw(st.sampled_from([0, 0, 31, 33, 900, 5000]))
    return ("[" * depth + text + "]" * depth).encode()


@st.composite
def hostile_yaml(draw) -> bytes:
    """YAML with aliases, tags, deep flows, long texts and big numbers mixed into a record."""
    width, depth = draw(st.integers(1, 12)), draw(st.integers(0, 9))
    parts = [f"&a0 [{', '.join(['x'] * width)}]"]
    parts += [f"&a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]" for n in range(1, depth + 1)]
    extra = draw(st.sampled_from([
        "", "t: !!binary aGVsbG8=", "t: !!set {a, b}", "t: !!timestamp 2020-01-01", "t: !!python/object:os.system x",
        "t: &r [*r]", "t: " + "9" * 5000, "t: .nan", "? [a]\n: b", "t: \"\\ud800\"", "t: \"\\x00\"", "yes: no",
        "t: " + "[" * 40 + "]" * 40, "t: *undefined", "t: " + "z" * 3000, "<<: {a: 1}", "t: &d 1\nu: &d 2",
        # the refused tags spelt other ways: verbatim, through a %TAG handle, in another case
        "t: !<tag:yaml.org,2002:binary> aGVsbG8=", "t: !e!binary aGVsbG8=", "t: !!Binary aGVsbG8=",
        "t: !<tag:yaml.org,2002:set> {a, b}", f"<<: [*a{depth}, *a{depth}]", f"t: {{<<: *a{depth}}}",
    ]))
    prefix = draw(st.sampled_from(["", "%TAG !e! tag:yaml.org,2002:\n---\n", "%YAML 1.1\n---\n", "\ufeff"]))
    body = f"{prefix}id: y\nlanguage: en\ntitle: t\nnotes: [{', '.join(parts)}]\n{extra}\n"
    return body.encode()


def mutate(data: bytes, draw) -> bytes:
    """The bytes with a BOM, another encoding, or random bytes spliced in."""
    how = draw(st.sampled_from(["as-is"] * 4 + ["bom", "utf16", "latin1", "splice", "truncate"]))
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "utf16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if how == "latin1":
        return data.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9\xff"
    if how == "splice":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    if how == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def hostile_files(draw) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".json", ".jsonl", ".yaml", ".yml"]))
    kind = draw(st.sampled_from(["json", "yaml", "bytes"]))
    if kind == "json":
        data = draw(hostile_json())
    elif kind == "yaml":
        data = draw(hostile_yaml())
    else:
        data = draw(st.binary(max_size=300))
    if suffix == ".jsonl" and draw(st.booleans()):
        data = b"\n".join([json.dumps(minimal("around")).encode(), data, data])
    return suffix, mutate(data, draw)


def assert_reported(result, shown: str) -> None:
    """Problems, never exceptions; each names the file, is short, and prints as UTF-8."""
    assert result.records or result.problems
    for problem in result.problems:
        assert isinstance(problem, RecordProblem)
        assert problem.file == shown
        assert len(str(problem)) < 2000
    for record in result.records:
        json.dumps(record.data).encode("utf-8")  # what was accepted is plain, encodable JSON
    report = text_report(group_by_record(result.problems, []))
    report.encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(file=hostile_files())
def test_generated_hostile_files_are_problems_naming_the_file(small_limits, file):
    suffix, data = file
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hostile{suffix}"
        path.write_bytes(data)
        assert_reported(load_file(path), str(path))
        assert_reported(load_sources([Path(folder)]), str(path))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values, record_id=any_text)
def test_generated_values_in_a_record_never_escape_as_exceptions(small_limits, value, record_id):
    """Straight to the record check (as tables and fact-sheet drafts are): values of any type too."""
    from datetime import date

    from eulod.converters.records import check_record

    odd = [b"bytes", date(2020, 1, 1), {1, 2}, (1, 2), complex(1, 2), 10**400]
    for extra in [value, *odd]:
        problems = check_record(minimal(record_id, description=extra, **{"x": value}), "f.json")
        assert problems and all(p.file == "f.json" and len(str(p)) < 2000 for p in problems)
        "\n".join(map(str, problems)).encode("utf-8")


# --- characters XML cannot carry -------------------------------------------------------------

NOT_XML = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]] + ["\ufffe", "\uffff"]
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(NOT_XML)), max_size=40)


def _record_with(where: str, text: str) -> dict:
    record = {"id": "xml-check", "language": "en", "title": "A project", "source": {"file": "sheet.txt"},
              "participants": [{"role": "partner", "organisation": {"id": "an-org", "name": "An org"}}]}
    if where == "title":
        record["title"] = text
    elif where == "description":
        record["description"] = {"en": text}
    elif where == "participants[0].organisation.name":
        record["participants"][0]["organisation"]["name"] = text
    else:  # a key: the schema refuses unknown keys too, but the character is what is named first
        record[text] = "value"
    return record


@settings(max_examples=150, deadline=None)
@given(before=XML_TEXT, bad=st.sampled_from(NOT_XML), after=XML_TEXT,
       where=st.sampled_from(["title", "description", "participants[0].organisation.name", "key"]))
def test_a_character_xml_cannot_carry_is_the_field_problem(before: str, bad: str, after: str, where: str):
    """A literal holding U+000B (a vertical tab from a word processor) or U+0000 made every SPARQL
    XML result and RDF/XML answer showing it unreadable (SPARQLWrapper's default format); such a
    record is now refused naming the field and the character, wherever the character is."""
    from eulod.converters.records import check_record

    problems = check_record(_record_with(where, before + bad + after), "hostile.yaml")
    named = [p for p in problems if f"U+{ord(bad):04X}" in p.reason]
    assert named, problems
    if where != "key":
        assert named[0].field == {"description": "description.en"}.get(where, where)
        assert f"at character {len(before) + 1}" in named[0].reason


@settings(max_examples=150, deadline=None)
@given(text=XML_TEXT.filter(lambda t: t.strip()))
def test_text_xml_can_carry_is_never_refused_for_it(text: str):
    """Tabs, line breaks and every other character (any script, emoji, C1 controls) stay allowed."""
    from eulod.converters.records import check_record

    problems = check_record(_record_with("title", text + "\t\n\r" + text), "fine.yaml")
    assert not [p for p in problems if "XML cannot carry" in p.reason], problems


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values, ascii_only=st.booleans(), depth=st.integers(0, 40))
def test_a_json_line_judged_plain_from_its_text_needs_no_walk(small_limits, value, ascii_only: bool, depth: int):
    """JSON Lines records skip the walk of their values when their text proves them plain
    (converters.documents.json_plain): that proof must never pass what the walk would report,
    whatever the text holds (controls, surrogates, \\b and \\f escapes, deep nesting, long texts)."""
    from eulod.converters.documents import json_plain, value_problems

    for _ in range(depth):
        value = [value]
    try:
        text = json.dumps(value, ensure_ascii=ascii_only)
    except ValueError:  # a float json cannot write
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if json_plain(text, size):
        assert value_problems(json.loads(text)) == []


def test_json_plain_proves_ordinary_records_plain():
    """The fast path is taken: the sample records written as JSON Lines all count as plain."""
    from eulod.converters.documents import json_plain

    lines = [json.dumps(yaml.safe_load(path.read_text("utf-8")), ensure_ascii=False, default=str)
             for path in sorted(RECORDS.glob("*.yaml"))]
    assert lines and all(json_plain(line, len(line.encode("utf-8"))) for line in lines)
