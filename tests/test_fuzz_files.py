"""Fuzzing the files beside a spec: budgets files, ``[tool.costcalc]`` tables, baselines, device and convention
files (issue 12). The spec fuzzer (tests/test_fuzz.py) never reaches these.

Each example is a file of one kind, built from its real keys with random structures and scalar types at every
key (or random in whole), written into a fresh folder beside a small spec and valid files of the other kinds,
and read by the command that reads it, in-process (``cli_helpers.run``). Whatever the file holds:

- the exit code is 0, 1 or 2, never 3 (an internal error) and no exception escapes the command;
- on exit 2, every line of stderr is a diagnostic located in one of the folder's files, or in a file the
  document names (``FILE[:LINE:COL]: error[CODE]: message``), a warning, or click's usage text; nothing is a
  traceback, and no control character reaches stderr.

The examples are derandomized (the same every run); ``COSTCALC_FUZZ_EXAMPLES=2000`` runs that many random
ones per test to hunt for new bugs.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import tempfile
from typing import Any

import pytest
import yaml
from cli_helpers import TINY_SPEC, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.budget.config import CHECK_KEYS
from costcalc.errors import printable
from costcalc.source.bundled import bundled_specs

BUNDLED = set(bundled_specs().values())

EXAMPLES = int(os.environ.get("COSTCALC_FUZZ_EXAMPLES", "0"))
SETTINGS = settings(max_examples=EXAMPLES or 25, derandomize=not EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DEVICE = {"name": "dev", "peak_mult_adds_per_s": {"fp32": 10**12}, "bandwidth_bytes_per_s": 10**10, "source": "a test"}
CONVENTION = {"name": "mine", "mult_adds": {"weight_macs": 1, "bn_elements": {"times": 2, "kind": "op"}},
              "params": ["weights", "biases"]}
FILES = ("tiny.yaml", "base.json", "dev.yaml", "conv.yaml", "costcalc.yaml", "pyproject.toml")
DIAGNOSTIC = re.compile(r"^(?P<place>.+?)(:\d+:\d+)?: (error|warning)\[[EW]\d{3}\]: \S")
USAGE = re.compile(r"^(Usage: costcalc|Try 'costcalc|Error: |\s*$)")
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

# Scalars of every type a YAML, TOML or JSON file can hold, text that means something to costcalc, and text
# that does not. (Numbers written as text with huge exponents are the number parsers' own fuzzers' concern.)
TEXT = st.sampled_from(["", "5M", "600M", "4.2M", "1%", "-1%", "0.75", "3/4", "20ms", "4MB", "fp16", "paper",
                        "torchvision", "mobilenet_v1", "raspberry_pi_4", "tiny.yaml", "./tiny.yaml", "nope",
                        "../outside.yaml", "/etc/hostname", "dev.yaml", "conv.yaml", "base.json", "a\nb", "\x1b[31m",
                        "k" * 300, "weights", "weight_macs", "mac", "op", "224"]) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
SCALAR = (st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.sampled_from([0, 1, 224, 10**30, -(10**30)])
          | st.floats(allow_nan=True, allow_infinity=True) | TEXT)
KEY = st.sampled_from(["a", "checks", "spec", "name", "fp32", "weights"]) | st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY, inner, max_size=3),
                     max_leaves=6)


VALID_CHECK_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "spec": st.sampled_from(["tiny.yaml", "./tiny.yaml", "mobilenet_v1_shallow"]),
    "alpha": st.sampled_from([1, 0.5, "3/4", [1, 0.5]]),
    "resolution": st.sampled_from([32, 16, [32, 24]]),
    "depth_multiplier": st.sampled_from([1, "1", [1, 1]]),
    "width_rule": st.sampled_from(["truncate", "torchvision", "tfslim"]),
    "convention": st.sampled_from(["paper", "torchvision", "conv.yaml", "./conv.yaml"]),
    "max_mult_adds": st.sampled_from(["5M", 100, "1G"]),
    "max_params": st.sampled_from(["5M", 1000, "10k"]),
    "max_increase": st.sampled_from(["1%", 0, "50%"]),
    "min_delta": st.sampled_from([0, 1000, "1k"]),
    "max_latency": st.sampled_from(["20ms", "1s"]),
    "max_peak_memory": st.sampled_from(["4MB", 100]),
    "device": st.sampled_from(["raspberry_pi_4", "dev.yaml"]),
    "dtype": st.sampled_from(["fp32", "int8"]),
    "message": st.sampled_from(["the phone budget", ""]),
    "require_calibrated": st.sampled_from([False, True]),
}
assert set(VALID_CHECK_VALUES) == set(CHECK_KEYS)
CHECK = st.fixed_dictionaries({"spec": VALID_CHECK_VALUES["spec"], "max_params": VALID_CHECK_VALUES["max_params"]},
                              optional={key: value for key, value in VALID_CHECK_VALUES.items()
                                        if key not in ("spec", "max_params", "max_latency")})
VALID_BUDGETS = st.fixed_dictionaries({"checks": st.lists(CHECK, min_size=1, max_size=3)},
                                      optional={"baseline": st.just("base.json")})


def _report() -> dict[str, Any]:
    return {"name": "tiny_net", "alpha": 1.0, "alpha_exact": "1", "resolution": 32, "convention": "paper",
            "unit": "mult-adds", "totals": {"mult_adds": 428672, "params": 4064},
            "layers": [{"name": "conv_1", "mult_adds": 110592, "params": 432}]}


VALID_BASELINE = st.sampled_from([_report(), {"costcalc_baseline": 1, "reports": [_report(), _report()]}])


def _places(document: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of a document, a list's indices included; (None, None) is the whole document."""
    found: list[tuple[Any, Any]] = [(None, None)]
    stack = [document]
    while stack:
        item = stack.pop()
        keys = list(item) if isinstance(item, dict) else range(len(item)) if isinstance(item, list) else []
        for key in keys:
            found.append((item, key))
            stack.append(item[key])
    return found


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    """A valid document with up to three changes, each at any place: a value replaced by a random structure or
    scalar, a key removed, or a key added."""
    document = copy.deepcopy(draw(valid))
    for _ in range(draw(st.integers(0, 3))):
        container, key = draw(st.sampled_from(_places(document)))
        change = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if container is None:
            document = draw(VALUE) if change == "replace" else document
        elif change == "replace":
            container[key] = draw(VALUE)
        elif change == "remove":
            del container[key]
        elif isinstance(container, dict):
            container[draw(KEY)] = draw(VALUE)
        else:
            container.append(draw(VALUE))
    return document


