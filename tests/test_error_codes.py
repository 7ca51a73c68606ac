"""Stable error codes: every diagnostic has one, every code is documented (docs/errors.md) with a real example,
and the documented examples are what costcalc prints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from costcalc.errors import CODES

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([EW]\d{3})` \| (.*?) \| (.*) \|$", re.MULTILINE)
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)


def test_codes_are_well_formed_and_grouped_by_stage() -> None:
    """Errors E100-E699 by stage, then warnings W100-W199 (``PLACE: warning[W100]: message``)."""
    assert all(re.fullmatch(r"E[1-6]\d\d|W1\d\d", code) for code in CODES)
    assert list(CODES) == sorted(CODES)


def test_a_warning_prints_as_a_warning() -> None:
    from costcalc.errors import Diagnostic, Location

    assert str(Diagnostic(Location("x", 2, 3), "m", "W100")) == "x:2:3: warning[W100]: m"
    assert str(Diagnostic(Location("x", 2, 3), "m", "E100")) == "x:2:3: error[E100]: m"


def test_every_code_is_documented_once_with_its_meaning() -> None:
    rows = {code: (meaning, example) for code, meaning, example in ROW.findall(DOC)}
    assert sorted(rows) == sorted(CODES)
    for code, (meaning, _example) in rows.items():
        assert meaning == CODES[code]


def test_documented_examples_from_bad_specs_are_what_costcalc_prints() -> None:
    # The harness in test_spec_errors.py checks each bad spec's expected lines against a real run; here,
    # the docs must quote those lines exactly.
    quoted = re.findall(r"`` (\w+\.yaml):(\d+:\d+: error\[(E\d+)\]: .*?) ``", DOC)
    assert len(quoted) >= 25
    for name, line, code in quoted:
        path = ROOT / "tests" / "bad_specs" / name
        if path.exists():
            assert line in EXPECT.findall(path.read_text(encoding="utf-8")), (name, line)
        assert code in CODES


def test_every_bad_spec_diagnostic_has_a_known_code() -> None:
    for path in sorted((ROOT / "tests" / "bad_specs").glob("*.yaml")):
        for line in EXPECT.findall(path.read_text(encoding="utf-8")):
            match = re.match(r"\d+:\d+: error\[(E\d{3})\]: \S", line) or re.match(r"error\[(E\d{3})\]: \S", line)
            assert match, (path.name, line)
            assert match[1] in CODES, (path.name, line)


def test_every_diagnostic_in_the_code_is_given_a_code() -> None:
    """A static check: each ``Diagnostic(...)`` and ``problems.add(...)``/``.error(...)`` call of the package
    passes a code, written as a literal of CODES where it is a literal."""
    missing = []
    for path in sorted((ROOT / "costcalc").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            wanted = {"Diagnostic": 3, "add": 3, "error": 3, "warn": 3}.get(name)
            if wanted is None or (name in ("add", "error") and not _is_problem_sink(func)) or (
                    name == "warn" and not isinstance(func, ast.Name)):  # costcalc.errors.warn, not warnings.warn
                continue
            args = list(node.args) + [keyword.value for keyword in node.keywords]
            if len(args) < wanted:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                continue
            code = args[2]
            if isinstance(code, ast.Constant):
                assert code.value in CODES, f"{path.relative_to(ROOT)}:{node.lineno}: unknown code {code.value!r}"
    assert not missing, f"calls without an error code: {missing}"


def _is_problem_sink(func: ast.AST) -> bool:
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in (
        "problems", "reader", "self") and func.attr in ("add", "error")
