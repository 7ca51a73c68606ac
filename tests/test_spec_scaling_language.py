"""The spec constructs families need (docs/spec-format.md): pow and an exact log, a repeat's index, conditions on
the channels flowing in (decided at evaluation), list-valued block arguments, the spec's own arguments and variants."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import ok, run
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.analysis.sweep import sweep
from costcalc.conventions import PAPER
from costcalc.engine.exact import evaluate
from costcalc.spec.build import build_network
from costcalc.spec.expression_values import rounded_log
from costcalc.spec.expressions import ExprError, parse_expression
from costcalc.spec.schema import load_spec


def value(text: str) -> object:
    return parse_expression(text).evaluate({})


def test_pow_is_exact_and_refused_before_a_huge_power() -> None:
    assert value("pow(2.54, 3)") == Fraction(254, 100) ** 3
    assert value("pow(2, -3)") == Fraction(1, 8) and value("pow(-1, 1000000000)") == 1
    with pytest.raises(ExprError, match="would have more than 128 bits") as refused:
        value("pow(3, 99999999999)")  # refused at once: never computed
    assert refused.value.code == "E307"
    with pytest.raises(ExprError, match="whole exponent"):
        value("pow(2, 1/2)")


def test_log_is_kept_only_when_whole_and_rounded_exactly_otherwise() -> None:
    assert value("log(1024, 2)") == 10 and value("log(1/8, 2)") == -3 and value("log(8, 1/2)") == -3
    assert (value("floor(log(1000, 10))"), value("ceil(log(1001, 10))"), value("round(log(30, 2))")) == (3, 4, 5)
    assert value("round(log(8, 4))") == 2 and value("round(log(32, 4))") == 2  # 1.5 and 2.5: halves to even
    with pytest.raises(ExprError, match="not a whole number") as refused:
        value("log(9, 2)")
    assert refused.value.code == "E320"


@settings(max_examples=200, deadline=None)
@given(x=st.fractions(min_value=Fraction(1, 1000), max_value=10**9, max_denominator=1000),
       base=st.fractions(min_value=Fraction(11, 10), max_value=100, max_denominator=100))
def test_rounded_log_brackets_x_between_powers_of_the_base(x: Fraction, base: Fraction) -> None:
    floor = rounded_log(x, base, "floor", "", 0)
    assert base**floor <= x < base ** (floor + 1)
    ceil = rounded_log(x, base, "ceil", "", 0)
    assert base ** (ceil - 1) < x <= base**ceil
    nearest = rounded_log(x, base, "round", "", 0)
    assert base ** (2 * nearest - 1) <= x * x <= base ** (2 * nearest + 1)  # within half a step, in log space
    assert abs(nearest - math.log(x) / math.log(base)) <= Fraction(1, 2) + Fraction(1, 10**9)


INDEXED = """\
input: {channels: 3, size: 16}
layers:
  - repeat: 4
    index: j
    layers:
      - conv: {kernel: 3, filters: "8 * pow(2, floor(log(j + 1, 2)))", padding: 1}
"""


def test_a_repeat_gives_its_layers_the_copys_number(tmp_path: Path) -> None:
    (tmp_path / "net.yaml").write_text(INDEXED)
    network = build_network(load_spec(str(tmp_path / "net.yaml")))
    widths = [row.output_shape.channels for row in evaluate(network).layers]
    assert widths == [8, 16, 16, 32]  # j = 0, 1, 2, 3: floor(log2(j + 1)) = 0, 1, 1, 2


CONDITIONAL = """\
input: {channels: 3, size: 16}
width: {rounding: make_divisible, divisor: 8}
layers:
  - conv: {kernel: 3, filters: 16, padding: 1}
  - residual:
      when: in == 16                   # the shortcut only where the channels match, as use_res_connect
      layers: [conv: {kernel: 3, filters: 16, fixed: true, padding: 1}]
  - if: in > 16
    layers: [relu6]
    else: [relu]
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""


