"""No number is ever cropped, at any width (issue 18, item 1).

Every command that prints a table is run at 40, 60, 80, 100 and 132 columns and piped (no ``COLUMNS``, stdout
not a terminal); every number it prints must be found whole in the same command's JSON, so a count cut to
``4,209`` (of 4,209,088) or a shape cut to ``112×1…`` fails. No line ends in a space, and a table printed
to a terminal is never wider than it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from costcalc.cli import main
from cli_helpers import ENV, TINY_SPEC

WIDTHS = (40, 60, 80, 100, 132, None)  # None: piped

# A count written with thousands separators, or a whole number standing alone (not in a name like conv_dw_3,
# a decimal like 0.22 or a compact 4.2M): each must be a number the JSON holds.
GROUPED = re.compile(r"(?<![\w.,])[+-]?\d{1,3}(?:,\d{3})+(?![\w,]|\.\d)")
WHOLE = re.compile(r"(?<![\w.,/\\])\d+(?![\w.,/%]|\.\d)")

# Lines about what is shown rather than facts of the network: how many rows are hidden, and why.
NOTES = re.compile(r"# counts all \d+ layers.*?--all-layers|Hidden to fit \d+|Stacked in \d+ parts to fit \d+",
                   re.DOTALL)

# (command, its arguments, whether its text is a rich table fitted to the width)
COMMANDS: list[tuple[str, tuple[str, ...], bool]] = [
    ("report", ("mobilenet_v1",), True),
    ("report", ("mobilenet_v1_shallow", "--top", "4"), True),
    ("report", ("mobilenet_v1", "--device", "pixel_6_cpu", "--depth", "1"), True),
    ("report", ("resnet18", "--depth", "1"), True),
    ("compare", ("mobilenet_v1", "mobilenet_v2"), True),
    ("sweep", ("mobilenet_v1",), True),
    ("solve", ("mobilenet_v1", "--max-mult-adds", "300M"), False),
    ("check", ("mobilenet_v1", "--max-mult-adds", "600M", "--max-params", "4.21M"), False),
    ("explain", ("mobilenet_v2", "--convention", "torchvision"), False),
    ("list", (), False),
    ("list", ("--devices",), False),
]


# The table commands whose output at each width is kept as a snapshot.
SNAPSHOTS = {("report", ("mobilenet_v1_shallow", "--top", "4")): "report_top4", ("compare", ("mobilenet_v1",
             "mobilenet_v2")): "compare", ("sweep", ("mobilenet_v1",)): "sweep"}


def _run(args: tuple[str, ...], width: int | None) -> str:
    env = {**ENV, "COLUMNS": None if width is None else str(width)}
    result = CliRunner(env=env).invoke(main, list(args), prog_name="costcalc")
    assert result.exit_code == 0, (args, width, result.stderr, result.exception)
    return result.stdout


def _json_numbers(data: Any, found: set[int]) -> set[int]:
    """Every whole number in the JSON: its integers, and the digits inside its strings (``3x3x3x32``,
    ``73/576``, a description's ``224x224``)."""
    if isinstance(data, bool):
        return found
    if isinstance(data, int):
        found.update((data, abs(data)))
    elif isinstance(data, str):
        found.update(int(digits) for digits in re.findall(r"\d+", data))
    elif isinstance(data, dict):
        for key, value in data.items():
            _json_numbers(key, found)
            _json_numbers(value, found)
    elif isinstance(data, list):
        found.add(len(data))  # "13 separable pairs", "83 layers"
        for value in data:
            _json_numbers(value, found)
    return found


@pytest.mark.parametrize("command, args, fitted", COMMANDS, ids=[" ".join((c, *a)) for c, a, _ in COMMANDS])
def test_no_number_is_cropped_at_any_width(command: str, args: tuple[str, ...], fitted: bool,
                                           snapshot: Callable[[str, str], None]) -> None:
    data = json.loads(_run((command, *args, "--format", "json"), 132))
    known = _json_numbers(data, set())
    if command == "report":  # the table numbers the layers as JSON lists them
        known.update(range(1, len(data["layers"]) + 1))
    if command == "check":  # the headroom each check prints is its limit less its value
        known.update(check["limit"] - check["value"] for check in data["checks"] if check["limit"] is not None)
    known.update(range(0, 10))  # a table's row numbers and single digits of a header ("in 2 parts")
    for width in WIDTHS:
        text = _run((command, *args), width)
        if (command, args) in SNAPSHOTS:  # the tables as a reader sees them, at each width (snapshots/widths/)
            snapshot(f"widths/{SNAPSHOTS[command, args]}_{width or 'piped'}.txt", text)
        lines = text.splitlines()
        assert not [line for line in lines if line != line.rstrip()], f"trailing spaces at {width}"
        if fitted and width is not None:
            assert max(len(line) for line in lines) <= width, f"a line wider than {width}"
        assert "…" not in text, f"a cell was cropped at {width}"
        text = NOTES.sub("", text)
        for match in GROUPED.finditer(text):
            assert abs(int(match.group().replace(",", ""))) in known, (width, match.group(), command, args)
        for match in WHOLE.finditer(text):
            assert int(match.group()) in known or int(match.group()) in _sizes(width), (width, match.group(), command, args)


def _sizes(width: int | None) -> set[int]:
    """The numbers a fitted table's notes print: the width it fits, and the parts it is stacked in."""
    return {width or 0, *range(2, 20)}


def test_piped_report_keeps_every_column() -> None:
    text = _run(("report", "mobilenet_v1"), None)
    assert "Kind" in text and "Share" in text and "█" in text and "Hidden" not in text


def test_narrow_report_says_which_columns_it_hid_and_what_shows_them() -> None:
    text = _run(("report", "mobilenet_v1"), 80)
    hidden = [line for line in text.splitlines() if line.startswith("Hidden to fit 80 columns")]
    assert hidden[0].startswith("Hidden to fit 80 columns: bar, Kind, #, Share, Stride, Filter (")
    assert "4,209,088" in text and "568,740,352" in text


def test_tiny_spec_from_a_file_at_40_columns(tmp_path: Any) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC)
    text = _run(("report", str(spec)), 40)
    assert "428,672" in text and "4,064" in text
