"""Snapshot tests of ``costcalc sweep`` (table, Markdown) and ``costcalc solve`` (text) output, golden files in
``tests/snapshots/`` (rewritten by ``pytest --update-snapshots``; read the diff before committing).

Tables are rendered as ``costcalc sweep -o FILE`` writes them: width 132, no colour. As for the report's
snapshots (torchinfo's invariant), each rendered grid is also parsed back and checked against the exact
JSON of the same sweep, so that a wrongly accepted snapshot still cannot hide a wrong, cropped or misplaced
number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ok

from costcalc.render import numbers as fmt

Snapshot = Callable[[str, str], None]

FLATTEN_SPEC = """\
version: 1
name: flat_net
input: {channels: 3, size: 64}
layers:
  - conv: {kernel: 3, filters: 16, stride: 2}
  - max_pool: {kernel: 2}
  - flatten
  - fc: {units: 10, fixed: true}
"""  # params depend on the resolution (through flatten): each cell shows Mult-Adds / params


def written(tmp_path: Path, *args: str) -> str:
    """What ``costcalc ARGS -o FILE`` writes (nothing goes to stdout)."""
    target = tmp_path / "out.txt"
    assert ok(*args, "-o", str(target)) == ""
    return target.read_text(encoding="utf-8")


def sweep_points(*args: str) -> list[dict[str, Any]]:
    return json.loads(ok("sweep", "--format", "json", *args))["points"]


# --- the grids, parsed back -----------------------------------------------------------------------------------------


def table_grid(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """The column headers and, per alpha row, the cells of a rendered sweep table (box SIMPLE_HEAD)."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line.strip()) == {"─"})
    header = re.split(r"\s{2,}", lines[rule - 1].strip())
    rows: dict[str, list[str]] = {}
    for line in lines[rule + 1:]:
        if not line.strip():
            break
        # cells are right-aligned and separated by at least two spaces; an over-budget cell is "✗ 568.7M"
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return header, rows


def check_table_against_json(text: str, points: list[dict[str, Any]], budget: tuple[int | None, int | None]) -> None:
    header, rows = table_grid(text)
    resolutions = list(dict.fromkeys(p["resolution"] for p in points))
    alphas = list(dict.fromkeys(p["alpha_exact"] for p in points))
    vary = any(len({p["params"] for p in points if p["alpha_exact"] == a}) > 1 for a in alphas)
    assert header[0] == "alpha \\ px", header
    assert header[1:1 + len(resolutions)] == [str(r) for r in resolutions], header
    assert list(rows) == alphas
    for point in points:
        cells = rows[point["alpha_exact"]]
        cell = cells[resolutions.index(point["resolution"])]
        label = fmt.compact(point["mult_adds"]) + (f" / {fmt.compact(point['params'])}" if vary else "")
        over = (budget[0] is not None and point["mult_adds"] > budget[0]) or (
            budget[1] is not None and point["params"] > budget[1])
        assert cell == (f"✗ {label}" if over else label), (point, cell)
        if not vary:
            assert cells[-1] == fmt.compact(point["params"])


def check_markdown_against_json(text: str, points: list[dict[str, Any]],
                                budget: tuple[int | None, int | None]) -> None:
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    body = {cells[0]: cells[1:] for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows[1:])}
    resolutions = list(dict.fromkeys(p["resolution"] for p in points))
    assert header[1:1 + len(resolutions)] == [str(r) for r in resolutions]
    for point in points:
        cell = body[point["alpha_exact"]][resolutions.index(point["resolution"])]
        over = (budget[0] is not None and point["mult_adds"] > budget[0]) or (
            budget[1] is not None and point["params"] > budget[1])
        exact = f"{point['mult_adds']:,}"  # Markdown prints every count exactly
        assert cell.strip("~").startswith(exact), (point, cell)
        assert cell.startswith("~~") is over, (point, cell)


# --- sweep snapshots ------------------------------------------------------------------------------------------------

PAPER_GRID = ("--alpha", "1,0.75,0.5,0.25", "--resolution", "224,192,160,128")


def test_sweep_table_snapshot(tmp_path: Path, snapshot: Snapshot) -> None:
    text = written(tmp_path, "sweep", "mobilenet_v1", *PAPER_GRID)
    snapshot("sweep_mobilenet_v1_w132.txt", text)
    check_table_against_json(text, sweep_points("mobilenet_v1", *PAPER_GRID), (None, None))
    assert "budget" not in text


def test_sweep_table_with_budget_snapshot(tmp_path: Path, snapshot: Snapshot) -> None:
    args = ("sweep", "mobilenet_v1", *PAPER_GRID, "--max-mult-adds", "300M")
    text = written(tmp_path, *args)
    snapshot("sweep_mobilenet_v1_300M_w132.txt", text)
    check_table_against_json(text, sweep_points("mobilenet_v1", *PAPER_GRID), (300_000_000, None))
    assert "✗ marks the 3 of 16 points over it" in text


def test_sweep_table_params_varying_with_resolution_snapshot(tmp_path: Path, snapshot: Snapshot) -> None:
    spec = tmp_path / "flat.yaml"
    spec.write_text(FLATTEN_SPEC, encoding="utf-8")
    grid = ("--alpha", "1,0.5", "--resolution", "64,48,32", "--max-params", "20K")
    text = written(tmp_path, "sweep", str(spec), *grid)
    snapshot("sweep_flatten_params_w132.txt", text)
    check_table_against_json(text, sweep_points(str(spec), *grid), (None, 20_000))
    assert "params" not in table_grid(text)[0]  # no params column: they are in the cells


def test_sweep_markdown_snapshot(snapshot: Snapshot) -> None:
    text = ok("sweep", "mobilenet_v1", *PAPER_GRID, "--max-mult-adds", "300M", "--format", "markdown")
    snapshot("sweep_mobilenet_v1_300M.md", text)
    check_markdown_against_json(text, sweep_points("mobilenet_v1", *PAPER_GRID), (300_000_000, None))


def test_sweep_table_of_fifteen_resolutions_is_not_cropped(tmp_path: Path) -> None:
    # `--resolution 96:320:16` (15 columns) is an ordinary request; written with -o (width 132), its cells are
    # cut to "105.…" and its header to "alpha \ …", so the grid no longer says what it costs.
    text = written(tmp_path, "sweep", "mobilenet_v1", "--resolution", "96:320:16")
    assert "…" not in text, text
    check_table_against_json(text, sweep_points("mobilenet_v1", "--resolution", "96:320:16"), (None, None))


# --- solve snapshots ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, args", [
    ("solve_mobilenet_v1_alpha_300M.txt", ["--max-mult-adds", "300M", "--vary", "alpha"]),
    ("solve_mobilenet_v1_resolution_300M.txt", ["--max-mult-adds", "300M", "--vary", "resolution"]),
    ("solve_mobilenet_v1_both_300M.txt", ["--max-mult-adds", "300M", "--vary", "both"]),
    ("solve_mobilenet_v1_alpha_300M_2M_params.txt", ["--max-mult-adds", "300M", "--max-params", "2M"]),
    ("solve_mobilenet_v1_alpha_limited_by_search.txt", ["--max-mult-adds", "100G"]),
])
def test_solve_text_snapshot(name: str, args: list[str], snapshot: Snapshot) -> None:
    text = ok("solve", "mobilenet_v1", *args)
    snapshot(name, text)
    data = json.loads(ok("solve", "mobilenet_v1", *args, "--format", "json"))
    for point in data.get("points", [data]):  # the numbers printed are the JSON's
        assert f"{point['totals']['mult_adds']:,}" in text
        assert f"{point['totals']['params']:,}" in text
