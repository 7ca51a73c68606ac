"""Width rules: how ``alpha·n`` becomes a whole number of channels (a spec's ``width:`` key, ``--width-rule``).

A rule says three things (docs/spec-format.md, "Width rules"):

- ``rounding``: how every scaled count ``alpha·n`` becomes whole: ``truncate`` (``int(alpha·n)``),
  ``make_divisible`` (the nearest multiple of ``divisor``, never 10 % below) or ``none`` (whole, or refused);
- ``expansion``: what ``expanded(n, t)`` scales, for an inverted residual's expanded width: the table's width
  ``n`` (``table``: ``rounding(alpha·n)``) or the channels flowing in times ``t`` (``input``:
  ``rounding(in·t)``, where ``in`` is already scaled and rounded);
- ``heads``: what ``head(n)`` does: scale like any count (``scaled``), or keep ``n`` for ``alpha <= 1``
  (``kept``; above 1 it scales).

The published rules are presets, each a combination with its source (``PRESETS``). Exact: Fractions in, ints out.
"""

import math
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.errors import ShapeError
from costcalc.quantities import format_fraction


def truncate(value: Fraction) -> int:
    """``int(alpha * n)``: the paper's, Keras' and TF-slim's rule for scaled channel counts."""
    return math.floor(value)


