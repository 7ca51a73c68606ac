"""``costcalc compare``: the analysis (``costcalc.analysis.compare``) and its renderers.

Golden figures (Howard et al., "MobileNets", 2017, arXiv:1704.04861; exact integers as in
``test_golden_paper.py``, implied by Table 1):

- Table 4: MobileNet 568,740,352 Mult-Adds / 4,209,088 params; Conv MobileNet (full 3x3 convolutions)
  4,867,293,184 / 29,281,120 — 8.56× the Mult-Adds and 6.96× the params.
- Table 5: 0.75 MobileNet 325,400,448 / 2,568,144; Shallow MobileNet (the five 14x14x512 separable layers
  removed) 307,323,392 / 2,875,328.

Plus the invariants of every comparison (each network's kinds and stages add up to its totals, differences
are to the baseline), the all-standard-convolution twin, and snapshots of the rendered table and Markdown
(``tests/snapshots/compare_*``, rewritten by ``pytest --update-snapshots``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from fractions import Fraction
from typing import Callable

import pytest
from rich.console import Console

import costcalc
from costcalc.analysis.breakdown import by_kind
from costcalc.analysis.compare import Comparison, compare, standard_twin_evaluation
from costcalc.analysis.separable import separable_pairs, standard_twin
from costcalc.conventions import CONVENTIONS
from costcalc.engine.exact import evaluate, rho_for_resolution
from costcalc.engine.results import Evaluation
from costcalc.layers.conv import Conv
from costcalc.render.compare_formats import CSV_COLUMNS, to_csv, to_json, to_markdown
from costcalc.render.compare_table import render
from costcalc.render.view import View
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec

MOBILENET_224 = (568_740_352, 4_209_088)  # Table 4
CONV_MOBILENET = (4_867_293_184, 29_281_120)  # Table 4 (printed 4866 without its fc layer; see test_golden_paper)
MOBILENET_075 = (325_400_448, 2_568_144)  # Table 5 (and 6), 0.75 MobileNet-224
SHALLOW_MOBILENET = (307_323_392, 2_875_328)  # Table 5
# One 14x14x512 separable layer of MobileNet-224: depthwise 3x3x512 (903,168) + pointwise 512x512 (51,380,224).
SEPARABLE_14x14x512 = (903_168 + 51_380_224, 3 * 3 * 512 + 512 * 512)


def ev(name: str, alpha: Fraction = Fraction(1), resolution: int | None = None,
       convention: str = "paper") -> Evaluation:
    spec = load_spec(str(bundled_specs()[name]))
    rho = rho_for_resolution(spec, resolution) if resolution else Fraction(1)
    return evaluate(spec, alpha, rho, CONVENTIONS[convention])


def table_text(comparison: Comparison, width: int = 132) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(render(comparison, View(), width))
    return console.file.getvalue()  # type: ignore[attr-defined]


def check_invariants(comparison: Comparison) -> None:
    """Every network's kinds and stages add up to its totals; differences are to the baseline's part."""
    for index, entry in enumerate(comparison.entries):
        counted = sum(1 for row in entry.evaluation.layers if row.mult_adds or row.params)
        for rows in (comparison.by_kind, comparison.by_stage):
            parts = [row.parts[index] for row in rows]
            assert sum(part.mult_adds for part in parts) == entry.mult_adds
            assert sum(part.params for part in parts) == entry.params
            assert sum(part.layers for part in parts) == counted
        base = comparison.baseline
        assert entry.mult_adds_diff == entry.mult_adds - base.mult_adds
        assert entry.params_diff == entry.params - base.params
        assert entry.mult_adds_ratio == Fraction(entry.mult_adds, base.mult_adds)
        assert entry.params_ratio == Fraction(entry.params, base.params)
    for row in (*comparison.by_kind, *comparison.by_stage):
        assert len(row.parts) == len(comparison.entries)
        assert any(part.mult_adds or part.params for part in row.parts), "a row that costs nothing anywhere"
        for part in row.parts:
            assert part.mult_adds_diff == part.mult_adds - row.parts[0].mult_adds
            assert part.params_diff == part.params - row.parts[0].params
            assert type(part.mult_adds) is int and type(part.params) is int


def _stage(comparison: Comparison, label: str) -> tuple:
    return next(row.parts for row in comparison.by_stage if row.label == label)


def _kind(comparison: Comparison, group: str) -> tuple:
    return next(row.parts for row in comparison.by_kind if row.group == group)


# --- Golden: the paper's Tables 4 and 5 --------------------------------------------------------------------


def test_table4_conv_mobilenet_is_856_times_the_mult_adds_and_696_times_the_params() -> None:
    comparison = compare([ev("mobilenet_v1"), ev("mobilenet_v1_conv")])
    check_invariants(comparison)
    base, conv = comparison.entries
    assert (base.mult_adds, base.params) == MOBILENET_224
    assert (conv.mult_adds, conv.params) == CONV_MOBILENET
    assert conv.mult_adds_ratio == Fraction(4_867_293_184, 568_740_352)
    assert conv.params_ratio == Fraction(29_281_120, 4_209_088)
    assert base.mult_adds_ratio == base.params_ratio == 1
    text = " ".join(table_text(comparison).split())
    assert "2 mobilenet_v1_conv 4,867,293,184 8.56× 29,281,120 6.96×" in text
    assert "1 mobilenet_v1 568,740,352 1.00× 4,209,088 1.00×" in text
    assert ("mobilenet_v1_conv: 8.56× the Mult-Adds (4,867,293,184 vs 568,740,352) and 6.96× the params "
            "(29,281,120 vs 4,209,088) of mobilenet_v1.") in text
    markdown = to_markdown(comparison)
    assert "| 4,867,293,184 | 8.56× | 29,281,120 | 6.96× |" in markdown


def test_table4_by_kind_separable_groups_become_fourteen_3x3_convolutions() -> None:
    comparison = compare([ev("mobilenet_v1"), ev("mobilenet_v1_conv")])
    assert [row.group for row in comparison.by_kind] == ["conv 1x1", "depthwise 3x3", "conv 3x3", "fc"]
    pointwise, depthwise, conv3x3, fc = (row.parts for row in comparison.by_kind)
    assert [part.layers for part in pointwise] == [13, 0] and pointwise[1].mult_adds_diff == -539_492_352
    assert [part.layers for part in depthwise] == [13, 0] and depthwise[1].params_diff == -44_640
    assert [part.layers for part in conv3x3] == [1, 14]
    assert conv3x3[1].mult_adds == CONV_MOBILENET[0] - 1_024_000  # Table 4's printed 4866 (without fc)
    assert fc[1].mult_adds_diff == fc[1].params_diff == 0


def test_table5_shallow_mobilenet_lacks_five_separable_layers_in_the_14x14_stage() -> None:
    comparison = compare([ev("mobilenet_v1"), ev("mobilenet_v1_shallow")])
    check_invariants(comparison)
    assert (comparison.entries[1].mult_adds, comparison.entries[1].params) == SHALLOW_MOBILENET
    assert [row.label for row in comparison.by_stage] == ["112x112", "56x56", "28x28", "14x14", "7x7", "1x1"]
    for row in comparison.by_stage:
        full, shallow = row.parts
        if row.label == "14x14":
            assert (full.layers, shallow.layers) == (12, 2)  # 6 separable layers (dw + pw rows) against 1
            assert (shallow.mult_adds_diff, shallow.params_diff) == (-5 * SEPARABLE_14x14x512[0],
                                                                     -5 * SEPARABLE_14x14x512[1])
        else:
            assert (shallow.mult_adds_diff, shallow.params_diff) == (0, 0), row.label
    assert comparison.entries[1].mult_adds_diff == -5 * SEPARABLE_14x14x512[0]


def test_table5_narrow_against_shallow() -> None:
    """Table 5 compares 0.75 MobileNet with Shallow MobileNet (alpha 1): networks may differ in alpha."""
    comparison = compare([ev("mobilenet_v1", Fraction(3, 4)), ev("mobilenet_v1_shallow")])
    check_invariants(comparison)
    narrow, shallow = comparison.entries
    assert (narrow.mult_adds, narrow.params) == MOBILENET_075
    assert (shallow.mult_adds, shallow.params) == SHALLOW_MOBILENET
    assert shallow.mult_adds_ratio == Fraction(307_323_392, 325_400_448)
    assert comparison.common("alpha") is None and comparison.common("resolution") == 224
    text = table_text(comparison)
    assert "alpha per network" in text
    assert re.search(r"^ 2  mobilenet_v1_shallow\s+1\s+307,323,392\s+0\.94×\s+2,875,328\s+1\.12×\s*$", text, re.M)
    assert re.search(r"^ 1  mobilenet_v1\s+0\.75\s+325,400,448\s+1\.00×\s+2,568,144\s+1\.00×\s*$", text, re.M)


# --- The standard-convolution twin (--vs-standard) ---------------------------------------------------------


@pytest.mark.parametrize(("alpha", "resolution"), [(Fraction(1), None), (Fraction(3, 4), 192), (Fraction(1, 4), 128)])
def test_standard_twin_is_conv_mobilenet_in_totals_and_in_every_stage(alpha: Fraction, resolution: int | None) -> None:
    mobilenet, conv = ev("mobilenet_v1", alpha, resolution), ev("mobilenet_v1_conv", alpha, resolution)
    twin = standard_twin_evaluation(mobilenet)
    assert (twin.mult_adds, twin.params) == (conv.mult_adds, conv.params)
    expected = standard_twin(mobilenet)
    assert (twin.mult_adds, twin.params) == (expected.mult_adds, expected.params)
    comparison = compare([conv, twin, mobilenet])
    check_invariants(comparison)
    for row in comparison.by_stage:
        conv_part, twin_part, _ = row.parts
        assert conv_part[:3] == twin_part[:3], row.label  # layers, Mult-Adds, params
    for row in comparison.by_kind:
        assert row.parts[0][:3] == row.parts[1][:3], row.group


def test_standard_twin_of_mobilenet_224() -> None:
    mobilenet = ev("mobilenet_v1")
    twin = standard_twin_evaluation(mobilenet)
    assert (twin.mult_adds, twin.params) == CONV_MOBILENET
    assert twin.spec.name == "mobilenet_v1 (standard conv)"
    assert "standard convolutions for its 13 depthwise-separable pairs" in twin.spec.description
    assert [(kind.group, kind.layers) for kind in by_kind(twin)] == [("conv 3x3", 14), ("fc", 1)]
    assert len(twin.layers) == len(mobilenet.layers) - 13
    assert separable_pairs(twin) == []
    assert mobilenet.spec.name == "mobilenet_v1"  # the original is untouched
    standard = [row for row in twin.layers if "+" in row.name]
    assert len(standard) == 13
    for earlier, (row, pair) in enumerate(zip(standard, separable_pairs(mobilenet))):
        assert row.name == f"{pair.depthwise.name}+{pair.pointwise.name}"
        assert isinstance(row.layer, Conv) and row.kind == "conv" and row.group == "conv 3x3"
        assert row.input_shape == pair.depthwise.input_shape and row.output_shape == pair.pointwise.output_shape
        d_k, m, n = 3, row.input_shape.channels, row.output_shape.channels
        assert row.mult_adds == d_k * d_k * m * n * row.output_shape.height * row.output_shape.width
        assert row.params == d_k * d_k * m * n
        # at the depthwise row's place (less the pointwise rows of the earlier pairs, which are gone)
        assert twin.layers.index(row) == mobilenet.layers.index(pair.depthwise) - earlier


def test_standard_twin_totals_under_torchvision_convention() -> None:
    mobilenet = ev("mobilenet_v1", convention="torchvision")
    twin = standard_twin_evaluation(mobilenet)
    expected = standard_twin(mobilenet)
    assert (twin.mult_adds, twin.params) == (expected.mult_adds, expected.params)
    # The batch norms after each depthwise layer are kept (2·M gamma/beta each): the twin has 13 more of
    # them than Conv MobileNet, whose convolutions are each followed by one batch norm.
    conv = ev("mobilenet_v1_conv", convention="torchvision")
    kept = sum(2 * pair.depthwise.output_shape.channels for pair in separable_pairs(mobilenet))
    assert twin.params == conv.params + kept
    assert twin.mult_adds == conv.mult_adds


def test_standard_twin_of_a_network_without_pairs_has_the_same_rows() -> None:
    conv = ev("mobilenet_v1_conv")
    twin = standard_twin_evaluation(conv)
    assert twin.layers == conv.layers and twin.spec.name == "mobilenet_v1_conv (standard conv)"


# --- Analysis: order, errors, names ------------------------------------------------------------------------


def test_stages_of_different_resolutions_keep_each_networks_order() -> None:
    comparison = compare([ev("mobilenet_v1"), ev("mobilenet_v1", resolution=192), ev("mobilenet_v1_shallow")])
    check_invariants(comparison)
    labels = [row.label for row in comparison.by_stage]
    assert labels == ["112x112", "56x56", "28x28", "14x14", "7x7", "96x96", "48x48", "24x24", "12x12", "6x6", "1x1"]
    assert comparison.common("resolution") is None and comparison.common("alpha") == 1
    assert _stage(comparison, "96x96")[0].mult_adds == 0 and _stage(comparison, "96x96")[1].mult_adds > 0
    assert comparison.names() == ["mobilenet_v1 #1", "mobilenet_v1 #2", "mobilenet_v1_shallow"]


def test_kinds_only_in_a_later_network_come_after_the_baselines() -> None:
    comparison = compare([ev("mobilenet_v1_conv"), ev("mobilenet_v1")])
    check_invariants(comparison)
    assert [row.group for row in comparison.by_kind] == ["conv 3x3", "fc", "conv 1x1", "depthwise 3x3"]
    assert [part.layers for part in _kind(comparison, "conv 1x1")] == [0, 13]
    assert _kind(comparison, "conv 1x1")[1].mult_adds_diff == 539_492_352


def test_compare_needs_two_networks_under_one_convention() -> None:
    with pytest.raises(ValueError, match="at least two"):
        compare([ev("mobilenet_v1")])
    with pytest.raises(ValueError, match="different conventions"):
        compare([ev("mobilenet_v1"), ev("mobilenet_v1", convention="torchvision")])


def test_a_baseline_without_params_has_no_params_ratio(tmp_path) -> None:
    spec = tmp_path / "pool.yaml"
    spec.write_text("name: pool\ninput: {channels: 3, size: 32}\nlayers:\n  - global_avg_pool\n", encoding="utf-8")
    net = tmp_path / "net.yaml"
    net.write_text("name: net\ninput: {channels: 3, size: 32}\nlayers:\n  - conv: {kernel: 3, filters: 8}\n",
                   encoding="utf-8")
    comparison = compare([evaluate(load_spec(str(spec))), evaluate(load_spec(str(net)))])
    assert comparison.entries[1].mult_adds_ratio is None and comparison.entries[1].params_ratio is None
    assert comparison.by_stage[0].parts[1][:3] == (1, 3 * 3 * 3 * 8 * 32 * 32, 3 * 3 * 3 * 8)
    assert re.search(r"^ 2  net\s+221,184\s+—\s+216\s+—\s*$", table_text(comparison), re.M)
    data = json.loads(to_json(comparison))
    assert data["specs"][1]["ratio_to_baseline"] == {"mult_adds": None, "params": None}


# --- Renderers: JSON and CSV -------------------------------------------------------------------------------


def test_json_has_exact_counts_and_ratios() -> None:
    comparison = compare([ev("mobilenet_v1"), standard_twin_evaluation(ev("mobilenet_v1"))])
    data = json.loads(to_json(comparison, View(specs=("mobilenet_v1", "mobilenet_v1"))))
    assert data["costcalc_version"] == costcalc.__version__
    assert (data["convention"], data["alpha"], data["rho"], data["resolution"]) == ("paper", 1.0, 1.0, 224)
    base, twin = data["specs"]
    assert base["spec"] == twin["spec"] == "mobilenet_v1"
    assert (base["name"], twin["name"]) == ("mobilenet_v1", "mobilenet_v1 (standard conv)")
    assert twin["totals"] == {"mult_adds": CONV_MOBILENET[0], "params": CONV_MOBILENET[1]}
    assert base["ratio_to_baseline"] == {"mult_adds": "1", "params": "1"}
    ratio = twin["ratio_to_baseline"]
    assert Fraction(ratio["mult_adds"]) == Fraction(CONV_MOBILENET[0], MOBILENET_224[0])
    assert Fraction(ratio["params"]) == Fraction(CONV_MOBILENET[1], MOBILENET_224[1])
    assert re.fullmatch(r"\d+/\d+", ratio["mult_adds"])
    assert twin["diff_to_baseline"] == {"mult_adds": CONV_MOBILENET[0] - MOBILENET_224[0],
                                        "params": CONV_MOBILENET[1] - MOBILENET_224[1]}
    assert list(data["by_kind"]) == ["conv 1x1", "depthwise 3x3", "conv 3x3", "fc"]
    assert data["by_kind"]["conv 3x3"][1] == {"layers": 14, "mult_adds": 4_866_269_184, "params": 28_257_120,
                                              "diff_to_baseline": {"mult_adds": 4_866_269_184 - 10_838_016,
                                                                   "params": 28_257_120 - 864}}
    assert [stage["stage"] for stage in data["by_stage"]] == ["112x112", "56x56", "28x28", "14x14", "7x7", "1x1"]
    assert data["by_stage"][3]["size"] == [14, 14]
    for index, spec in enumerate(data["specs"]):
        for parts in (list(data["by_kind"].values()), [stage["specs"] for stage in data["by_stage"]]):
            assert sum(part[index]["mult_adds"] for part in parts) == spec["totals"]["mult_adds"]
            assert sum(part[index]["params"] for part in parts) == spec["totals"]["params"]
            assert all(type(part[index]["mult_adds"]) is int for part in parts)


def test_json_top_level_multipliers_are_null_when_the_networks_differ() -> None:
    comparison = compare([ev("mobilenet_v1", Fraction(3, 4)), ev("mobilenet_v1", resolution=192)])
    data = json.loads(to_json(comparison))
    assert (data["alpha"], data["alpha_exact"], data["rho"], data["resolution"]) == (None, None, None, None)
    assert [(spec["alpha_exact"], spec["rho_exact"], spec["resolution"]) for spec in data["specs"]] == [
        ("0.75", "1", 224), ("1", "6/7", 192)]
    assert data["specs"][0]["spec"].endswith("mobilenet_v1.yaml")  # default: the spec's path
    with pytest.raises(ValueError, match="1 spec names for 2 networks"):
        to_json(comparison, View(specs=("mobilenet_v1",)))


def test_csv_rows_add_up_to_the_totals() -> None:
    comparison = compare([ev("mobilenet_v1"), ev("mobilenet_v1_shallow"), ev("mobilenet_v1_conv")])
    rows = list(csv.DictReader(io.StringIO(to_csv(comparison, View(specs=("a", "b", "c"))))))
    assert tuple(rows[0]) == CSV_COLUMNS
    totals = {row["index"]: row for row in rows if row["section"] == "total"}
    assert [(row["spec"], int(row["mult_adds"]), int(row["params"])) for row in totals.values()] == [
        ("a", *MOBILENET_224), ("b", *SHALLOW_MOBILENET), ("c", *CONV_MOBILENET)]
    assert totals["2"]["mult_adds_ratio"] == "{0.numerator}/{0.denominator}".format(
        Fraction(CONV_MOBILENET[0], MOBILENET_224[0]))
    for section in ("kind", "stage"):
        for index, total in totals.items():
            part = [row for row in rows if row["section"] == section and row["index"] == index]
            assert sum(int(row["mult_adds"]) for row in part) == int(total["mult_adds"])
            assert sum(int(row["params"]) for row in part) == int(total["params"])
            assert sum(int(row["layers"]) for row in part) == int(total["layers"])
    stage = [row for row in rows if row["section"] == "stage" and row["key"] == "14x14"]
    assert [int(row["mult_adds_diff"]) for row in stage[:2]] == [0, -5 * SEPARABLE_14x14x512[0]]
    assert stage[1]["mult_adds_ratio"] == "1/11"
    pointwise = [row for row in rows if row["section"] == "kind" and row["key"] == "conv 1x1"]
    assert (pointwise[2]["mult_adds"], pointwise[2]["mult_adds_ratio"]) == ("0", "0")
    # A row the baseline does not have: its ratios are empty, never a division by zero.
    reverse = list(csv.DictReader(io.StringIO(to_csv(compare([ev("mobilenet_v1_conv"), ev("mobilenet_v1")])))))
    pointwise = [row for row in reverse if row["section"] == "kind" and row["key"] == "conv 1x1"]
    assert [(row["mult_adds"], row["mult_adds_ratio"], row["params_ratio"]) for row in pointwise] == [
        ("0", "", ""), ("539492352", "", "")]


# --- Renderers: table and Markdown, and their snapshots ----------------------------------------------------


def _parts_blocks(text: str, first: str) -> list[list[str]]:
    """The rows of the rich table whose header starts with ``first`` (Kind, Stage), cut into columns by the
    header's positions: the first two columns are left-aligned, the others right-aligned."""
    lines = text.splitlines()
    header_index = next(i for i, line in enumerate(lines) if line.startswith(f" {first} ") and "Mult-Adds" in line)
    header = lines[header_index]
    names = ["Network", "Layers", "Mult-Adds", "Δ Mult-Adds", "Params", "Δ Params"]
    network_start = header.index("Network")
    ends = [header.index(name, network_start) + len(name) for name in names[1:]]
    ends[2] = header.index("Δ Mult-Adds") + len("Δ Mult-Adds")
    rows = []
    for line in lines[header_index + 2:]:
        if not line.strip():
            continue
        if not line.startswith(" "):  # the next title
            break
        cells = [line[:network_start].strip(), line[network_start:].split("  ")[0].strip()]
        for end in ends:
            cells.append(line[:end].split(" ")[-1])
        rows.append(cells)
    return rows


