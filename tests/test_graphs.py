"""The spec language's graphs and blocks: residual, concat (and split), squeeze-and-excitation, blocks with
arguments, if, expressions, how alpha applies to counts written as expressions, names, and the report's
depth and by-block breakdown. Errors in graphs are in tests/bad_specs (one file per message)."""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ok
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.analysis.blocks import by_block, outline
from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.errors import SpecError
from costcalc.layers.width import make_divisible
from costcalc.source.positioned_yaml import parse_yaml
from costcalc.spec.build import build_network
from costcalc.spec.schema import parse_spec


def load(text: str) -> Any:
    return build_network(parse_spec(parse_yaml(textwrap.dedent(text), "graph.yaml"), "graph.yaml"))


def rows(text: str, alpha: Fraction = Fraction(1), convention: Any = PAPER) -> dict[str, Any]:
    return {row.name: row for row in evaluate(load(text), alpha, Fraction(1), convention).layers}


BOTTLENECK = """\
    input: {channels: 64, size: 56}
    blocks:
      bottleneck:
        args: {planes: required, stride: 1, project: false}
        layers:
          - residual:
              layers:
                - conv: {kernel: 1, filters: planes, padding: 0}
                - batch_norm
                - relu
                - conv: {kernel: 3, filters: planes, stride: stride, padding: 1}
                - batch_norm
                - relu
                - conv: {kernel: 1, filters: "planes * 4", padding: 0}
                - batch_norm
              shortcut:
                - if: project
                  layers:
                    - conv: {kernel: 1, filters: "planes * 4", stride: stride, padding: 0, name: downsample}
                    - batch_norm
          - relu
    layers:
      - bottleneck: {planes: 64, project: true, name: layer1_0}
      - repeat: 2
        layers:
          - bottleneck: {planes: 64, name: layer1}
      - bottleneck: {planes: 128, stride: 2, project: true}
"""


# --- one layer object, many nodes --------------------------------------------------------------------------------


def test_copies_of_a_repeated_layer_are_costed_at_their_own_input() -> None:
    # Every copy of a repeat is one layer object, which propagate computes once per input shape it meets: the
    # copies that meet a new shape must get their own output and costs, and those that meet a known one the same.
    network = load("""\
        input: {channels: 3, size: 32}
        layers:
          - repeat: 3
            layers: [conv: {kernel: 3, filters: 8, stride: 2}]
          - repeat: 3
            layers: [conv: {kernel: 3, filters: 8}]
        """)
    assert len({id(node.layer) for node in network.nodes}) == 2
    layers = evaluate(network, Fraction(1, 2)).layers  # alpha 1/2: 4 filters
    assert [(row.input_shape, row.output_shape) for row in layers] == [
        ((32, 32, 3), (16, 16, 4)), ((16, 16, 4), (8, 8, 4)), ((8, 8, 4), (4, 4, 4)),
        ((4, 4, 4), (4, 4, 4)), ((4, 4, 4), (4, 4, 4)), ((4, 4, 4), (4, 4, 4))]
    assert [row.mult_adds for row in layers] == [9 * 3 * 4 * 16 * 16, 9 * 4 * 4 * 8 * 8, 9 * 4 * 4 * 4 * 4,
                                                 9 * 4 * 4 * 4 * 4, 9 * 4 * 4 * 4 * 4, 9 * 4 * 4 * 4 * 4]
    assert [row.params for row in layers] == [9 * 3 * 4] + [9 * 4 * 4] * 5


# --- residual ------------------------------------------------------------------------------------------------------


def test_residual_sums_the_main_path_and_the_shortcut() -> None:
    got = rows(BOTTLENECK)
    add = got["layer1_0.add_1"]
    assert add.kind == "add" and add.output_shape == (56, 56, 256)
    assert add.mult_adds == 0 and add.components == {"merge_adds": 56 * 56 * 256}
    # torchvision's Bottleneck: 1x1 (64->64), 3x3 (64->64), 1x1 (64->256), and the 1x1 projection 64->256.
    assert got["layer1_0.downsample"].mult_adds == 64 * 256 * 56 * 56
    block = [row for name, row in got.items() if name.startswith("layer1_0.")]
    assert sum(row.params for row in block) == 64 * 64 + 9 * 64 * 64 + 64 * 256 + 64 * 256


