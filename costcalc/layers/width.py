"""Width rules: how ``alpha·n`` becomes a whole number of channels (a spec's ``width:`` key).

``truncate`` is the paper's, Keras' and TF-slim's ``int(alpha·n)``; ``make_divisible`` is MobileNet v2/v3's
``_make_divisible`` (torchvision, TF-slim); ``none`` keeps the ideal count and refuses one that is not whole.
Exact: Fractions in, ints out.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

from costcalc.errors import ShapeError
from costcalc.quantities import format_fraction


def truncate(value: Fraction) -> int:
    """``int(alpha * n)``: the paper's, Keras' and TF-slim's rule for scaled channel counts."""
    return math.floor(value)


def make_divisible(value: Fraction, divisor: int, min_value: int | None = None) -> int:
    """MobileNet v2/v3's ``_make_divisible``: nearest multiple of ``divisor``, at least ``min_value``
    (default ``divisor``), and never more than 10% below ``value``. Exact: the 0.9 is ``Fraction(9, 10)``."""
    floor_value = divisor if min_value is None else min_value
    rounded = max(floor_value, math.floor(value + Fraction(divisor, 2)) // divisor * divisor)
    if rounded < Fraction(9, 10) * value:
        rounded += divisor
    return rounded


class WidthRule(NamedTuple):
    """How ``alpha·n`` becomes a whole number of channels (spec key ``width``)."""

    rounding: str = "truncate"  # truncate | make_divisible | none
    divisor: int = 8
    min_channels: int | None = None

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