def make_divisible(value: Fraction, divisor: int, min_value: int | None = None) -> int:
    """MobileNet v2/v3's ``_make_divisible``: nearest multiple of ``divisor``, at least ``min_value``
    (default ``divisor``), and never more than 10% below ``value``. Exact: the 0.9 is ``Fraction(9, 10)``.

    The same function is torchvision's ``_make_divisible`` (torchvision/models/_utils.py), TF-slim's
    ``_make_divisible`` (research/slim/nets/mobilenet/mobilenet.py), Keras' ``_depth``
    (keras/applications/mobilenet_v3.py) and EfficientNet's ``round_filters`` with ``min_depth`` unset
    (tensorflow/tpu models/official/efficientnet/efficientnet_model.py)."""
    floor_value = divisor if min_value is None else min_value
    rounded = max(floor_value, math.floor(value + Fraction(divisor, 2)) // divisor * divisor)
    if rounded < Fraction(9, 10) * value:
        rounded += divisor
    return rounded


ROUNDINGS = ("truncate", "make_divisible", "none")
EXPANSIONS = ("table", "input")
HEADS = ("scaled", "kept")


class Preset(NamedTuple):
    rounding: str
    expansion: str
    heads: str
    source: str


# The published width rules. Each name is what a spec's `width: {preset: NAME}` and `--width-rule NAME` take.
PRESETS: dict[str, Preset] = {
    # MobileNets (Howard et al. 2017, §4.2: "the number of input channels M becomes alpha·M"), TF-slim's
    # mobilenet_v1.py (`depth = lambda d: max(int(d * depth_multiplier), min_depth)`), Keras' MobileNet
    # (`int(filters * alpha)`).
    "truncate": Preset("truncate", "table", "scaled",
                       "MobileNets paper §4.2; TF-slim mobilenet_v1.py depth(); Keras MobileNet int(filters * alpha)"),
    # torchvision: every count is `_make_divisible(c * width_mult, 8)` (mobilenetv2.py; mobilenetv3.py
    # `adjust_channels`), an expansion too: MobileNetV3's expanded width is `adjust_channels(expanded)`, made
    # divisible from the table's unscaled width times alpha. Heads scale (MobileNetV3's 1280).
    "torchvision": Preset("make_divisible", "table", "scaled",
                          "torchvision _make_divisible(c * width_mult, 8), mobilenetv3.py adjust_channels"),
    # TF-slim (research/slim/nets/mobilenet: `depth_multiplier` makes every count divisible by 8;
    # `expand_input_by_factor(t)` makes an expansion divisible from the scaled input times t;
    # `finegrain_classification_mode` keeps the last layer for multipliers below 1) and Keras
    # (keras/applications/mobilenet_v3.py: `_depth(infilters * expansion)`, and the 1280 or 1024 head
    # `last_point_ch` scaled only `if alpha > 1.0`; mobilenet_v2.py: `last_block_filters = 1280` unless alpha > 1).
    "tfslim": Preset("make_divisible", "input", "kept",
                     "TF-slim mobilenet.py depth_multiplier, conv_blocks.py expand_input_by_factor, "
                     "finegrain_classification_mode; Keras mobilenet_v3.py _depth(infilters * expansion), "
                     "last_point_ch kept unless alpha > 1"),
    # EfficientNet (tensorflow/tpu efficientnet_model.py `round_filters`: make_divisible by depth_divisor 8;
    # an MBConv expands its rounded input filters by expand_ratio); torchvision's efficientnet.py the same
    # (`_MBConvConfig.adjust_channels`).
    "round_filters": Preset("make_divisible", "input", "scaled",
                            "EfficientNet round_filters (efficientnet_model.py); torchvision "
                            "_MBConvConfig.adjust_channels"),
    # The ideal counts of the paper's formulas: alpha·n must be whole.
    "none": Preset("none", "table", "scaled", "the paper's eq. 6 and 7, unrounded"),
}


class WidthRule(NamedTuple):
    """How ``alpha·n`` becomes a whole number of channels (spec key ``width``; ``--width-rule``)."""

    rounding: str = "truncate"  # truncate | make_divisible | none
    divisor: int = 8
    min_channels: int | None = None
    expansion: str = "table"  # what expanded(n, t) scales: table (alpha·n) | input (in·t)
    heads: str = "scaled"  # what head(n) does: scaled | kept (n for alpha <= 1)
    preset: str | None = None  # the preset it was made from, shown in every output

    @classmethod
    def of_preset(cls, name: str) -> "WidthRule":
        preset = PRESETS[name]
        return cls(rounding=preset.rounding, expansion=preset.expansion, heads=preset.heads, preset=name)

    @property
    def name(self) -> str:
        """The preset's name, else the rounding with whatever differs from its defaults:
        ``make_divisible``, ``make_divisible (divisor 4, heads kept)``."""
        if self.preset is not None:
            return self.preset
        extra = [f"divisor {self.divisor}" if self.rounding == "make_divisible" and self.divisor != 8 else "",
                 f"min_channels {self.min_channels}" if self.min_channels is not None else "",
                 "expansion from the input" if self.expansion == "input" else "",
                 "heads kept" if self.heads == "kept" else ""]
        shown = ", ".join(part for part in extra if part)
        return f"{self.rounding} ({shown})" if shown else self.rounding

    @property
    def monotone(self) -> bool:
        """Whether ``apply`` never gives fewer channels for a larger ``alpha·n``. ``truncate`` and ``none`` are
        monotone, and so is ``make_divisible`` while every count it can give is a multiple of the divisor (the
        10 % bump lifts ``k·d`` to ``(k+1)·d`` only below the point where rounding itself reaches ``(k+1)·d``).
        A ``min_channels`` that is not a multiple breaks it: with divisor 8 and minimum 9,
        ``make_divisible(11, 8, 9)`` is 9 bumped to 17, and ``make_divisible(12, 8, 9)`` is 16."""
        return self.rounding != "make_divisible" or (self.min_channels or self.divisor) % self.divisor == 0

    def apply(self, value: Fraction) -> int:
        if self.rounding == "truncate":
            return truncate(value)
        if self.rounding == "make_divisible":
            return make_divisible(value, self.divisor, self.min_channels)
        if value.denominator != 1:
            raise ShapeError(
                f"alpha gives {format_fraction(value)} channels, not a whole number, and the spec's "
                "width rounding is 'none' (use 'truncate' or 'make_divisible')", "E405"
            )
        return value.numerator

    def head(self, alpha: Fraction, count: Fraction) -> int:
        """``head(n)``: ``n`` as written up to alpha 1 when heads are kept, else ``alpha·n`` rounded."""
        if self.heads == "kept" and alpha <= 1:
            return WidthRule(rounding="none").apply(Fraction(count))
        return self.apply(alpha * count)

    def expanded(self, alpha: Fraction, count: Fraction, ratio: Fraction, channels_in: Any) -> int:
        """``expanded(n, t)``: ``alpha·n`` rounded (from the table), or ``in·t`` rounded (from the input)."""
        if self.expansion == "input":
            return self.apply(Fraction(channels_in) * ratio)
        return self.apply(alpha * count)