def test_identity_shortcut_adds_no_layer() -> None:
    got = rows(BOTTLENECK)
    assert "layer1_1.downsample" not in got
    assert [name for name in got if name.startswith("layer1_1.")][-2:] == ["layer1_1.add_1", "layer1_1.add_1_relu"]


def test_the_add_reads_the_main_path_and_the_shortcut() -> None:
    network = load(BOTTLENECK)
    index = {node.name: position for position, node in enumerate(network.nodes)}
    add = network.nodes[index["bottleneck_1.add_1"]]
    main, shortcut = (network.nodes[i].name for i in add.inputs)
    assert (main, shortcut) == ("bottleneck_1.conv_3_bn", "bottleneck_1.downsample_bn")
    identity = network.nodes[index["layer1_1.add_1"]]
    assert network.nodes[identity.inputs[1]].name == "layer1_0.add_1_relu"  # the block's own input


# --- concat and split ----------------------------------------------------------------------------------------------


def test_concat_stacks_channels_in_branch_order() -> None:
    got = rows("""\
        input: {channels: 16, size: 8}
        layers:
          - concat:
              branches:
                - []
                - [conv: {kernel: 1, filters: 8}]
                - [max_pool: {kernel: 3, stride: 1, padding: 1}]
    """)
    concat = got["concat_1"]
    assert concat.output_shape == (8, 8, 16 + 8 + 16)
    assert concat.filter == "16+8+16"


def test_split_gives_each_branch_an_equal_slice() -> None:
    got = rows("""\
        input: {channels: 116, size: 28}
        layers:
          - concat:
              split: true
              branches:
                - []
                - [conv: {kernel: 1, filters: 58, padding: 0}]
          - channel_shuffle
    """)
    assert got["split_1"].output_shape == got["split_2"].output_shape == (28, 28, 58)
    assert got["conv_1"].input_shape == (28, 28, 58)
    assert got["concat_1"].output_shape == (28, 28, 116)
    assert got["shuffle_1"].mult_adds == 0


# --- squeeze-and-excitation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("squeeze", "expected"), [
    ("make_divisible(in // 4, 8)", 24),  # MobileNet v3: _make_divisible(72 // 4, 8)
    ("max(1, block_in // 4)", 4),  # EfficientNet: the block's input (16) // 4
    ("round(0.25 * block_in)", 4),  # RegNetY
])
def test_squeeze_excite_rows_and_costs(squeeze: str, expected: int) -> None:
    got = rows(f"""\
        input: {{channels: 16, size: 14}}
        blocks:
          mb:
            layers:
              - conv: {{kernel: 1, filters: 72, padding: 0}}
              - squeeze_excite: {{squeeze: "{squeeze}", gate: hard_sigmoid}}
        layers:
          - mb
    """, convention=TORCHVISION)
    names = [name for name in got if ".se_1." in name]
    assert [name.rsplit(".", 1)[1] for name in names] == ["pool", "fc1", "relu", "fc2", "gate", "scale"]
    fc1, fc2 = got["mb_1.se_1.fc1"], got["mb_1.se_1.fc2"]
    assert fc1.output_shape == (1, 1, expected) and fc2.output_shape == (1, 1, 72)
    assert fc1.mult_adds == fc2.mult_adds == 72 * expected
    assert fc1.params + fc2.params == 2 * 72 * expected + expected + 72  # weights and both biases
    assert got["mb_1.se_1.scale"].output_shape == (14, 14, 72)


# --- blocks, if, repeat and expressions ------------------------------------------------------------------------------


def test_block_arguments_defaults_and_names() -> None:
    got = rows(BOTTLENECK)
    assert list(got)[:3] == ["layer1_0.conv_1", "layer1_0.conv_1_bn", "layer1_0.conv_1_relu"]
    assert {"layer1_1.conv_3", "layer1_2.conv_3", "bottleneck_1.conv_3"} <= set(got)
    assert got["bottleneck_1.conv_2"].output_shape == (28, 28, 128)  # stride 2 on the 3x3, as torchvision
    assert got["bottleneck_1.conv_3"].output_shape == (28, 28, 512)