def _int(text: str) -> int:
    assert re.fullmatch(r"[+-]?\d{1,3}(,\d{3})*", text), f"not a number with thousands separators: {text!r}"
    return int(text.replace(",", ""))


def check_table(text: str, comparison: Comparison) -> None:
    """Parse the printed numbers back: each network's kinds and stages add up to its printed totals, and
    each printed difference is the printed part minus the baseline's."""
    totals = [(entry.mult_adds, entry.params) for entry in comparison.entries]
    for first in ("Kind", "Stage"):
        rows = _parts_blocks(text, first)
        count = len(comparison.entries)
        assert len(rows) == count * (len(comparison.by_kind) if first == "Kind" else len(comparison.by_stage))
        sums = [[0, 0] for _ in range(count)]
        for start in range(0, len(rows), count):
            block = rows[start:start + count]
            assert block[0][0] and not any(row[0] for row in block[1:])
            base = block[0]
            assert base[4] == "" and base[6] == ""
            for index, row in enumerate(block):
                sums[index][0] += _int(row[3])
                sums[index][1] += _int(row[5])
                if index:
                    assert _int(row[4]) == _int(row[3]) - _int(base[3])
                    assert _int(row[6]) == _int(row[5]) - _int(base[5])
                    assert row[4] == "0" or row[4][0] in "+-"
        assert [tuple(pair) for pair in sums] == totals, first
    assert "…" not in text


