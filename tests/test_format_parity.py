"""Every format of ``report`` carries the same facts (issue 18, item 2; docs/output.md): totals, memory, latency
with its assumptions, by kind, and by block at ``--depth``. JSON is the reference; the table (piped, every
column) and Markdown print each figure, and CSV's columns add up to it."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import ENV
from click.testing import CliRunner

from costcalc.analysis.roofline import ASSUMPTIONS
from costcalc.cli import main
from costcalc.source.bundled import bundled_files

ARGS = ("resnet18", "--device", "pixel_6_cpu", "--depth", "1")


def _out(*args: str) -> str:
    result = CliRunner(env={**ENV, "COLUMNS": None}).invoke(main, ["report", *ARGS, *args], prog_name="costcalc")
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result.stdout


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return {name: _out("--format", name) for name in ("json", "csv", "markdown", "table")}


def _figures(data: dict) -> list[int]:  # type: ignore[type-arg]
    totals = data["totals"]
    figures = [totals["mult_adds"], totals["params"], totals["weight_bytes"], totals["peak_activation_bytes"]]
    figures += [kind["mult_adds"] for kind in data["by_kind"].values()]
    figures += [block["mult_adds"] for block in data["by_block"].values()]
    figures += [row["mult_adds"] for row in data["outline"]]
    return figures


@pytest.mark.parametrize("text_format", ["table", "markdown"])
def test_table_and_markdown_print_every_figure_of_the_json(outputs: dict[str, str], text_format: str) -> None:
    data = json.loads(outputs["json"])
    text = outputs[text_format]
    for figure in _figures(data):
        assert f"{figure:,}" in text, (text_format, figure)
    assert ASSUMPTIONS in text and data["device"]["assumptions"] == ASSUMPTIONS
    assert data["device"]["name"] in text
    milliseconds = Fraction(data["totals"]["latency_s_exact"]) * 1000
    assert f"{float(milliseconds):.3f} ms" in text
    assert data["memory"]["peak_layer"] in text


def test_csv_columns_add_up_to_the_json(outputs: dict[str, str]) -> None:
    data = json.loads(outputs["json"])
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert len(rows) == len(data["layers"])
    totals = data["totals"]
    assert sum(int(row["mult_adds"]) for row in rows) == totals["mult_adds"]
    assert sum(int(row["params"]) for row in rows) == totals["params"]
    assert sum(int(row["weight_bytes"]) for row in rows) == totals["weight_bytes"]
    assert max(int(row["alive_bytes"]) for row in rows) == totals["peak_activation_bytes"]
    assert sum(Fraction(row["latency_s_exact"]) for row in rows) == Fraction(totals["latency_s_exact"])
    by_group: dict[str, int] = defaultdict(int)
    for row in rows:
        by_group[row["group"]] += int(row["mult_adds"])
    assert {group: kind["mult_adds"] for group, kind in data["by_kind"].items()} == \
        {group: value for group, value in by_group.items() if group in data["by_kind"]}
    in_blocks = sum(int(row["mult_adds"]) for row in rows if row["path"])
    assert in_blocks == sum(block["mult_adds"] for block in data["by_block"].values())
    assert totals["mult_adds"] - in_blocks == data["outside_blocks"]["mult_adds"]


def test_output_file_extension_picks_the_format(tmp_path: Path) -> None:
    runner = CliRunner(env=ENV)
    for name, check in (("r.json", lambda text: json.loads(text)["name"] == "mobilenet_v1"),
                        ("r.csv", lambda text: text.startswith("name,kind,group")),
                        ("r.md", lambda text: text.startswith("### mobilenet_v1")),
                        ("r.txt", lambda text: text.startswith("mobilenet_v1 — "))):
        assert runner.invoke(main, ["report", "-o", str(tmp_path / name)]).exit_code == 0
        assert check((tmp_path / name).read_text(encoding="utf-8")), name
    assert runner.invoke(main, ["report", "-o", str(tmp_path / "r.csv"), "--format", "json"]).exit_code == 0
    assert json.loads((tmp_path / "r.csv").read_text(encoding="utf-8"))["name"] == "mobilenet_v1"  # --format wins


def test_spec_from_standard_input() -> None:
    with open(bundled_files()["mobilenet_v1"], encoding="utf-8") as handle:
        text = handle.read()
    result = CliRunner(env=ENV).invoke(main, ["report", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["spec"], data["totals"]["mult_adds"]) == ("-", 568_740_352)
    bad = CliRunner(env=ENV).invoke(main, ["report", "-"], input="version: 1\nname: x\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("-:") and "Traceback" not in bad.stderr
