"""The bounded reader (costcalc/source/files.py), the rule of names and paths, and what a message may quote
(docs/errors.md, "Limits", "Names and paths", "What a message quotes")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.errors import QUOTE_LIMIT, CostcalcError, quoted, shorten_quotes
from costcalc.source import files as input_files
from costcalc.source.files import LIMITS, MAX_NESTING, InputError, nesting, parse_json, parse_toml, read_bytes
from costcalc.source.names import names_a_file

ROOT = Path(__file__).resolve().parent.parent

JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}",\\ab'),
                          lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text("[]{}a"), inner,
                                                                                     max_size=2),
                          max_leaves=80)


def test_every_limit_is_documented() -> None:
    """docs/errors.md states each kind's size limit as the code has it."""
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for kind, limit in LIMITS.items():
        what = {"pyproject": "`pyproject.toml`", "budgets": "a budgets file", "baseline": "a baseline (JSON)",
                "spec": "a spec", "convention": "a convention file", "device": "a device file",
                "onnx": "an ONNX file", "measurements": "a measurements file (CSV)"}[kind]
        assert re.search(rf"^\| {re.escape(what)}.* \| {input_files.size_text(limit)} \|", doc, re.MULTILINE), kind


# An ONNX file is memory-mapped, never read whole (costcalc.onnx.wire): tests/test_hostile_files.py refuses one
# a byte over its limit without writing 2 GiB.
@pytest.mark.parametrize("kind", sorted(kind for kind in LIMITS if kind != "onnx"))
def test_a_file_is_read_up_to_its_limit_and_refused_one_byte_over(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * LIMITS[kind])
    assert len(read_bytes(str(path), kind)) == LIMITS[kind]
    path.write_bytes(b"x" * (LIMITS[kind] + 1))
    with pytest.raises(InputError, match="larger than"):
        read_bytes(str(path), kind)


@settings(max_examples=150, derandomize=True, database=None)
@given(JSON_VALUE)
def test_the_json_nesting_scan_agrees_with_the_parser(value: object) -> None:
    """Brackets inside strings never count: a JSON text is refused before parsing exactly when it nests too deep."""
    text = json.dumps(value)
    if nesting(value) > MAX_NESTING:
        with pytest.raises(InputError, match="nested more than"):
            parse_json(text, "b.json", "E510")
    else:
        assert parse_json(text, "b.json", "E510") == value


@pytest.mark.parametrize("text", [
    'a = "[[[[" # {{{{\nb = [1]\n',
    "a = '''\n[[[[\n'''\nb = \"\"\"\n{{{{\"\\\"\"\"\"\n",
    "a = 'x[' # '[[\nb = \"\\\\\" # [[\n",
])
def test_brackets_in_toml_strings_and_comments_do_not_count(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_files, "MAX_NESTING", 2)  # the document and b's array
    assert "a" in parse_toml(text, "p.toml", "E503")


@pytest.mark.parametrize(("text", "where"), [
    ("[" * 65 + "]" * 65, "1:65"),
    ('{"a": ' * 70 + "1" + "}" * 70, "1:385"),
    ("[\n" * 100 + "]" * 100, "65:1"),
])
def test_json_nested_too_deep_is_located_at_the_first_bracket_too_many(text: str, where: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_json(text, "b.json", "E510")
    assert str(caught.value) == f"b.json:{where}: error[E107]: the JSON is nested more than 64 levels deep"


@pytest.mark.parametrize(("name", "is_file"), [
    ("mobilenet_v1", False), ("paper", False), (".git-credentials", False), ("", False), ("id_rsa", False),
    ("./mobilenet_v1", True), ("nets/x", True), ("x.yaml", True), ("x.onnx", True), ("/etc/passwd", True),
    ("mobilenet_v1.yaml", True), ("../x", True),
])
def test_a_bare_name_is_never_a_file(name: str, is_file: bool) -> None:
    assert names_a_file(name) is is_file


@settings(max_examples=200, derandomize=True, database=None)
@given(st.text() | st.integers() | st.floats() | st.lists(st.text()) | st.none())
def test_a_quoted_value_is_one_short_line(value: object) -> None:
    shown = quoted(value)
    assert "\n" not in shown and "\r" not in shown and shown.isprintable()
    assert len(shown) <= 4 * QUOTE_LIMIT + 40  # escapes can make a character four
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        assert value not in shown and f"({len(value):,} characters)" in shown


@settings(max_examples=100, derandomize=True, database=None)
@given(st.text(min_size=41))
def test_a_parsers_quoted_piece_is_cut(secret: str) -> None:
    message = shorten_quotes(f"found undefined alias '{secret}'")
    assert secret.replace("'", "") not in message or "'" in secret
    assert "\n" not in message


def test_a_huge_number_is_described_not_printed() -> None:
    assert quoted(10**5000) == "a whole number of about 5,000 digits"


def test_input_errors_are_costcalc_errors() -> None:
    """The CLI prints them as diagnostics and exits 2, like every other bad input."""
    assert issubclass(InputError, CostcalcError)
