"""Width and resolution multipliers as exact fractions, and the rules that round them to whole numbers.

Exact mode uses ``fractions.Fraction`` (a rational, like sympy's ``Rational``, but without importing
sympy): ``Fraction("0.75") == 3/4`` exactly, so no float ever reaches a count.
"""

from __future__ import annotations

import math
from fractions import Fraction


def parse_multiplier(text: str) -> Fraction:
    """``"0.75"``, ``"3/4"``, ``"192/224"`` -> an exact positive Fraction; ValueError otherwise. The parsing
    (and its bounds on digits and exponents) is ``costcalc.quantities``'s, the one parser of numbers."""
    from costcalc.quantities import parse_multiplier as parse

    return parse(text)


def round_half_up(value: Fraction) -> int:
    """Nearest integer, halves rounded up (value >= 0)."""
    return math.floor(value + Fraction(1, 2))


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


def format_fraction(value: Fraction) -> str:
    """``3/4`` -> ``"0.75"``; ``6/7`` -> ``"6/7"``: a decimal when it is exact and short, else the fraction."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator == 1 and max(twos, fives) <= 6:
        digits = max(twos, fives)
        scaled = value * 10**digits
        text = str(scaled.numerator)
        if digits == 0:
            return text
        text = text.rjust(digits + 1, "0")
        return f"{text[:-digits]}.{text[-digits:]}".rstrip("0").rstrip(".")
    return f"{value.numerator}/{value.denominator}"