def _mobilenet_vs_conv() -> Comparison:
    return compare([ev("mobilenet_v1"), ev("mobilenet_v1_conv")])


def _mobilenet_vs_standard() -> Comparison:
    return compare([ev("mobilenet_v1"), standard_twin_evaluation(ev("mobilenet_v1"))])


def _table5() -> Comparison:
    return compare([ev("mobilenet_v1", Fraction(3, 4)), ev("mobilenet_v1_shallow"), ev("mobilenet_v1")])


SNAPSHOTS: dict[str, Callable[[], str]] = {
    "compare_mobilenet_v1_conv_w132.txt": lambda: table_text(_mobilenet_vs_conv()),
    "compare_mobilenet_v1_vs_standard_w100.txt": lambda: table_text(_mobilenet_vs_standard(), 100),
    "compare_table5_w132.txt": lambda: table_text(_table5()),
    "compare_mobilenet_v1_shallow.md": lambda: to_markdown(compare([ev("mobilenet_v1"), ev("mobilenet_v1_shallow")])),
    "compare_table5.md": lambda: to_markdown(_table5()),
}


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_rendered_comparison_matches_snapshot(name: str, snapshot: Callable[[str, str], None]) -> None:
    snapshot(name, SNAPSHOTS[name]())


@pytest.mark.parametrize(("make", "width"), [(_mobilenet_vs_conv, 132), (_mobilenet_vs_conv, 100),
                                             (_mobilenet_vs_standard, 132), (_mobilenet_vs_standard, 100),
                                             (_table5, 132), (_table5, 100)])
