"""Unit tests of the pure cost formulas (``costcalc.layers.formulas``), the width rounding rules (``costcalc.engine.arith``
``WidthRule``, ``costcalc.layers.width``) and the multiplier parser and formatter.

Sources of the expected values:

- MobileNets (Howard et al. 2017, arXiv:1704.04861) eq. 2 and 4: ``D_K·D_K·M·N·D_F·D_F`` Mult-Adds of a
  standard convolution, ``D_K·D_K·M·D_F·D_F`` of a depthwise one; weights without the ``D_F`` factors.
- PyTorch ``Conv2d``/``MaxPool2d`` documentation: ``H_out = floor((H_in + 2p - d(k-1) - 1) / s + 1)``, with
  ``ceil`` instead of ``floor`` in ``ceil_mode``, where a window that would start in the right padding is
  dropped (``pooling_output_shape`` in aten/src/ATen/native/Pool.h).
- TensorFlow ``same`` padding: ``ceil(H_in / s)``; ``valid``: ``ceil((H_in - d(k-1)) / s)``.
- MobileNet v2's ``_make_divisible`` (tensorflow/models research/slim/nets/mobilenet/mobilenet.py,
  torchvision/models/_utils.py), re-implemented below with exact Fraction arithmetic.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from costcalc.engine.arith import ExactArith
from costcalc.errors import ShapeError
from costcalc.layers import formulas
from costcalc.layers.width import WidthRule, make_divisible, truncate
from costcalc.quantities import format_fraction, parse_multiplier, round_half_up

EXACT = ExactArith(Fraction(1), WidthRule())


# --- exact_div ---------------------------------------------------------------------------------------------------


def test_exact_div_ints() -> None:
    assert formulas.exact_div(12, 4) == 3
    assert type(formulas.exact_div(12, 4)) is int
    assert formulas.exact_div(512, 512) == 1
    assert formulas.exact_div(0, 7) == 0


def test_exact_div_huge_ints_stay_exact() -> None:
    big = 3**80  # far above 2**53
    assert formulas.exact_div(big * 7, 7) == big
    assert type(formulas.exact_div(big * 7, 7)) is int


@pytest.mark.parametrize(("numerator", "denominator"), [(7, 2), (10, 3), (1, 512), (513, 512)])
def test_exact_div_not_divisible_is_an_error(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError, match=f"{numerator} is not divisible by {denominator}"):
        formulas.exact_div(numerator, denominator)


def test_exact_div_symbolic_is_a_fraction() -> None:
    import sympy

    m, g = sympy.symbols("m g", positive=True)
    assert formulas.exact_div(m, g) == m / g
    assert formulas.exact_div(m, 2) == m / 2


# --- conv_mult_adds / conv_params ---------------------------------------------------------------------------------


def test_conv_mult_adds_standard() -> None:
    # MobileNets Table 3: 3x3, M = N = 512, D_F = 14 -> 462,422,016 Mult-Adds.
    assert formulas.conv_mult_adds(3, 3, 512, 512, 14, 14) == 462_422_016
    # Table 1's first layer: 3x3x3x32 at 112x112 -> 10,838,016.
    assert formulas.conv_mult_adds(3, 3, 3, 32, 112, 112) == 10_838_016


def test_conv_params_standard() -> None:
    assert formulas.conv_params(3, 3, 512, 512) == 2_359_296  # Table 3
    assert formulas.conv_params(3, 3, 3, 32) == 864  # Table 1, first layer


def test_conv_rectangular_kernel_and_map() -> None:
    # k_h x k_w = 1 x 7 on a 17 x 9 map, 64 -> 96 channels.
    assert formulas.conv_mult_adds(1, 7, 64, 96, 17, 9) == 1 * 7 * 64 * 96 * 17 * 9
    assert formulas.conv_params(1, 7, 64, 96) == 7 * 64 * 96
    assert formulas.conv_mult_adds(7, 1, 64, 96, 17, 9) == formulas.conv_mult_adds(1, 7, 64, 96, 9, 17)


def test_conv_grouped() -> None:
    # groups divide the input channels: each filter sees M / groups channels.
    assert formulas.conv_mult_adds(3, 3, 64, 128, 28, 28, groups=4) == 3 * 3 * 16 * 128 * 28 * 28
    assert formulas.conv_params(3, 3, 64, 128, groups=4) == 3 * 3 * 16 * 128
    assert formulas.conv_params(3, 3, 64, 128, groups=1) == 4 * formulas.conv_params(3, 3, 64, 128, groups=4)


def test_depthwise_is_conv_with_groups_m() -> None:
    # MobileNets eq. 4: D_K·D_K·M·D_F·D_F; Table 1's 3x3x32 depthwise at 112x112 -> 3,612,672 and 288 weights.
    assert formulas.conv_mult_adds(3, 3, 32, 32, 112, 112, groups=32) == 3 * 3 * 32 * 112 * 112 == 3_612_672
    assert formulas.conv_params(3, 3, 32, 32, groups=32) == 288


def test_conv_non_divisible_groups_is_an_error() -> None:
    with pytest.raises(ValueError):
        formulas.conv_mult_adds(3, 3, 30, 64, 8, 8, groups=4)
    with pytest.raises(ValueError):
        formulas.conv_params(3, 3, 30, 64, groups=4)


def test_conv_counts_are_exact_above_2_53() -> None:
    m = n = 2**40 + 1
    mult_adds = formulas.conv_mult_adds(1, 1, m, n, 1, 1)
    assert type(mult_adds) is int
    assert mult_adds == 2**80 + 2**41 + 1  # odd, so not representable as a float
    assert float(mult_adds) != mult_adds


def test_formulas_derive_the_paper_equations_with_symbols() -> None:
    import sympy

    k, m, n, d = sympy.symbols("D_K M N D_F", positive=True, integer=True)
    assert sympy.expand(formulas.conv_mult_adds(k, k, m, n, d, d) - k**2 * m * n * d**2) == 0  # eq. 2
    assert sympy.expand(formulas.conv_mult_adds(k, k, m, m, d, d, m) - k**2 * m * d**2) == 0  # eq. 4
    assert sympy.expand(formulas.conv_params(k, k, m, n) - k**2 * m * n) == 0


# --- conv_output_size -----------------------------------------------------------------------------------------------


def _torch(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool = False) -> int:
    """PyTorch's documented output size, with ceil mode's drop of a window starting in the right padding."""
    numerator = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-numerator // stride) if ceil_mode else numerator // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _size(size: int, kernel: int, stride: int, padding: str, pad: int = 0, dilation: int = 1,
          ceil_mode: bool = False) -> int:
    return formulas.conv_output_size(size, kernel, stride, padding, pad, dilation, EXACT, ceil_mode)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad", "dilation", "expected"),
    [
        (224, 3, 2, 1, 1, 112),  # MobileNet/ResNet stem 3x3 s2 p1: floor(223/2) + 1
        (224, 7, 2, 3, 1, 112),  # ResNet stem 7x7 s2 p3: floor(223/2) + 1
        (112, 3, 2, 1, 1, 56),  # ResNet max pool 3x3 s2 p1
        (112, 3, 1, 1, 1, 112),  # 3x3 s1 p1 keeps the size
        (7, 3, 1, 0, 1, 5),  # no padding: 7 - 3 + 1
        (32, 3, 1, 2, 2, 32),  # dilation 2: span 5, padding 2 keeps the size
        (32, 3, 1, 0, 2, 28),  # dilation 2, no padding: 32 - 5 + 1
        (10, 3, 3, 0, 1, 3),  # floor(7/3) + 1
        (5, 5, 1, 0, 1, 1),  # window exactly the input
        (1, 1, 1, 0, 1, 1),
        (13, 3, 2, 1, 1, 7),  # odd input, floor(12/2) + 1
        (227, 11, 4, 0, 1, 55),  # AlexNet conv1: floor(216/4) + 1
    ],
)
def test_explicit_padding_matches_pytorch(size: int, kernel: int, stride: int, pad: int, dilation: int,
                                          expected: int) -> None:
    assert _torch(size, kernel, stride, pad, dilation) == expected  # the hand-computed value is PyTorch's
    assert _size(size, kernel, stride, "explicit", pad, dilation) == expected


def test_explicit_padding_matches_pytorch_on_a_grid() -> None:
    checked = 0
    for size in range(1, 40):
        for kernel in range(1, 6):
            for stride in range(1, 5):
                for pad in range(0, 3):
                    for dilation in (1, 2, 3):
                        if size + 2 * pad < dilation * (kernel - 1) + 1:
                            continue
                        for ceil_mode in (False, True):
                            assert _size(size, kernel, stride, "explicit", pad, dilation, ceil_mode) == _torch(
                                size, kernel, stride, pad, dilation, ceil_mode
                            ), (size, kernel, stride, pad, dilation, ceil_mode)
                            checked += 1
    assert checked > 5000


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad", "floor_size", "ceil_size"),
    [
        (112, 3, 2, 0, 55, 56),  # GoogLeNet max pool 3x3 s2 ceil_mode: 56, floor: 55
        (56, 3, 2, 0, 27, 28),
        (5, 2, 2, 1, 3, 3),  # ceil would give 4, but the 4th window would start in the right padding: dropped
        (6, 3, 2, 1, 3, 4),  # the 4th window starts on the last input pixel: kept
        (7, 2, 2, 0, 3, 4),
        (8, 2, 2, 0, 4, 4),  # divides evenly: no difference
        (14, 3, 2, 0, 6, 7),
    ],
)
def test_ceil_mode(size: int, kernel: int, stride: int, pad: int, floor_size: int, ceil_size: int) -> None:
    mode = "explicit" if pad else "valid"
    assert _size(size, kernel, stride, mode, pad) == floor_size
    assert _size(size, kernel, stride, mode, pad, ceil_mode=True) == ceil_size
    assert _torch(size, kernel, stride, pad, 1, True) == ceil_size


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "expected"),
    [
        (224, 3, 2, 112),  # ceil(224/2)
        (7, 3, 2, 4),  # ceil(7/2)
        (7, 3, 1, 7),
        (15, 5, 4, 4),  # ceil(15/4), whatever the kernel
        (1, 7, 2, 1),
        (1, 1, 1, 1),
    ],
)
def test_same_padding_is_ceil_of_size_over_stride(size: int, kernel: int, stride: int, expected: int) -> None:
    assert _size(size, kernel, stride, "same") == expected
    assert _size(size, kernel, stride, "same", dilation=3) == expected  # dilation does not change 'same'
    assert _size(size, kernel, stride, "same", pad=5) == expected  # nor does a stray pad value


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "dilation", "expected"),
    [
        (7, 3, 1, 1, 5),  # 7 - 3 + 1
        (224, 3, 2, 1, 111),  # floor(221/2) + 1
        (10, 3, 1, 2, 6),  # span 5: 10 - 5 + 1
        (3, 3, 1, 1, 1),
        (227, 11, 4, 1, 55),
    ],
)
def test_valid_padding(size: int, kernel: int, stride: int, dilation: int, expected: int) -> None:
    assert _size(size, kernel, stride, "valid", pad=3, dilation=dilation) == expected  # pad ignored: 'valid'
    assert expected == _torch(size, kernel, stride, 0, dilation)
    # TensorFlow's VALID formula gives the same: ceil((in - d(k-1)) / s).
    assert expected == -(-(size - dilation * (kernel - 1)) // stride)


@pytest.mark.parametrize(("size", "kernel", "padding", "pad", "dilation"),
                         [(2, 5, "valid", 0, 1), (4, 3, "valid", 0, 3), (1, 5, "explicit", 1, 1)])
def test_window_larger_than_input_is_a_shape_error(size: int, kernel: int, padding: str, pad: int,
                                                   dilation: int) -> None:
    with pytest.raises(ShapeError, match="larger than the (padded )?input"):
        _size(size, kernel, 1, padding, pad, dilation)


def test_output_size_ideal_arith_does_not_round() -> None:
    import sympy

    from costcalc.engine.arith import IdealArith

    rho = sympy.Symbol("rho", positive=True)
    ideal = IdealArith()
    assert formulas.conv_output_size(224 * rho, 3, 2, "same", 0, 1, ideal) == 112 * rho
    # size / stride plus a whole offset: equal to the exact size where the stride divides (224 -> 111 here) ...
    assert formulas.conv_output_size(224 * rho, 3, 2, "valid", 0, 1, ideal) == 112 * rho - 1
    assert formulas.conv_output_size(224 * rho, 2, 2, "valid", 0, 1, ideal) == 112 * rho
    assert formulas.conv_output_size(224 * rho, 11, 4, "explicit", 2, 1, ideal) == 56 * rho - 1  # AlexNet: 55
    assert formulas.conv_output_size(224, 3, 2, "valid", 0, 1, ExactArith(Fraction(1), WidthRule())) == 111
    # ... and the paper's size / stride for PyTorch padding that keeps the size (ResNet's stem and 3x3s).
    assert formulas.conv_output_size(224 * rho, 7, 2, "explicit", 3, 1, ideal) == 112 * rho
    assert formulas.conv_output_size(56 * rho, 3, 1, "explicit", 1, 1, ideal) == 56 * rho
    assert formulas.conv_output_size(56 * rho, 3, 2, "explicit", 2, 2, ideal) == 28 * rho


def test_output_size_ideal_arith_is_exact_on_whole_sizes() -> None:
    # A size that is a plain int in symbolic mode (a 1x1 map after global pooling or flatten, then a strided
    # layer) must give an exact Rational, never a float: closed forms hold exact Rationals (docs/spec-format.md).
    import sympy

    from costcalc.engine.arith import IdealArith

    ideal = IdealArith()
    half = formulas.conv_output_size(7, 3, 2, "same", 0, 1, ideal)
    assert not isinstance(half, float), f"IdealArith gave the float {half!r} for 7 / 2"
    assert half == sympy.Rational(7, 2)


# --- Width rounding rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha", "count", "expected"),
    [
        (Fraction(3, 4), 32, 24),
        (Fraction(3, 4), 3, 2),  # int(2.25)
        (Fraction(1, 4), 1000, 250),
        (Fraction(1, 3), 64, 21),  # int(21.33)
        (Fraction(2, 3), 64, 42),  # int(42.67): truncated, not rounded
        (Fraction(9, 10), 10, 9),
        (Fraction(5, 4), 7, 8),  # int(8.75)
    ],
)
def test_truncate_is_int_of_alpha_times_n(alpha: Fraction, count: int, expected: int) -> None:
    assert WidthRule("truncate").apply(alpha * count) == expected
    assert truncate(alpha * count) == expected
    assert ExactArith(alpha, WidthRule("truncate")).channels(count) == expected


def _reference_make_divisible(v: Fraction, divisor: int, min_value: int | None = None) -> int:
    """MobileNet v2's ``_make_divisible``, with the float arithmetic replaced by exact Fractions:

        if min_value is None: min_value = divisor
        new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
        if new_v < 0.9 * v: new_v += divisor
        return new_v
    """
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + Fraction(divisor, 2)) // divisor * divisor)
    if new_v < Fraction(9, 10) * v:
        new_v += divisor
    return new_v


@pytest.mark.parametrize(
    ("alpha", "count", "divisor", "expected"),
    [
        (Fraction(3, 4), 32, 8, 24),  # 24 is already a multiple of 8
        (Fraction(35, 100), 32, 8, 16),  # 11.2 -> 8 is more than 10 % below: 16
        (Fraction(3, 4), 24, 8, 24),  # 18 -> 16 is more than 10 % below 18: 24
        (Fraction(1, 2), 16, 8, 8),  # 8
        (Fraction(1, 4), 16, 8, 8),  # 4 -> at least the divisor: 8
        (Fraction(13, 10), 96, 8, 128),  # 124.8 -> 128
        (Fraction(1), 100, 8, 104),  # 100 + 4 = 104 -> 104
        (Fraction(1), 36, 8, 40),  # 36 + 4 = 40 -> 40 (a half rounds up)
        (Fraction(3, 4), 40, 16, 32),  # 30 + 8 = 38 -> 32; 32 >= 27
    ],
)
def test_make_divisible_known_values(alpha: Fraction, count: int, divisor: int, expected: int) -> None:
    value = alpha * count
    assert _reference_make_divisible(value, divisor) == expected
    assert make_divisible(value, divisor) == expected
    assert WidthRule("make_divisible", divisor=divisor).apply(value) == expected


def test_make_divisible_matches_reference_on_a_grid() -> None:
    alphas = [Fraction(n, 100) for n in range(5, 301, 5)] + [Fraction(1, 3), Fraction(2, 3), Fraction(6, 7)]
    for divisor in (1, 2, 4, 8, 16):
        for min_value in (None, 1, 16):
            for count in (1, 3, 8, 16, 24, 32, 40, 96, 320, 1280):
                for alpha in alphas:
                    value = alpha * count
                    expected = _reference_make_divisible(value, divisor, min_value)
                    assert make_divisible(value, divisor, min_value) == expected, (value, divisor, min_value)
                    assert WidthRule("make_divisible", divisor, min_value).apply(value) == expected
                    if min_value is None:
                        assert expected % divisor == 0 and expected >= divisor


def test_make_divisible_applies_at_alpha_one() -> None:
    # MobileNet v2/v3 round every channel count, also at width 1.0: torchvision's MobileNetV2 does
    # ``input_channel = _make_divisible(input_channel * width_mult, round_nearest)`` whatever width_mult is,
    # so a 12-channel layer has _make_divisible(12.0, 8) = 16 channels at width 1.0, as it has at width 3/4
    # (_make_divisible(9.0, 8) = 16).
    rule = WidthRule("make_divisible", divisor=8)
    assert _reference_make_divisible(Fraction(12), 8) == 16
    assert rule.apply(Fraction(12)) == 16
    assert ExactArith(Fraction(3, 4), rule).channels(12) == 16
    assert ExactArith(Fraction(1), rule).channels(12) == 16


def test_make_divisible_min_channels() -> None:
    assert make_divisible(Fraction(4), 8, 16) == 16
    assert WidthRule("make_divisible", divisor=8, min_channels=16).apply(Fraction(4)) == 16


def test_width_rule_none_requires_whole_channels() -> None:
    rule = WidthRule("none")
    assert rule.apply(Fraction(24)) == 24
    assert type(rule.apply(Fraction(24))) is int
    with pytest.raises(ShapeError, match="not a whole number"):
        rule.apply(Fraction(9, 4))
    with pytest.raises(ShapeError, match="not a whole number"):
        ExactArith(Fraction(3, 4), rule).channels(3)
    assert ExactArith(Fraction(3, 4), rule).channels(32) == 24


def test_channels_fixed_and_alpha_one_are_not_scaled() -> None:
    arith = ExactArith(Fraction(1, 2), WidthRule())
    assert arith.channels(1000, fixed=True) == 1000
    assert ExactArith(Fraction(1), WidthRule("none")).channels(7) == 7


def test_alpha_that_leaves_no_channels_is_an_error() -> None:
    with pytest.raises(ShapeError, match="leaves 0"):
        ExactArith(Fraction(1, 4), WidthRule()).channels(3)


# --- round_half_up -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(Fraction(1, 2), 1), (Fraction(3, 2), 2), (Fraction(5, 2), 3),
                                                 (Fraction(7, 3), 2), (Fraction(8, 3), 3), (Fraction(4), 4)])
def test_round_half_up(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


# --- parse_multiplier / format_fraction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.75", Fraction(3, 4)),
        ("3/4", Fraction(3, 4)),
        ("192/224", Fraction(6, 7)),
        (" 192 / 224 ", Fraction(6, 7)),
        ("1", Fraction(1)),
        ("0.25", Fraction(1, 4)),
        ("1.0", Fraction(1)),
        ("0.714", Fraction(714, 1000)),
        ("1e-1", Fraction(1, 10)),
        ("0.5/2", Fraction(1, 4)),
        ("2", Fraction(2)),
    ],
)
def test_parse_multiplier(text: str, expected: Fraction) -> None:
    value = parse_multiplier(text)
    assert value == expected
    assert isinstance(value, Fraction)


def test_parse_multiplier_is_exact_not_float() -> None:
    assert parse_multiplier("0.1") == Fraction(1, 10)
    assert parse_multiplier("0.1") != Fraction(0.1)  # the float 0.1 is not 1/10


@pytest.mark.parametrize("text", ["abc", "0", "-1", "nan", "inf", "-inf", "1/0", "", "0/5", "3/", "/4", "1/-2",
                                  "0.0"])
def test_parse_multiplier_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_multiplier(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(3, 4), "0.75"),
        (Fraction(1), "1"),
        (Fraction(2), "2"),
        (Fraction(1, 2), "0.5"),
        (Fraction(1, 4), "0.25"),
        (Fraction(6, 7), "6/7"),  # 192/224
        (Fraction(1, 3), "1/3"),
        (Fraction(5, 2), "2.5"),
        (Fraction(1, 10), "0.1"),
        (Fraction(1, 64), "0.015625"),  # six decimals: still short enough
        (Fraction(1, 128), "1/128"),  # seven decimals: the fraction
        (Fraction(714, 1000), "0.714"),
        (Fraction(101, 100), "1.01"),
    ],
)
def test_format_fraction(value: Fraction, text: str) -> None:
    assert format_fraction(value) == text


@pytest.mark.parametrize("text", ["0.75", "3/4", "6/7", "0.015625", "2.5", "1", "1/3"])
def test_format_fraction_round_trips(text: str) -> None:
    value = parse_multiplier(text)
    assert parse_multiplier(format_fraction(value)) == value


def test_math_floor_matches_truncate_for_positive() -> None:
    # The paper's int(alpha * n) is floor for positive values; truncate must not round.
    for numerator in range(1, 200):
        value = Fraction(numerator, 7)
        assert truncate(value) == math.floor(value) == int(value)
