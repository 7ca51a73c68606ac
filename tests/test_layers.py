"""Unit tests per layer kind (``costcalc.layers``): output shapes, cost components, by-kind groups, generated
names, and how the two counting conventions count each component.

Expected values are hand-computed from the formulas each kind documents: MobileNets (Howard et al. 2017,
arXiv:1704.04861) eq. 2 (standard conv), eq. 4 (depthwise), eq. 5 (separable = depthwise + pointwise), a fully
connected layer as a 1x1 conv on a 1x1 map; TensorFlow ``same`` padding ``ceil(in / stride)``; PyTorch's
``floor((in + 2p - d(k-1) - 1) / s) + 1`` for explicit padding and pooling; BatchNorm's 2 trainable (gamma, beta)
and 2 running statistics per channel; Keras-style names (``conv_dw_1``, ``conv_dw_1_bn``, ``conv_dw_1_relu``).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.arith import ExactArith
from costcalc.engine.exact import evaluate
from costcalc.engine.results import Evaluation
from costcalc.errors import ShapeError, SpecError
from costcalc.layers import KINDS, SHORTHANDS
from costcalc.layers.base import Shape
from costcalc.layers.conv import Conv, Depthwise, Pointwise, Separable
from costcalc.layers.dense import FullyConnected
from costcalc.layers.pooling import AvgPool, GlobalAvgPool, GlobalMaxPool, MaxPool
from costcalc.layers.simple import Activation, BatchNorm, Dropout, Flatten, Softmax
from costcalc.layers.width import WidthRule
from costcalc.spec import load_spec
from costcalc.spec.build import build_network

ONE = ExactArith(Fraction(1), WidthRule())


def _run(layer: Any, shape: Shape, arith: ExactArith = ONE) -> tuple[Shape, dict[str, int]]:
    output = layer.output_shape(shape, arith)
    return output, layer.costs(shape, output, arith)


def _spec(tmp_path: Path, layers: str, size: str = "size: 8", channels: int = 3, width: str = "") -> Any:
    text = f"input: {{channels: {channels}, {size}}}\n{width}layers:\n{layers}"
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(str(path))


def _evaluate(tmp_path: Path, layers: str, **kwargs: Any) -> Evaluation:
    options = {key: kwargs.pop(key) for key in ("size", "channels", "width") if key in kwargs}
    return evaluate(_spec(tmp_path, layers, **options), **kwargs)


def _names(tmp_path: Path, layers: str) -> list[str]:
    return [node.name for node in build_network(_spec(tmp_path, layers)).nodes]


# --- registry -----------------------------------------------------------------------------------------------------


def test_registry_has_every_kind() -> None:
    expected = {"conv", "depthwise", "pointwise", "separable", "fc", "avg_pool", "max_pool", "global_avg_pool",
                "global_max_pool", "batch_norm", "activation", "flatten", "dropout", "softmax"}
    assert expected <= set(KINDS)
    assert SHORTHANDS["relu"] == ("activation", {"function": "relu"})
    assert SHORTHANDS["relu6"] == ("activation", {"function": "relu6"})


# --- conv ---------------------------------------------------------------------------------------------------------


def test_conv_standard() -> None:
    layer = Conv(kernel=(3, 3), filters=32, stride=(2, 2))
    output, costs = _run(layer, Shape(224, 224, 3))
    assert output == Shape(112, 112, 32)
    # MobileNets Table 1, first layer: 3x3x3x32 s2 -> 10,838,016 Mult-Adds and 864 weights.
    assert costs == {"weight_macs": 10_838_016, "weights": 864}
    assert layer.group() == "conv 3x3"
    assert layer.filter_label(Shape(224, 224, 3), output) == "3×3×3×32"
    assert layer.stride_label() == "s2"


def test_conv_rectangular_kernel_and_stride() -> None:
    layer = Conv(kernel=(1, 7), filters=96, stride=(2, 1))
    output, costs = _run(layer, Shape(17, 17, 64))
    assert output == Shape(9, 17, 96)  # same padding: ceil(17/2) x ceil(17/1)
    assert costs == {"weight_macs": 1 * 7 * 64 * 96 * 9 * 17, "weights": 1 * 7 * 64 * 96}
    assert layer.group() == "conv 1x7"
    assert layer.stride_label() == "s2×1"


def test_conv_explicit_and_valid_padding_and_dilation() -> None:
    output, costs = _run(Conv(kernel=(3, 3), filters=8, padding=(1, 1), stride=(2, 2)), Shape(224, 224, 4))
    assert output == Shape(112, 112, 8)
    output, _ = _run(Conv(kernel=(3, 3), filters=8, padding="valid"), Shape(7, 7, 4))
    assert output == Shape(5, 5, 8)
    output, _ = _run(Conv(kernel=(3, 3), filters=8, padding=(2, 0), dilation=(2, 1)), Shape(32, 10, 4))
    assert output == Shape(32, 8, 8)  # height: 32 + 4 - 5 + 1; width: 10 - 3 + 1
    assert costs["weight_macs"] == 3 * 3 * 4 * 8 * 112 * 112


def test_conv_grouped() -> None:
    layer = Conv(kernel=(3, 3), filters=128, groups=4)
    output, costs = _run(layer, Shape(28, 28, 64))
    assert output == Shape(28, 28, 128)
    assert costs == {"weight_macs": 3 * 3 * 16 * 128 * 28 * 28, "weights": 3 * 3 * 16 * 128}
    assert layer.group() == "group conv 3x3"
    assert layer.filter_label(Shape(28, 28, 64), output) == "3×3×16×128"


@pytest.mark.parametrize(("channels", "filters"), [(30, 64), (64, 30)])
def test_conv_groups_must_divide_channels(channels: int, filters: int) -> None:
    with pytest.raises(ShapeError, match="groups = 4 must divide"):
        Conv(kernel=(3, 3), filters=filters, groups=4).output_shape(Shape(8, 8, channels), ONE)


def test_conv_bias_components_and_conventions() -> None:
    _, costs = _run(Conv(kernel=(3, 3), filters=16, bias=True), Shape(10, 10, 8))
    assert costs == {"weight_macs": 3 * 3 * 8 * 16 * 100, "weights": 3 * 3 * 8 * 16, "biases": 16,
                     "bias_adds": 16 * 100}
    assert PAPER.params_of(costs) == 3 * 3 * 8 * 16  # paper: weights only
    assert TORCHVISION.params_of(costs) == 3 * 3 * 8 * 16 + 16  # torchvision: weights + biases
    assert PAPER.mult_adds_of(costs) == TORCHVISION.mult_adds_of(costs) == 3 * 3 * 8 * 16 * 100  # no bias adds


def test_conv_alpha_scales_filters_unless_fixed() -> None:
    arith = ExactArith(Fraction(3, 4), WidthRule())
    assert Conv(kernel=(3, 3), filters=32).output_shape(Shape(8, 8, 3), arith).channels == 24
    assert Conv(kernel=(3, 3), filters=32, fixed=True).output_shape(Shape(8, 8, 3), arith).channels == 32
    arith = ExactArith(Fraction(3, 4), WidthRule("make_divisible", 8))
    assert Conv(kernel=(3, 3), filters=24).output_shape(Shape(8, 8, 3), arith).channels == 24  # 18 -> 24


# --- depthwise ----------------------------------------------------------------------------------------------------


def test_depthwise() -> None:
    layer = Depthwise(kernel=(3, 3), stride=(2, 2))
    output, costs = _run(layer, Shape(112, 112, 64))
    assert output == Shape(56, 56, 64)
    # Table 1: 3x3x64 depthwise s2 on 112x112 -> 1,806,336 Mult-Adds, 576 weights (eq. 4 at the output size).
    assert costs == {"weight_macs": 3 * 3 * 64 * 56 * 56, "weights": 576}
    assert costs["weight_macs"] == 1_806_336
    assert layer.group() == "depthwise 3x3"
    assert layer.filter_label(Shape(112, 112, 64), output) == "3×3×64 dw"


def test_depthwise_ignores_alpha() -> None:
    # A depthwise layer has as many channels as its input: alpha acts through the previous layer only.
    arith = ExactArith(Fraction(1, 2), WidthRule())
    assert Depthwise(kernel=(3, 3)).output_shape(Shape(14, 14, 512), arith) == Shape(14, 14, 512)


@pytest.mark.parametrize("multiplier", [1, 2, 3])
def test_depthwise_multiplier(multiplier: int) -> None:
    layer = Depthwise(kernel=(5, 5), depth_multiplier=multiplier)
    output, costs = _run(layer, Shape(14, 14, 32))
    assert output == Shape(14, 14, 32 * multiplier)
    assert costs == {"weight_macs": 5 * 5 * 32 * multiplier * 14 * 14, "weights": 5 * 5 * 32 * multiplier}
    label = layer.filter_label(Shape(14, 14, 32), output)
    assert label == ("5×5×32 dw" if multiplier == 1 else f"5×5×32×{multiplier} dw")


def test_depthwise_bias() -> None:
    _, costs = _run(Depthwise(kernel=(3, 3), bias=True, depth_multiplier=2), Shape(4, 4, 8))
    assert costs["biases"] == 16 and costs["bias_adds"] == 16 * 16


# --- pointwise ------------------------------------------------------------------------------------------------------


def test_pointwise() -> None:
    layer = Pointwise(filters=64)
    output, costs = _run(layer, Shape(112, 112, 32))
    assert output == Shape(112, 112, 64)
    # Table 1: 1x1x32x64 on 112x112 -> 25,690,112 Mult-Adds, 2,048 weights (eq. 5, second term).
    assert costs == {"weight_macs": 25_690_112, "weights": 2_048}
    assert layer.group() == "conv 1x1"  # the paper's Table 2 puts pointwise layers under "Conv 1x1"
    assert layer.filter_label(Shape(112, 112, 32), output) == "1×1×32×64"


def test_pointwise_grouped_and_strided() -> None:
    layer = Pointwise(filters=240, groups=3, stride=(2, 2))
    output, costs = _run(layer, Shape(28, 28, 24))
    assert output == Shape(14, 14, 240)
    assert costs == {"weight_macs": 8 * 240 * 14 * 14, "weights": 8 * 240}
    assert layer.group() == "group conv 1x1"


def test_pointwise_alpha() -> None:
    arith = ExactArith(Fraction(1, 4), WidthRule())
    output, costs = _run(Pointwise(filters=1024), Shape(7, 7, 256), arith)
    assert output.channels == 256
    assert costs["weights"] == 256 * 256


# --- separable --------------------------------------------------------------------------------------------------


def test_separable_expands_to_depthwise_and_pointwise() -> None:
    layer = Separable(kernel=(3, 3), filters=128, stride=(2, 2), padding=(1, 1), dilation=(1, 1),
                      depth_multiplier=1, bias=True)
    depthwise, pointwise = layer.expand()
    assert depthwise == Depthwise(kernel=(3, 3), stride=(2, 2), padding=(1, 1), bias=True)
    assert pointwise == Pointwise(filters=128, bias=True)
    assert pointwise.stride == (1, 1)  # the stride belongs to the depthwise layer


def test_separable_costs_are_eq5() -> None:
    # eq. 5: D_K·D_K·M·D_F·D_F + M·N·D_F·D_F, with D_F the output size.
    depthwise, pointwise = Separable(kernel=(3, 3), filters=128, stride=(2, 2)).expand()
    mid, dw = _run(depthwise, Shape(112, 112, 64))
    out, pw = _run(pointwise, mid)
    assert out == Shape(56, 56, 128)
    assert dw["weight_macs"] + pw["weight_macs"] == 3 * 3 * 64 * 56 * 56 + 64 * 128 * 56 * 56
    assert dw["weights"] + pw["weights"] == 3 * 3 * 64 + 64 * 128


def test_separable_with_batch_norm_and_activation() -> None:
    layers = Separable(kernel=(3, 3), filters=64, batch_norm=True, activation="relu6").expand()
    assert [type(layer) for layer in layers] == [Depthwise, BatchNorm, Activation, Pointwise, BatchNorm, Activation]
    assert layers[2].function == layers[5].function == "relu6"


@pytest.mark.parametrize(("batch_norm", "activation", "kinds"), [
    (False, None, ["depthwise", "pointwise"]),
    (True, None, ["depthwise", "batch_norm", "pointwise", "batch_norm"]),
    (False, "relu", ["depthwise", "activation", "pointwise", "activation"]),
])
def test_separable_followers_optional(batch_norm: bool, activation: str | None, kinds: list[str]) -> None:
    layers = Separable(kernel=(3, 3), filters=8, batch_norm=batch_norm, activation=activation).expand()
    assert [layer.kind for layer in layers] == kinds


def test_separable_generated_names(tmp_path: Path) -> None:
    names = _names(tmp_path, """\
  - conv: {kernel: 3, filters: 8, stride: 2}
  - batch_norm
  - relu
  - separable: {kernel: 3, filters: 16, batch_norm: true, activation: relu}
  - separable: {kernel: 3, filters: 16}