def test_if_else_and_repeat_counts_from_arguments() -> None:
    spec = """\
        input: {channels: 8, size: 8}
        blocks:
          stage:
            args: {depth: required, wide: false}
            layers:
              - repeat: "depth - 1"
                layers:
                  - conv: {kernel: 1, filters: 8}
              - if: wide
                layers: [conv: {kernel: 1, filters: 32, name: wide}]
                else: [conv: {kernel: 1, filters: 16, name: narrow}]
        layers:
          - stage: {depth: 1}
          - stage: {depth: 3, wide: true}
    """
    assert list(rows(spec)) == ["stage_1.narrow", "stage_2.conv_1", "stage_2.conv_2", "stage_2.wide"]


def test_block_arguments_can_be_expressions_of_the_callers() -> None:
    got = rows("""\
        input: {channels: 8, size: 8}
        blocks:
          inner:
            args: {width: required}
            layers: [conv: {kernel: 1, filters: width}]
          outer:
            args: {base: 4}
            layers:
              - inner: {width: "base * 2"}
              - inner: {width: "base * 4", name: last}
        layers:
          - outer: {base: 3}
    """)
    assert [row.output_shape.channels for row in got.values()] == [6, 12]
    assert list(got) == ["outer_1.inner_1.conv_1", "outer_1.last.conv_1"]


def test_constant_expressions_are_evaluated_when_read() -> None:
    got = rows("""\
        input: {channels: 3, size: 8}
        layers:
          - conv: {kernel: "1 + 2", filters: "2 * 16", padding: "(3 - 1) // 2", stride: [1, "2 // 2"]}
    """)
    assert got["conv_1"].filter == "3×3×3×32" and got["conv_1"].output_shape == (8, 8, 32)


# --- alpha and counts written as expressions -------------------------------------------------------------------------

EXPANSION = """\
    input: {channels: 3, size: 16}
    width: {rounding: make_divisible, divisor: 8}
    layers:
      - conv: {kernel: 3, filters: 32}
      - conv: {kernel: 1, filters: "in * 6"}
      - conv: {kernel: 1, filters: 24}
      - conv: {kernel: 1, filters: "make_divisible(1280 * max(1, alpha), 8)"}
      - conv: {kernel: 3, filters: 64, groups: "min(in, 8) // 4"}
"""


@given(alpha=st.fractions(min_value=Fraction(1, 4), max_value=Fraction(2), max_denominator=100))
@settings(max_examples=40, deadline=None)
def test_alpha_scales_base_counts_once_and_counts_that_read_in_not_again(alpha: Fraction) -> None:
    channels = [row.output_shape.channels for row in evaluate(load(EXPANSION), alpha).layers]
    first = make_divisible(alpha * 32, 8)
    assert channels[:4] == [first, 6 * first, make_divisible(alpha * 24, 8), make_divisible(1280 * max(1, alpha), 8)]
    assert channels[4] == make_divisible(alpha * 64, 8)  # groups reading in does not stop filters scaling


def test_fixed_and_runtime_counts_are_not_scaled() -> None:
    got = rows(EXPANSION, Fraction(1, 2))
    assert got["conv_2"].output_shape.channels == 6 * 16
    assert got["conv_4"].output_shape.channels == 1280


# --- report: depth, by block, JSON and CSV --------------------------------------------------------------------------


def test_outline_depths() -> None:
    evaluation = evaluate(load(BOTTLENECK))
    assert outline(evaluation, 0) == []
    top = outline(evaluation, 1)
    assert [(row.name, row.layer is None) for row in top] == [
        ("layer1_0", True), ("layer1_1", True), ("layer1_2", True), ("bottleneck_1", True)]
    assert sum(row.mult_adds for row in top) == evaluation.mult_adds
    full = outline(evaluation, None)
    assert [row.level for row in full if row.layer is not None] == [1] * len(evaluation.layers)
    assert [row.name for row in full if row.layer is None] == [row.name for row in top]
    assert all(row.expanded for row in full if row.layer is None)