def test_printed_parts_add_up_to_the_totals(make: Callable[[], Comparison], width: int) -> None:
    comparison = make()
    text = table_text(comparison, width)
    assert max(len(line) for line in text.splitlines()) <= width
    check_table(text, comparison)


def test_narrow_table_names_networks_by_number() -> None:
    wide, narrow = table_text(_mobilenet_vs_standard(), 132), table_text(_mobilenet_vs_standard(), 100)
    assert re.search(r"^ conv 3x3\s+mobilenet_v1\s+1\s+10,838,016", wide, re.M)
    assert re.search(r"^\s+mobilenet_v1 \(standard conv\)\s+14\s+4,866,269,184", wide, re.M)
    assert re.search(r"^ conv 3x3\s+#1\s+1\s+10,838,016", narrow, re.M)
    assert re.search(r"^\s+#2\s+14\s+4,866,269,184\s+\+4,855,431,168\s+28,257,120\s+\+28,256,256\s*$", narrow, re.M)
    assert " 2  mobilenet_v1 (standard conv)  4,867,293,184" in narrow  # the totals table keeps the name


def test_markdown_parts_add_up_to_the_totals() -> None:
    comparison = _table5()
    tables = [[[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in block.splitlines()
               if line.startswith("|") and not re.fullmatch(r"\|[-:|]+\|", line)]
              for block in to_markdown(comparison).split("\n\n") if block.startswith("|")]
    totals, kinds, stages = tables
    assert totals[0] == ["#", "Network", "Description", "alpha", "Resolution", "Mult-Adds", "× baseline", "Params",
                         "× baseline"]
    assert [(row[1], row[3], _int(row[5]), row[6]) for row in totals[1:]] == [
        ("`mobilenet_v1 #1`", "0.75", 325_400_448, "1.00×"), ("`mobilenet_v1_shallow`", "1", 307_323_392, "0.94×"),
        ("`mobilenet_v1 #3`", "1", 568_740_352, "1.75×")]
    for table in (kinds, stages):
        assert table[0][2:] == ["Layers", "Mult-Adds", "Δ Mult-Adds", "Params", "Δ Params"]
        for index, network in enumerate(totals[1:]):
            rows = table[1 + index::3]
            assert all(row[1] == network[1] for row in rows)
            assert sum(_int(row[3]) for row in rows) == _int(network[5])
            assert sum(_int(row[5]) for row in rows) == _int(network[7])


def test_names_from_specs_are_printed_literally_not_as_markup(tmp_path) -> None:
    spec = tmp_path / "markup.yaml"
    spec.write_text("name: '[bold]net[/bold]'\ndescription: 'a | b'\ninput: {channels: 3, size: 32}\nlayers:\n"
                    "  - separable: {kernel: 3, filters: 8}\n", encoding="utf-8")
    evaluation = evaluate(load_spec(str(spec)))
    comparison = compare([evaluation, standard_twin_evaluation(evaluation)])
    text = table_text(comparison)
    assert "Comparing 2 networks with [bold]net[/bold] (the baseline)" in text
    assert "[bold]net[/bold] (standard conv)" in text
    markdown = to_markdown(comparison)
    assert "| `[bold]net[/bold]` | a \\| b |" in markdown
    check_table(text, comparison)


# --- the command line ------------------------------------------------------------------------------------


def _cli(*args: str):
    from click.testing import CliRunner

    from costcalc.cli import main

    return CliRunner().invoke(main, ["compare", *args], env={"COLUMNS": "132"})


def test_cli_table4_conv_mobilenet_is_8_56_times_mobilenet() -> None:
    result = _cli("mobilenet_v1", "mobilenet_v1_conv")
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "mobilenet_v1_conv: 8.56× the Mult-Adds (4,867,293,184 vs 568,740,352) and 6.96× the params" in flat


def test_cli_vs_standard_json_twin_equals_conv_mobilenet() -> None:
    result = _cli("mobilenet_v1", "--vs-standard", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [spec["totals"] for spec in data["specs"]] == [
        {"mult_adds": 568_740_352, "params": 4_209_088}, {"mult_adds": 4_867_293_184, "params": 29_281_120}]


def test_cli_table5_at_alpha_and_resolution_of_every_spec() -> None:
    result = _cli("mobilenet_v1", "mobilenet_v1_shallow", "--resolution", "192", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [spec["resolution"] for spec in data["specs"]] == [192, 192]
    assert data["specs"][0]["totals"]["mult_adds"] == 418_121_728  # Table 7, 192 px


@pytest.mark.parametrize("args, message", [
    (("mobilenet_v1",), "give two or more specs"),
    (("mobilenet_v1", "mobilenet_v1_conv", "--vs-standard"), "--vs-standard compares one SPEC"),
    (("mobilenet_v1", "mobilenet_v1_conv", "--rho", "1/2", "--resolution", "112"), "not both"),
    (("mobilenet_v1", "mobilenet_v1_shalow"), "did you mean 'mobilenet_v1_shallow'"),
])
def test_cli_bad_usage_exits_2(args: tuple[str, ...], message: str) -> None:
    result = _cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


@pytest.mark.parametrize("output_format, start", [("svg", "<svg"), ("html", "<!DOCTYPE html>"),
                                                  ("markdown", "### "), ("csv", "section,")])
def test_cli_formats(output_format: str, start: str) -> None:
    result = _cli("mobilenet_v1", "mobilenet_v1_shallow", "--format", output_format)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.lstrip().startswith(start)


def test_cli_table5_narrow_against_shallow_with_one_alpha_per_spec() -> None:
    # Table 5: 0.75 MobileNet 325,400,448 / 2,568,144 against Shallow MobileNet 307,323,392 / 2,875,328.
    result = _cli("mobilenet_v1", "mobilenet_v1_shallow", "--alpha", "0.75,1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    specs = json.loads(result.stdout)["specs"]
    assert [(spec["alpha_exact"], spec["totals"]["mult_adds"], spec["totals"]["params"]) for spec in specs] == [
        ("0.75", 325_400_448, 2_568_144), ("1", 307_323_392, 2_875_328)]


def test_cli_alpha_list_must_match_the_specs() -> None:
    result = _cli("mobilenet_v1", "mobilenet_v1_shallow", "--alpha", "0.75,1,0.5")
    assert result.exit_code == 2
    assert "one for each of the 2 specs; got 3" in result.stderr