""")
    assert names == ["conv_1", "conv_1_bn", "conv_1_relu",
                     "conv_dw_1", "conv_dw_1_bn", "conv_dw_1_relu", "conv_pw_1", "conv_pw_1_bn", "conv_pw_1_relu",
                     "conv_dw_2", "conv_pw_2"]


def test_separable_given_name(tmp_path: Path) -> None:
    names = _names(tmp_path, """\
  - separable: {kernel: 3, filters: 16, batch_norm: true, activation: relu6, name: block}
""")
    assert names == ["block_dw", "block_dw_bn", "block_dw_relu6", "block_pw", "block_pw_bn", "block_pw_relu6"]


def test_names_continue_through_repeats(tmp_path: Path) -> None:
    names = _names(tmp_path, """\
  - repeat: 2
    layers:
      - separable: {kernel: 3, filters: 8}
      - conv: {kernel: 1, filters: 8, name: mix}
""")
    assert names == ["conv_dw_1", "conv_pw_1", "mix_1", "conv_dw_2", "conv_pw_2", "mix_2"]


def test_separable_rows_in_evaluation(tmp_path: Path) -> None:
    evaluation = _evaluate(tmp_path, "  - separable: {kernel: 3, filters: 16, stride: 2, batch_norm: true, "
                                     "activation: relu}\n", channels=8)
    rows = {row.name: row for row in evaluation.layers}
    assert rows["conv_dw_1"].mult_adds == 3 * 3 * 8 * 4 * 4
    assert rows["conv_pw_1"].mult_adds == 8 * 16 * 4 * 4
    assert rows["conv_dw_1_bn"].mult_adds == rows["conv_dw_1_bn"].params == 0  # paper convention
    assert evaluation.mult_adds == 3 * 3 * 8 * 16 + 8 * 16 * 16
    assert evaluation.params == 3 * 3 * 8 + 8 * 16


# --- fc ------------------------------------------------------------------------------------------------------------


def test_fc() -> None:
    layer = FullyConnected(units=1000, fixed=True)
    output, costs = _run(layer, Shape(1, 1, 1024), ExactArith(Fraction(1, 2), WidthRule()))
    assert output == Shape(1, 1, 1000)  # fixed: the classes are not scaled by alpha
    assert costs == {"weight_macs": 1_024_000, "weights": 1_024_000, "biases": 1000, "bias_adds": 1000}
    assert PAPER.params_of(costs) == 1_024_000
    assert TORCHVISION.params_of(costs) == 1_025_000
    assert layer.group() == "fc"
    assert layer.filter_label(Shape(1, 1, 1024), output) == "1024×1000"


def test_fc_without_bias_and_scaled() -> None:
    output, costs = _run(FullyConnected(units=512, bias=False), Shape(1, 1, 100), ExactArith(Fraction(1, 2), WidthRule()))
    assert output == Shape(1, 1, 256)
    assert costs == {"weight_macs": 100 * 256, "weights": 100 * 256}


def test_fc_on_a_map_is_a_shape_error() -> None:
    with pytest.raises(ShapeError, match="flat input"):
        FullyConnected(units=10).output_shape(Shape(7, 7, 1024), ONE)


def test_fc_on_a_map_through_a_spec_is_a_spec_error(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "  - conv: {kernel: 3, filters: 8}\n  - fc: {units: 10, name: classifier}\n")
    with pytest.raises(SpecError) as raised:
        evaluate(spec)
    (diagnostic,) = raised.value.diagnostics
    assert "layer 'classifier'" in diagnostic.message
    assert "flat input" in diagnostic.message
    assert "8×8×8" in diagnostic.message
    assert diagnostic.location.path.endswith("net.yaml")
    assert diagnostic.location.line == 4  # the fc entry's line: input, layers, conv, fc


# --- pooling ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [AvgPool, MaxPool])
def test_window_pool_defaults(cls: type) -> None:
    layer = cls(kernel=(2, 2))
    output, costs = _run(layer, Shape(9, 8, 16))
    assert output == Shape(4, 4, 16)  # stride defaults to the window; valid padding: floor((9-2)/2)+1
    prefix = cls.kind.replace("_", "")  # elements in and out, for conventions that count pools (ptflops, thop)
    assert costs == {f"{prefix}_in": 9 * 8 * 16, f"{prefix}_out": 4 * 4 * 16}
    assert PAPER.mult_adds_of(costs) == TORCHVISION.mult_adds_of(costs) == 0
    assert layer.group() == f"{cls.kind} 2x2"
    assert layer.stride_label() == "s2"


def test_max_pool_stride_padding_and_ceil_mode() -> None:
    # ResNet: max_pool 3x3 s2 p1 on 112 -> 56
    assert MaxPool(kernel=(3, 3), stride=(2, 2), padding=(1, 1)).output_shape(Shape(112, 112, 64), ONE) == Shape(56, 56, 64)
    # GoogLeNet: max_pool 3x3 s2 ceil_mode on 112 -> 56 (floor: 55)
    assert MaxPool(kernel=(3, 3), stride=(2, 2), ceil_mode=True).output_shape(Shape(112, 112, 64), ONE) == Shape(56, 56, 64)
    assert MaxPool(kernel=(3, 3), stride=(2, 2)).output_shape(Shape(112, 112, 64), ONE) == Shape(55, 55, 64)
    # same padding: ceil(in / stride)
    assert AvgPool(kernel=(3, 3), stride=(2, 2), padding="same").output_shape(Shape(7, 7, 4), ONE) == Shape(4, 4, 4)


def test_avg_pool_7x7_is_the_papers_final_pool() -> None:
    output, costs = _run(AvgPool(kernel=(7, 7)), Shape(7, 7, 1024))
    assert output == Shape(1, 1, 1024)
    assert PAPER.mult_adds_of(costs) == 0 and costs["avgpool_in"] == 7 * 7 * 1024


def test_pool_larger_than_map_is_a_shape_error() -> None:
    with pytest.raises(ShapeError):
        AvgPool(kernel=(7, 7)).output_shape(Shape(6, 6, 8), ONE)


@pytest.mark.parametrize("cls", [GlobalAvgPool, GlobalMaxPool])
@pytest.mark.parametrize("shape", [Shape(7, 7, 1024), Shape(6, 6, 1024), Shape(3, 5, 8), Shape(1, 1, 2)])
def test_global_pools(cls: type, shape: Shape) -> None:
    layer = cls()
    output, costs = _run(layer, shape)
    assert output == Shape(1, 1, shape.channels)
    component = cls.component  # type: ignore[attr-defined]  # PyTorch's AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1)
    assert costs == {f"{component}_in": shape.height * shape.width * shape.channels, f"{component}_out": shape.channels}
    assert PAPER.mult_adds_of(costs) == 0
    assert layer.filter_label(shape, output) == f"{shape.height}×{shape.width}"


# --- batch norm, activations, flatten, dropout, softmax ---------------------------------------------------------


def test_batch_norm_components() -> None:
    output, costs = _run(BatchNorm(), Shape(14, 14, 512))
    assert output == Shape(14, 14, 512)
    assert costs == {"bn_affine": 1024, "bn_stats": 1024, "bn_elements": 14 * 14 * 512}
    assert PAPER.params_of(costs) == 0 and PAPER.mult_adds_of(costs) == 0
    assert TORCHVISION.params_of(costs) == 1024  # gamma and beta; running statistics are not parameters
    assert TORCHVISION.mult_adds_of(costs) == 0


def test_batch_norm_in_a_network(tmp_path: Path) -> None:
    layers = "  - conv: {kernel: 3, filters: 16}\n  - batch_norm\n  - relu\n"
    paper = _evaluate(tmp_path, layers)
    torch = _evaluate(tmp_path, layers, convention=TORCHVISION)
    assert paper.params == 3 * 3 * 3 * 16
    assert torch.params == 3 * 3 * 3 * 16 + 2 * 16
    assert paper.mult_adds == torch.mult_adds == 3 * 3 * 3 * 16 * 64
    assert [row.name for row in paper.layers] == ["conv_1", "conv_1_bn", "conv_1_relu"]


def test_activation() -> None:
    layer = Activation(function="hard_swish")
    output, costs = _run(layer, Shape(5, 5, 3))
    assert output == Shape(5, 5, 3) and costs == {"act_hard_swish": 75}
    assert PAPER.mult_adds_of(costs) == TORCHVISION.mult_adds_of(costs) == 0
    assert layer.filter_label(Shape(5, 5, 3), output) == "hard_swish"


def test_followers_without_a_previous_layer_get_their_own_names(tmp_path: Path) -> None:
    # Followers are named after the last layer that is not itself a follower (layers/base.py); with none yet,
    # each counts under its own prefix.
    assert _names(tmp_path, "  - batch_norm\n  - relu\n  - conv: {kernel: 1, filters: 4}\n  - relu6\n") == [
        "bn_1", "act_1", "conv_1", "conv_1_relu6"]


def test_flatten_then_fc(tmp_path: Path) -> None:
    output, costs = _run(Flatten(), Shape(7, 7, 64))
    assert output == Shape(1, 1, 7 * 7 * 64) and costs == {}
    evaluation = _evaluate(tmp_path, "  - conv: {kernel: 3, filters: 4, stride: 2}\n  - flatten\n"
                                     "  - fc: {units: 10, fixed: true}\n")
    fc = evaluation.layers[-1]
    assert fc.input_shape == Shape(1, 1, 4 * 4 * 4)
    assert (fc.mult_adds, fc.params) == (64 * 10, 64 * 10)


def test_dropout_and_softmax_are_identity(tmp_path: Path) -> None:
    for layer in (Dropout(), Dropout(rate=Fraction(1, 5)), Softmax()):
        output, costs = _run(layer, Shape(1, 1, 1000))
        assert output == Shape(1, 1, 1000)
        assert costs == ({"softmax_elements": 1000, "softmax_rows": 1} if isinstance(layer, Softmax) else {})
        assert PAPER.mult_adds_of(costs) == TORCHVISION.mult_adds_of(costs) == 0
    evaluation = _evaluate(tmp_path, "  - global_avg_pool\n  - dropout: {rate: 0.2}\n  - fc: {units: 5, fixed: true}\n"
                                     "  - softmax\n")
    dropout = evaluation.layers[1]
    assert dropout.layer.rate == Fraction(1, 5)  # exact, not the float 0.2
    assert [(row.kind, row.mult_adds, row.params) for row in evaluation.layers] == [
        ("global_avg_pool", 0, 0), ("dropout", 0, 0), ("fc", 15, 15), ("softmax", 0, 0)]


# --- width rounding through a spec ------------------------------------------------------------------------------


def test_width_rule_none_through_a_spec(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "  - conv: {kernel: 3, filters: 3}\n", width="width: {rounding: none}\n")
    assert evaluate(spec, alpha=Fraction(1)).layers[0].output_shape.channels == 3
    with pytest.raises(SpecError, match="not a whole number"):
        evaluate(spec, alpha=Fraction(3, 4))


def test_width_rule_make_divisible_through_a_spec(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "  - conv: {kernel: 3, filters: 32}\n  - conv: {kernel: 1, filters: 24}\n",
                 width="width: {rounding: make_divisible, divisor: 8}\n")
    channels = [row.output_shape.channels for row in evaluate(spec, alpha=Fraction(35, 100)).layers]
    assert channels == [16, 8]  # 11.2 -> 16 (8 would be > 10 % below); 8.4 -> 8


def test_alpha_leaving_no_channels_through_a_spec(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "  - conv: {kernel: 3, filters: 3, name: tiny}\n")
    with pytest.raises(SpecError, match="layer 'tiny'"):
        evaluate(spec, alpha=Fraction(1, 4))