def test_by_block_adds_up() -> None:
    evaluation = evaluate(load(BOTTLENECK))
    (total,) = by_block(evaluation)
    assert (total.block, total.uses, total.layers) == ("bottleneck", 4, len(evaluation.layers))
    assert (total.mult_adds, total.params) == (evaluation.mult_adds, evaluation.params)


def test_json_rows_carry_their_block_path(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(textwrap.dedent(BOTTLENECK) + "  - squeeze_excite: {squeeze: 16}\n")
    data = json.loads(ok("report", str(path), "--format", "json"))
    paths = {row["name"]: row["path"] for row in data["layers"]}
    assert paths["layer1_0.conv_1"] == ["layer1_0"] and paths["se_1.fc1"] == ["se_1"]
    assert data["by_block"]["bottleneck"]["uses"] == 4
    csv_rows = ok("report", str(path), "--format", "csv").splitlines()
    # the memory columns follow path (issue 18: CSV carries the memory figures too)
    assert ",path,activation_bytes," in csv_rows[0] and ",layer1_0," in csv_rows[1]


def test_table_depth_one_shows_blocks_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(textwrap.dedent(BOTTLENECK))
    out = ok("report", str(path), "--depth", "1")
    assert "layer1_0" in out and "layer1_0.conv_1" not in out and "conv_1 " not in out
    assert "12 layers" in out and "10 layers" in out and "By block" in out
    assert "Total" not in ok("report", str(path), "--depth", "0").split("Total:")[0]


# --- structure never depends on alpha; errors at the right place -----------------------------------------------------


def test_a_structure_that_breaks_at_some_alpha_is_reported_there() -> None:
    spec = """\
        input: {channels: 3, size: 8}
        layers:
          - conv: {kernel: 1, filters: 16}
          - residual:
              layers: [conv: {kernel: 1, filters: 16, fixed: true}]
    """
    assert evaluate(load(spec)).mult_adds > 0
    with pytest.raises(SpecError, match="cannot add a 8×8×16 tensor and a 8×8×8 tensor"):
        evaluate(load(spec), Fraction(1, 2))


def test_resnet50_closed_form_equals_the_exact_count_where_nothing_rounds() -> None:
    # PyTorch padding that keeps the size gives size / stride in the ideal form, as the paper's D_F / stride, so
    # at 224 px (every stride divides) and alpha 1 (nothing is rounded) the closed form is the exact count.
    from costcalc.engine.symbolic import closed_form
    from costcalc.source.bundled import bundled_specs
    from costcalc.spec.schema import load_spec

    network = build_network(load_spec(str(bundled_specs()["resnet50"])))
    form = closed_form(network, TORCHVISION)
    exact = evaluate(network, Fraction(1), Fraction(1), TORCHVISION)
    assert form.at(Fraction(1), Fraction(1)) == (exact.mult_adds, exact.params)
    at_448 = evaluate(network, Fraction(1), Fraction(2), TORCHVISION)  # 448 px: 32 still divides
    assert form.at(Fraction(1), Fraction(2)) == (at_448.mult_adds, at_448.params)
    at_112 = evaluate(network, Fraction(1), Fraction(1, 2), TORCHVISION)  # 112 px: the last stage rounds 7/2 up
    assert form.at(Fraction(1), Fraction(1, 2))[0] < at_112.mult_adds


def test_residual_when_false_leaves_only_the_main_path() -> None:
    spec = """\
        input: {channels: 16, size: 8}
        blocks:
          unit:
            args: {out: required, stride: 1}
            layers:
              - residual:
                  when: "stride == 1 and out == 16"
                  layers:
                    - conv: {kernel: 3, filters: out, stride: stride, padding: 1}
        layers:
          - unit: {out: 16}
          - unit: {out: 32, stride: 2}
    """
    assert list(rows(spec)) == ["unit_1.conv_1", "unit_1.add_1", "unit_2.conv_1"]


def test_expression_functions_cannot_name_block_arguments() -> None:
    from costcalc.spec.blocks import _RESERVED_ARGS  # listed there so that specs without blocks skip the parser
    from costcalc.spec.expressions import FUNCTIONS

    assert set(FUNCTIONS) <= _RESERVED_ARGS
