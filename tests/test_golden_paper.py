"""Golden tests: costcalc against the published figures of the MobileNets paper.

Source: Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
2017, arXiv:1704.04861 — Tables 2, 3, 4, 5, 6, 7 and 9 — counted under the paper's convention (Mult-Adds and
weights of conv, depthwise, pointwise and fully connected layers only). The exact integers are those the
paper's Table 1 implies (they are copied from the project's reference file
``tests/reference/mobilenet_v1_paper.yaml``; tests/test_reference_data.py checks them against it).

Two kinds of check:

- exact: costcalc's integers equal the integers implied by Table 1;
- printed: each exact value, in millions, rounds (half away from zero) at the printed precision to the
  figure the paper prints ("569", "4.2", ...).

Known errors of the paper that costcalc must NOT reproduce (each has its own test below):

- Table 2 prints 1.19 % Mult-Adds for "Conv 3x3"; Table 1 gives 10,838,016 / 568,740,352 = 1.91 %.
- Table 4's 4866 (Conv MobileNet) and Table 9's 76 (0.50 MobileNet-160) leave out the fully connected layer.
- Table 7 prints 290 for resolution 160; the exact 290,675,200 rounds to 291, the figure TF-slim publishes for
  MobileNet_v1_1.0_160 (tensorflow/models research/slim/nets/mobilenet_v1.md: "|291|4.24|67.2|87.5|").
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner

from costcalc.analysis.breakdown import by_kind
from costcalc.analysis.separable import separable_pairs, standard_twin
from costcalc.cli import main
from costcalc.engine.arith import ExactArith
from costcalc.engine.exact import evaluate, rho_for_resolution
from costcalc.engine.results import Evaluation
from costcalc.layers.base import Shape
from costcalc.layers.conv import Conv, Depthwise, Pointwise
from costcalc.layers.width import WidthRule
from costcalc.render.numbers import percent, rounded
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec

# --- The paper's figures, as exact integers -------------------------------------------------------------------

# Table 4 / 6 / 7, MobileNet 1.0-224: 568,740,352 Mult-Adds, 4,209,088 params (printed 569 / 4.2).
MOBILENET_224 = (568_740_352, 4_209_088)
# Table 4, Conv MobileNet (full 3x3 convolutions): 4,867,293,184 Mult-Adds, 29,281,120 params (printed 4866 / 29.3).
CONV_MOBILENET = (4_867_293_184, 29_281_120)
# Table 4's printed 4866 is Conv MobileNet WITHOUT its 1024 x 1000 fully connected layer: 4,866,269,184.
CONV_MOBILENET_WITHOUT_FC = 4_866_269_184
# Table 5, Shallow MobileNet (the five 14x14x512 separable layers removed): 307,323,392 / 2,875,328 (307 / 2.9).
SHALLOW_MOBILENET = (307_323_392, 2_875_328)
# Table 9, 0.50 MobileNet-160: 76,524,800 Mult-Adds, 1,319,648 params (printed 76 / 1.32).
MOBILENET_050_160 = (76_524_800, 1_319_648)
# Table 9's printed 76 is without the fully connected layer (512 x 1000 = 512,000 Mult-Adds): 76,012,800.
MOBILENET_050_160_WITHOUT_FC = 76_012_800

TABLE6_WIDTH = [  # alpha, exact Mult-Adds, exact params — all at 224 x 224
    (Fraction(1), 568_740_352, 4_209_088),  # Table 6, alpha 1.0: 569 M Mult-Adds, 4.2 M params
    (Fraction(3, 4), 325_400_448, 2_568_144),  # Table 6, alpha 0.75: 325 M, 2.6 M (also Table 5, 0.75 MobileNet)
    (Fraction(1, 2), 149_497_088, 1_319_648),  # Table 6, alpha 0.5: 149 M, 1.3 M
    (Fraction(1, 4), 41_030_272, 463_600),  # Table 6, alpha 0.25: 41 M, 0.5 M
]

TABLE7_RESOLUTION = [  # resolution, exact Mult-Adds, exact params — all at alpha 1
    (224, 568_740_352, 4_209_088),  # Table 7, 224: 569 M, 4.2 M
    (192, 418_121_728, 4_209_088),  # Table 7, 192: 418 M, 4.2 M
    (160, 290_675_200, 4_209_088),  # Table 7, 160: printed 290 M (exact rounds to 291, see module docstring), 4.2 M
    (128, 186_400_768, 4_209_088),  # Table 7, 128: 186 M, 4.2 M
]

# (what, exact value, printed figure in millions as printed). The printed precision is that of the string.
PRINTED_FIGURES = [
    ("Table 4 / 6 / 7: MobileNet 1.0-224 Mult-Adds", 568_740_352, "569"),
    ("Table 4 / 6 / 7: MobileNet 1.0-224 params", 4_209_088, "4.2"),
    ("Table 4: Conv MobileNet Mult-Adds (without FC)", CONV_MOBILENET_WITHOUT_FC, "4866"),
    ("Table 4: Conv MobileNet params", 29_281_120, "29.3"),
    ("Table 5 / 6: 0.75 MobileNet Mult-Adds", 325_400_448, "325"),
    ("Table 5 / 6: 0.75 MobileNet params", 2_568_144, "2.6"),
    ("Table 5: Shallow MobileNet Mult-Adds", 307_323_392, "307"),
    ("Table 5: Shallow MobileNet params", 2_875_328, "2.9"),
    ("Table 6: alpha 0.5 Mult-Adds", 149_497_088, "149"),
    ("Table 6: alpha 0.5 params", 1_319_648, "1.3"),
    ("Table 6: alpha 0.25 Mult-Adds", 41_030_272, "41"),
    ("Table 6: alpha 0.25 params", 463_600, "0.5"),
    ("Table 7: resolution 192 Mult-Adds", 418_121_728, "418"),
    ("Table 7: resolution 128 Mult-Adds", 186_400_768, "186"),
    ("Table 9: 0.50 MobileNet-160 Mult-Adds (without FC)", MOBILENET_050_160_WITHOUT_FC, "76"),
    ("Table 9: 0.50 MobileNet-160 params", 1_319_648, "1.32"),
    ("Table 3: standard conv Mult-Adds", 462_422_016, "462"),
    ("Table 3: standard conv params", 2_359_296, "2.36"),
    ("Table 3: depthwise separable Mult-Adds", 52_283_392, "52.3"),
    ("Table 3: depthwise separable params", 266_752, "0.27"),
    ("Table 3: alpha 0.75 Mult-Adds", 29_578_752, "29.6"),
    ("Table 3: alpha 0.75 params", 150_912, "0.15"),
    ("Table 3: alpha 0.75, rho 0.714 Mult-Adds", 15_091_200, "15.1"),
]


# --- Helpers ------------------------------------------------------------------------------------------------------


def _spec(name: str):
    return load_spec(str(bundled_specs()[name]))


def _row(evaluation: Evaluation, kind: str):
    rows = [row for row in evaluation.layers if row.kind == kind]
    assert len(rows) == 1, f"expected one {kind} row, got {len(rows)}"
    return rows[0]


def _millions(value: int, places: int) -> str:
    """``value / 10**6`` rounded half away from zero to ``places`` decimals, independently of costcalc."""
    quantum = Decimal(1).scaleb(-places)
    return str((Decimal(value) / Decimal(10**6)).quantize(quantum, rounding=ROUND_HALF_UP))


def _places(printed: str) -> int:
    return len(printed.split(".")[1]) if "." in printed else 0


# --- Table 6 and 7: width and resolution multipliers ---------------------------------------------------------


@pytest.mark.parametrize(("alpha", "mult_adds", "params"), TABLE6_WIDTH, ids=lambda v: str(v))
def test_table6_width_multiplier(alpha: Fraction, mult_adds: int, params: int) -> None:
    evaluation = evaluate(_spec("mobilenet_v1"), alpha=alpha)
    assert evaluation.resolution == 224
    assert (evaluation.mult_adds, evaluation.params) == (mult_adds, params)
    assert type(evaluation.mult_adds) is int and type(evaluation.params) is int


@pytest.mark.parametrize(("resolution", "mult_adds", "params"), TABLE7_RESOLUTION, ids=lambda v: str(v))
def test_table7_resolution_multiplier(resolution: int, mult_adds: int, params: int) -> None:
    spec = _spec("mobilenet_v1")
    evaluation = evaluate(spec, rho=Fraction(resolution, 224))
    assert evaluation.resolution == resolution
    assert (evaluation.mult_adds, evaluation.params) == (mult_adds, params)
    assert type(evaluation.mult_adds) is int and type(evaluation.params) is int
    assert rho_for_resolution(spec, resolution) == Fraction(resolution, 224)


def test_rho_192_over_224_is_resolution_192() -> None:
    spec = _spec("mobilenet_v1")
    by_rho = evaluate(spec, rho=Fraction(192, 224))
    by_resolution = evaluate(spec, rho=rho_for_resolution(spec, 192))
    assert by_rho.resolution == by_resolution.resolution == 192
    assert (by_rho.mult_adds, by_rho.params) == (by_resolution.mult_adds, by_resolution.params) == (418_121_728, 4_209_088)
    assert [(r.name, r.mult_adds, r.params) for r in by_rho.layers] == [
        (r.name, r.mult_adds, r.params) for r in by_resolution.layers
    ]


def test_cli_rho_192_over_224_is_resolution_192() -> None:
    runner = CliRunner()
    by_rho = runner.invoke(main, ["report", "mobilenet_v1", "--rho", "192/224", "--format", "json"])
    by_resolution = runner.invoke(main, ["report", "mobilenet_v1", "--resolution", "192", "--format", "json"])
    assert by_rho.exit_code == by_resolution.exit_code == 0, by_rho.output + by_resolution.output
    rho_data, resolution_data = json.loads(by_rho.stdout), json.loads(by_resolution.stdout)
    assert rho_data["resolution"] == resolution_data["resolution"] == 192
    assert rho_data["totals"] == resolution_data["totals"] == {
        "mult_adds": 418_121_728, "params": 4_209_088,
        # conv_pw_1 at 96x96: (32 + 64) x 96 x 96 x 4 bytes
        "weight_bytes": 16_836_352, "peak_activation_bytes": 3_538_944}
    assert rho_data["layers"] == resolution_data["layers"]


def test_table7_printed_160_is_off_by_one_million() -> None:
    # Table 7 prints 290 for MobileNet 1.0-160; the exact 290,675,200 is 290.68 M, which rounds to 291 — the figure
    # tensorflow/models research/slim/nets/mobilenet_v1.md gives for MobileNet_v1_1.0_160. costcalc gives the exact.
    evaluation = evaluate(_spec("mobilenet_v1"), rho=Fraction(160, 224))
    assert evaluation.mult_adds == 290_675_200
    assert _millions(evaluation.mult_adds, 0) == "291"
    assert _millions(evaluation.params, 1) == "4.2"  # Table 7, 160: 4.2 M params


# --- Table 4: depthwise separable vs full convolutions ----------------------------------------------------------


def test_table4_mobilenet() -> None:
    evaluation = evaluate(_spec("mobilenet_v1"))
    assert (evaluation.mult_adds, evaluation.params) == MOBILENET_224


def test_table4_conv_mobilenet() -> None:
    evaluation = evaluate(_spec("mobilenet_v1_conv"))
    assert (evaluation.mult_adds, evaluation.params) == CONV_MOBILENET
    # The paper's printed 4866 is the total without the fully connected layer (1024 x 1000 = 1,024,000).
    fc = _row(evaluation, "fc")
    assert (fc.mult_adds, fc.params) == (1_024_000, 1_024_000)
    assert evaluation.mult_adds - fc.mult_adds == CONV_MOBILENET_WITHOUT_FC
    assert _millions(CONV_MOBILENET_WITHOUT_FC, 0) == "4866"
    assert _millions(evaluation.mult_adds, 0) == "4867"


def test_table4_standard_twin_of_mobilenet_is_conv_mobilenet() -> None:
    mobilenet = evaluate(_spec("mobilenet_v1"))
    twin = standard_twin(mobilenet)
    assert twin.pairs == 13
    assert (twin.mult_adds, twin.params) == CONV_MOBILENET
    conv = evaluate(_spec("mobilenet_v1_conv"))
    assert (twin.mult_adds, twin.params) == (conv.mult_adds, conv.params)
    # Table 4: full convolutions cost ~8.56x the Mult-Adds of depthwise separable ones (4867 M vs 569 M).
    ratio = Fraction(twin.mult_adds, mobilenet.mult_adds)
    assert rounded(ratio, 2) == "8.56"


def test_table4_separable_pairs_ratio_is_one_over_n_plus_one_over_nine() -> None:
    # Each pair's (depthwise + pointwise) / standard Mult-Adds is exactly 1/N + 1/D_K**2 (Section 3.1).
    pairs = separable_pairs(evaluate(_spec("mobilenet_v1")))
    assert len(pairs) == 13
    for pair in pairs:
        n = pair.pointwise.output_shape.channels
        assert pair.ratio == Fraction(1, n) + Fraction(1, 9)


# --- Table 5: narrow vs shallow --------------------------------------------------------------------------------


def test_table5_narrow_mobilenet() -> None:
    # Table 5, 0.75 MobileNet: 325,400,448 Mult-Adds, 2,568,144 params (printed 325 / 2.6).
    evaluation = evaluate(_spec("mobilenet_v1"), alpha=Fraction(3, 4))
    assert (evaluation.mult_adds, evaluation.params) == (325_400_448, 2_568_144)


def test_table5_shallow_mobilenet() -> None:
    evaluation = evaluate(_spec("mobilenet_v1_shallow"))
    assert (evaluation.mult_adds, evaluation.params) == SHALLOW_MOBILENET
    full = evaluate(_spec("mobilenet_v1"))
    # Shallow MobileNet is MobileNet without five 14x14x512 separable layers: each is 3x3x512 depthwise
    # (9·512·196 Mult-Adds, 9·512 params) plus 512x512 pointwise (512·512·196, 512·512).
    five = 5 * (9 * 512 * 14 * 14 + 512 * 512 * 14 * 14)
    assert full.mult_adds - evaluation.mult_adds == five
    assert full.params - evaluation.params == 5 * (9 * 512 + 512 * 512)


# --- Table 9: 0.50 MobileNet-160 ---------------------------------------------------------------------------------


def test_table9_mobilenet_050_160() -> None:
    evaluation = evaluate(_spec("mobilenet_v1"), alpha=Fraction(1, 2), rho=Fraction(160, 224))
    assert evaluation.resolution == 160
    assert (evaluation.mult_adds, evaluation.params) == MOBILENET_050_160
    fc = _row(evaluation, "fc")
    assert fc.mult_adds == 512 * 1000
    # The paper prints 76: the total without the fully connected layer.
    assert evaluation.mult_adds - fc.mult_adds == MOBILENET_050_160_WITHOUT_FC
    assert _millions(MOBILENET_050_160_WITHOUT_FC, 0) == "76"
    assert _millions(evaluation.mult_adds, 0) == "77"


# --- Printed, rounded figures -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("what", "exact", "printed"), PRINTED_FIGURES, ids=[row[0] for row in PRINTED_FIGURES])
def test_exact_value_rounds_to_printed_figure(what: str, exact: int, printed: str) -> None:
    places = _places(printed)
    assert _millions(exact, places) == printed
    # costcalc's own exact rounding (render.numbers.rounded) agrees with the independent Decimal rounding.
    assert rounded(Fraction(exact, 10**6), places) == printed


# --- Table 2: resources per layer type --------------------------------------------------------------------------

# Table 2 (MobileNet 1.0-224): % Mult-Adds, % params per layer type. "Conv 3x3" Mult-Adds is printed 1.19: a
# misprint of 1.91 (10,838,016 / 568,740,352 = 1.9056 %, Table 1); with 1.19 the rows would sum to 99.29.
TABLE2 = {
    "conv 1x1": ("94.86%", "74.59%"),  # Table 2, Conv 1x1: 94.86 / 74.59
    "depthwise 3x3": ("3.06%", "1.06%"),  # Table 2, Conv DW 3x3: 3.06 / 1.06
    "conv 3x3": ("1.91%", "0.02%"),  # Table 2, Conv 3x3: printed 1.19 (digits swapped) / 0.02
    "fc": ("0.18%", "24.33%"),  # Table 2, Fully Connected: 0.18 / 24.33
}


def test_table2_shares_by_kind() -> None:
    evaluation = evaluate(_spec("mobilenet_v1"))
    kinds = {kind.group: kind for kind in by_kind(evaluation)}
    assert set(kinds) == set(TABLE2)
    for group, (mult_adds_pct, params_pct) in TABLE2.items():
        assert (percent(kinds[group].mult_adds_share), percent(kinds[group].params_share)) == (mult_adds_pct, params_pct)
        assert kinds[group].mult_adds_share == Fraction(kinds[group].mult_adds, evaluation.mult_adds)
    assert percent(kinds["conv 3x3"].mult_adds_share) != "1.19%"
    assert kinds["conv 3x3"].mult_adds == 10_838_016
    # The four shares are the whole network: exactly 100 %, both columns.
    assert sum(kind.mult_adds_share for kind in kinds.values()) == 1
    assert sum(kind.params_share for kind in kinds.values()) == 1
    assert percent(sum((kind.mult_adds_share for kind in kinds.values()), Fraction(0))) == "100.00%"


def test_table2_shares_by_exact_fraction_math() -> None:
    # The same shares from the group totals, independently of costcalc's breakdown code.
    evaluation = evaluate(_spec("mobilenet_v1"))
    totals: dict[str, list[int]] = {}
    for row in evaluation.layers:
        entry = totals.setdefault(row.group, [0, 0])
        entry[0] += row.mult_adds
        entry[1] += row.params
    for group, (mult_adds_pct, params_pct) in TABLE2.items():
        mult_adds, params = totals[group]
        assert _percent(Fraction(mult_adds, evaluation.mult_adds)) == mult_adds_pct
        assert _percent(Fraction(params, evaluation.params)) == params_pct


def _percent(share: Fraction) -> str:
    value = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


# --- Table 3: one layer, D_K = 3, M = N = 512, D_F = 14 ----------------------------------------------------------


def _layer_costs(layer, input_shape: Shape, arith: ExactArith) -> tuple[int, int]:
    output = layer.output_shape(input_shape, arith)
    costs = layer.costs(input_shape, output, arith)
    return costs["weight_macs"], costs["weights"]


def _separable(m_filters: int, size: int, alpha: Fraction) -> tuple[int, int, int]:
    """Depthwise 3x3 + pointwise on a size x size x alpha·512 map, through the layer kinds."""
    arith = ExactArith(alpha, WidthRule())
    m = arith.channels(m_filters)
    shape = Shape(size, size, m)
    dw = _layer_costs(Depthwise(kernel=(3, 3)), shape, arith)
    pw_layer = Pointwise(filters=512)
    pw = _layer_costs(pw_layer, Depthwise(kernel=(3, 3)).output_shape(shape, arith), arith)
    n = pw_layer.output_shape(shape, arith).channels
    return dw[0] + pw[0], dw[1] + pw[1], n


def test_table3_standard_convolution() -> None:
    # Table 3, Conv 3x3 standard: 462 M Mult-Adds (462,422,016), 2.36 M params (2,359,296).
    arith = ExactArith(Fraction(1), WidthRule())
    assert _layer_costs(Conv(kernel=(3, 3), filters=512), Shape(14, 14, 512), arith) == (462_422_016, 2_359_296)


def test_table3_depthwise_separable() -> None:
    # Table 3, Depthwise Separable Conv: 52.3 M Mult-Adds (52,283,392), 0.27 M params (266,752).
    assert _separable(512, 14, Fraction(1)) == (52_283_392, 266_752, 512)


def test_table3_alpha_075() -> None:
    # Table 3, alpha = 0.75: 29.6 M Mult-Adds (29,578,752), 0.15 M params (150,912); 384 channels.
    assert _separable(512, 14, Fraction(3, 4)) == (29_578_752, 150_912, 384)


def test_table3_alpha_075_rho_0714() -> None:
    # Table 3, alpha = 0.75 and rho = 0.714 (D_F = 10): 15.1 M Mult-Adds (15,091,200), 0.15 M params (150,912).
    assert _separable(512, 10, Fraction(3, 4)) == (15_091_200, 150_912, 384)


# --- The same totals through the CLI (report --format json) -----------------------------------------------------

CLI_ROWS = [
    (["--alpha", "1"], 568_740_352, 4_209_088),  # Table 6, alpha 1.0
    (["--alpha", "0.75"], 325_400_448, 2_568_144),  # Table 6, alpha 0.75
    (["--alpha", "0.5"], 149_497_088, 1_319_648),  # Table 6, alpha 0.5
    (["--alpha", "0.25"], 41_030_272, 463_600),  # Table 6, alpha 0.25
    (["--resolution", "224"], 568_740_352, 4_209_088),  # Table 7, 224
    (["--resolution", "192"], 418_121_728, 4_209_088),  # Table 7, 192
    (["--resolution", "160"], 290_675_200, 4_209_088),  # Table 7, 160
    (["--resolution", "128"], 186_400_768, 4_209_088),  # Table 7, 128
]


@pytest.mark.parametrize(("options", "mult_adds", "params"), CLI_ROWS, ids=[" ".join(row[0]) for row in CLI_ROWS])
def test_cli_json_totals(options: list[str], mult_adds: int, params: int) -> None:
    result = CliRunner().invoke(main, ["report", "mobilenet_v1", *options, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    totals = data["totals"]
    assert type(totals["mult_adds"]) is int and type(totals["params"]) is int  # not bool, float or str
    assert (totals["mult_adds"], totals["params"]) == (mult_adds, params)
    assert data["convention"] == "paper"
