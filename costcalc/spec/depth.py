"""Depth rules: how ``depth_multiplier · n`` becomes a whole number of repeats (a spec's ``depth:`` key).

A spec scales its depth where a repeat count calls ``round_repeats(n)`` (docs/spec-format.md, "Depth"); the
rule names how the scaled count is rounded:

- ``ceil``: EfficientNet's ``round_repeats`` (tensorflow/tpu models/official/efficientnet/efficientnet_model.py:
  ``int(math.ceil(multiplier * repeats))``) and torchvision's ``_MBConvConfig.adjust_depth``
  (torchvision/models/efficientnet.py: ``int(math.ceil(num_layers * depth_mult))``); the default;
- ``floor``: ``int(d · n)``;
- ``round``: to the nearest, halves up;
- ``none``: ``d · n`` must be whole, else the build refuses it.

Exact: Fractions in, ints out; the ideal (closed-form) count is ``d · n`` itself.
"""

import math
from fractions import Fraction
from typing import Any, NamedTuple

DEPTH_ROUNDINGS = ("ceil", "floor", "round", "none")


class DepthRule(NamedTuple):
    rounding: str = "ceil"

    def apply(self, depth_multiplier: Fraction, count: Any) -> int:
        """The repeats ``round_repeats(count)`` gives at ``depth_multiplier``; ``ValueError`` when the rule is
        ``none`` and ``d · count`` is not whole."""
        scaled = Fraction(depth_multiplier) * Fraction(count)
        if self.rounding == "ceil":
            return math.ceil(scaled)
        if self.rounding == "floor":
            return math.floor(scaled)
        if self.rounding == "round":
            return math.floor(scaled + Fraction(1, 2))
        if scaled.denominator != 1:
            from costcalc.quantities import format_fraction

            raise ValueError(f"the depth multiplier gives {format_fraction(scaled)} repeats, not a whole number, "
                             "and the spec's depth rounding is 'none'")
        return scaled.numerator


class DepthScaling:
    """``round_repeats(n)`` at one depth multiplier under the spec's rule (or ``d·n`` with ``d`` a sympy
    symbol, for the closed form); the width functions are not known while building."""

    def __init__(self, rule: DepthRule, depth_multiplier: Fraction, symbol: Any = None):
        self.rule, self.depth_multiplier, self.symbol = rule, depth_multiplier, symbol

    def repeats(self, count: Any) -> Any:
        from costcalc.spec.expressions import ExprError

        if self.symbol is not None:
            return self.symbol * count
        try:
            return self.rule.apply(self.depth_multiplier, count)
        except ValueError as error:
            raise ExprError(str(error), 0, "E422") from None

    def head(self, count: Any) -> Any:
        from costcalc.spec.expressions import ExprError

        raise ExprError("'head' is known only in a channel count")

    expanded = head