def test_conditions_on_the_channels_are_decided_at_each_alpha(tmp_path: Path) -> None:
    (tmp_path / "net.yaml").write_text(CONDITIONAL)
    network = build_network(load_spec(str(tmp_path / "net.yaml")))
    assert network.conditional
    kinds = {alpha: [row.kind for row in evaluate(network, Fraction(alpha)).layers] for alpha in ("1", "0.5", "2")}
    assert [kinds[alpha].count("add") for alpha in ("1", "0.5", "2")] == [1, 0, 0]  # 16, 8 and 32 channels in
    assert len(kinds["1"]) == len(kinds["0.5"]) + 1  # the add alone is gone: each node counts once
    grid = sweep(network, [Fraction(1), Fraction(1, 2)], [Fraction(1), Fraction(1, 2)], PAPER)
    for point in grid.points:  # point by point, as the structure follows alpha
        assert (point.mult_adds, point.params) == (evaluate(network, point.alpha, point.rho).mult_adds,
                                                   evaluate(network, point.alpha, point.rho).params)
    data = json.loads(ok("report", str(tmp_path / "net.yaml"), "--format", "json"))  # memory reads every row
    assert [row["kind"] for row in data["layers"]].count("add") == 1
    refused = run("report", str(tmp_path / "net.yaml"), "--symbolic")
    assert refused.exit_code == 2 and "error[E421]" in refused.stderr


INCEPTION = """\
input: {channels: 8, size: 17}
blocks:
  factorized:                     # Inception v3's 7x7 as 1x7 then 7x1 (Szegedy et al. 2016, Fig. 6)
    args: {first: [1, 7], second: [7, 1], filters: 8}
    layers:
      - conv: {kernel: first, filters: filters, padding: [0, 3]}
      - conv: {kernel: second, filters: filters, padding: [3, 0]}
layers:
  - factorized
  - factorized: {first: [1, 3], second: [3, 1], filters: 16}
"""


def test_block_arguments_may_be_lists(tmp_path: Path) -> None:
    (tmp_path / "net.yaml").write_text(INCEPTION.replace("padding: [0, 3]}", "padding: \"[0, 3]\"}")
                                       if False else INCEPTION)
    rows = evaluate(build_network(load_spec(str(tmp_path / "net.yaml")))).layers
    assert [row.group for row in rows] == ["conv 1x7", "conv 7x1", "conv 1x3", "conv 3x1"]
    assert rows[0].mult_adds == 1 * 7 * 8 * 8 * 17 * 17


FAMILY = """\
name: family
input: {channels: 3, size: 8}
args: {width: 8, deep: false}
variants:
  narrow: {description: the narrow one}
  wide: {args: {width: 32, deep: true}, alpha: 0.5, resolution: 16}
layers:
  - conv: {kernel: 3, filters: width, padding: 1}
  - if: deep
    layers: [conv: {kernel: 3, filters: width, padding: 1}]
"""


def test_a_spec_file_names_its_variants(tmp_path: Path) -> None:
    (tmp_path / "family.yaml").write_text(FAMILY)
    wide = json.loads(ok("report", f"{tmp_path / 'family.yaml'}#wide", "--format", "json"))
    assert (wide["name"], wide["alpha_exact"], wide["resolution"], len(wide["layers"])) == ("wide", "0.5", 16, 2)
    assert wide["layers"][1]["output_shape"] == [16, 16, 16]  # alpha 0.5 of 32
    narrow = json.loads(ok("report", f"{tmp_path / 'family.yaml'}#narrow", "--alpha", "1", "--format", "json"))
    assert (narrow["description"], len(narrow["layers"])) == ("the narrow one", 1)
    unknown = run("report", f"{tmp_path / 'family.yaml'}#nope")
    assert unknown.exit_code == 2 and "error[E232]: no variant 'nope'" in unknown.stderr


def test_a_channel_count_that_is_0_without_rounding_has_no_closed_form(tmp_path: Path) -> None:
    """make_divisible(in * 0, 8) is 8 channels exactly but 0 in the closed form, where a depthwise over 0 channels
    divides by 0: a located E421, never an internal error (the fuzz found it: EfficientNet with expand 0)."""
    (tmp_path / "net.yaml").write_text(
        "input: {channels: 3, size: 32}\nlayers:\n  - conv: {kernel: 3, filters: 16}\n"
        "  - pointwise: {filters: \"make_divisible(in * 0, 8)\"}\n  - depthwise: {kernel: 3}\n")
    assert json.loads(ok("report", str(tmp_path / "net.yaml"), "--format", "json"))["totals"]["params"] > 0
    refused = run("report", str(tmp_path / "net.yaml"), "--symbolic")
    assert refused.exit_code == 2, refused.stderr
    assert "net.yaml:5:5: error[E421]: no closed form: without rounding, layer 'conv_dw_1'" in refused.stderr