BUDGETS = mutated(VALID_BUDGETS)
BASELINE = mutated(VALID_BASELINE)
DEVICE_FILE = mutated(st.just(DEVICE))
CONVENTION_FILE = mutated(st.just(CONVENTION))


def toml_value(value: Any) -> str | None:
    """``value`` as a TOML value (None, which TOML cannot hold, is left out)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(item for item in map(toml_value, value) if item is not None) + "]"
    pairs = ((json.dumps(str(key)), toml_value(item)) for key, item in value.items())
    return "{" + ", ".join(f"{key} = {item}" for key, item in pairs if item is not None) + "}"


def pyproject(table: Any, tool_value: Any) -> str:
    if tool_value is not None:  # `tool = 5`, `tool = [1]`: what [tool.costcalc] would be a table of
        return f"tool = {toml_value(tool_value)}\n"
    if not isinstance(table, dict):
        return f"[tool]\ncostcalc = {toml_value(table) or '0'}\n"
    lines = ["[tool.costcalc]"]
    for key, value in table.items():
        text = toml_value(value)
        if text is not None:
            lines.append(f"{json.dumps(str(key))} = {text}")
    return "\n".join(lines) + "\n"


def run_in_folder(files: dict[str, str], *args: str) -> Any:
    """``costcalc ARGS`` in a fresh folder holding the tiny spec, valid files of every kind, and ``files``."""
    every = {"tiny.yaml": TINY_SPEC, "dev.yaml": yaml.safe_dump(DEVICE), "conv.yaml": yaml.safe_dump(CONVENTION),
             "base.json": json.dumps(_report()), **files}
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        for name, text in every.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        os.chdir(folder)
        try:
            return run(*args)
        finally:
            os.chdir(before)


def texts_in(document: Any) -> set[str]:
    """Every string of a document, as a message shows it (``costcalc.errors.printable``)."""
    found, stack = set(), [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(printable(item))
        elif isinstance(item, dict):
            stack.extend([*item, *item.values()])
        elif isinstance(item, list):
            stack.extend(item)
    return found


def assert_clean(result: Any, what: str, document: Any = None) -> None:
    assert result.exit_code in (0, 1, 2), (what, result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (what, result.exception)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (what, result.stderr)
    assert not CONTROL.search(result.stderr), (what, result.stderr)
    if result.exit_code != 2:
        return
    for line in result.stderr.splitlines():
        if USAGE.match(line):
            continue
        found = DIAGNOSTIC.match(line)
        assert found, (what, line)
        place = found["place"].removeprefix("./")
        # located in one of the folder's files, a file the document names (a baseline that does not exist), or a
        # bundled spec it names (E405 at a tiny alpha)
        assert place in FILES or place in texts_in(document) or place in BUNDLED, (what, line)


def _yaml(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True)


@SETTINGS
@given(BUDGETS)
def test_any_budgets_file(document: Any) -> None:
    result = run_in_folder({"costcalc.yaml": _yaml(document)}, "check", "--config", "costcalc.yaml")
    assert_clean(result, _yaml(document), document)


@SETTINGS
@given(BUDGETS, st.none() | st.none() | st.none() | VALUE)
def test_any_pyproject_table(document: Any, tool_value: Any) -> None:
    text = pyproject(document, tool_value)
    result = run_in_folder({"pyproject.toml": text}, "check", "--config", "pyproject.toml")
    assert_clean(result, text, document)


@SETTINGS
@given(BASELINE)
def test_any_baseline(document: Any) -> None:
    text = json.dumps(document)
    result = run_in_folder({"base.json": text}, "check", "tiny.yaml", "--baseline", "base.json", "--max-increase", "1%")
    assert_clean(result, text, document)


@SETTINGS
@given(DEVICE_FILE)
def test_any_device_file(document: Any) -> None:
    result = run_in_folder({"dev.yaml": _yaml(document)}, "report", "tiny.yaml", "--device", "dev.yaml",
                           "--format", "json")
    assert_clean(result, _yaml(document))


@SETTINGS
@given(CONVENTION_FILE)
def test_any_convention_file(document: Any) -> None:
    result = run_in_folder({"conv.yaml": _yaml(document)}, "report", "tiny.yaml", "--convention", "conv.yaml",
                           "--format", "json")
    assert_clean(result, _yaml(document))


@pytest.mark.parametrize(("document", "code"), [
    ({"checks": [{"spec": "tiny.yaml", "max_params": "5M", "convention": ["a", "b"]}]}, "E501"),
    ({"checks": [{"spec": {"a": 1}, "max_params": [1], "dtype": {"a": 1}, "device": 5}]}, "E501"),
    ({"checks": "x", "baseline": [1]}, "E501"),
    ([1, 2], "E502"),
])
def test_known_confusions_are_located(document: Any, code: str) -> None:
    """Examples the random tests must keep handling (each once an exit 3 or an unlocated message)."""
    result = run_in_folder({"costcalc.yaml": _yaml(document)}, "check", "--config", "costcalc.yaml")
    assert_clean(result, _yaml(document))
    assert result.exit_code == 2 and f"error[{code}]" in result.stderr
