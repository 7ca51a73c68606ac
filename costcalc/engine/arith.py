"""The two ways a network is evaluated: exactly (integers) or ideally (sympy symbols).

Layer kinds compute shapes and costs through one of these objects, so the same layer code gives the exact
integer count at a given alpha and rho and the closed form in ``alpha`` and ``rho``:

- ``ExactArith``: channels are rounded by the spec's width rule (``int(alpha·n)`` by default), spatial sizes
  follow each layer's padding rule with integer ceil/floor, and impossible shapes are errors.
- ``IdealArith``: channels are ``alpha·n`` and sizes ``rho·n / stride`` with no rounding: the paper's
  idealised formulas (eq. 6 and 7). Imports sympy, so only symbolic commands load it.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from costcalc.errors import ShapeError
from costcalc.layers.width import WidthRule
from costcalc.quantities import format_fraction, round_half_up


class ExactArith:
    """Integer evaluation at a given alpha (Fraction) and resolution."""

    exact = True

    def __init__(self, alpha: Fraction, width: WidthRule):
        self.alpha = alpha
        self.width = width

    def channels(self, count: int, fixed: bool = False) -> int:
        if fixed:  # make_divisible changes counts even at alpha = 1, as torchvision's MobileNetV2 does
            return count
        scaled = self.width.apply(self.alpha * count)
        if scaled < 1:
            raise ShapeError(
                f"alpha = {format_fraction(self.alpha)} leaves {scaled} of its {count} channels", "E405"
            )
        return scaled

    @staticmethod
    def ceil_div(a: int, b: int) -> int:
        return -(-a // b)

    @staticmethod
    def floor_div(a: int, b: int) -> int:
        return a // b

    @staticmethod
    def require(condition: bool, message: Callable[[], str], code: str = "E400") -> None:
        """Raise a ShapeError unless ``condition``; the message is only built when it is raised (symbolic
        shapes print slowly, and most checks pass)."""
        if not condition:
            raise ShapeError(message(), code)


class IdleArith:
    """Exact arithmetic for a params-only branch (costcalc.spec.model.ParamsOnlyEntry): it never runs, so a map
    that would shrink to nothing in it, or a window larger than its input (E404), is not refused, as PyTorch
    builds such a model and never calls the branch; its channels, which its parameters follow, are checked as
    everywhere (costcalc.engine.propagate holds its maps at 1 x 1 at least)."""

    exact = True

    def __init__(self, inner: ExactArith):
        self.inner = inner
        self.alpha = inner.alpha

    def channels(self, count: int, fixed: bool = False) -> int:
        return self.inner.channels(count, fixed)

    ceil_div = staticmethod(ExactArith.ceil_div)
    floor_div = staticmethod(ExactArith.floor_div)

    def require(self, condition: bool, message: Callable[[], str], code: str = "E400") -> None:
        if code != "E404":
            ExactArith.require(condition, message, code)


class IdealArith:
    """Symbolic evaluation: ``alpha`` and ``rho`` stay symbols, nothing is rounded, nothing is checked."""

    exact = False

    def __init__(self) -> None:
        from costcalc.engine import symbols

        self.alpha = symbols.alpha

    def channels(self, count: int, fixed: bool = False) -> Any:
        return count if fixed else self.alpha * count

    @staticmethod
    def ceil_div(a: Any, b: int) -> Any:
        import sympy

        return sympy.Integer(a) / b if isinstance(a, int) else a / b  # never int / int: that is a float

    floor_div = ceil_div

    @staticmethod
    def require(condition: Any, message: Callable[[], str], code: str = "E400") -> None:
        return None


class WidthScaling:
    """``head(n)`` and ``expanded(n, t)`` (costcalc.spec.expression_values.Scaling) at an arithmetic's alpha:
    exactly under the spec's width rule (costcalc.layers.width), or ideally: a kept head is ``n·max(1, alpha)``,
    every other count ``alpha·n`` (an expansion from the input, ``in·t``, is ``alpha·n`` too when ``n = cin·t``)."""

    def __init__(self, arith: ExactArith | IdealArith, width: WidthRule):
        self.arith, self.width = arith, width

    def repeats(self, count: Any) -> Any:
        from costcalc.spec.expressions import ExprError

        raise ExprError("'round_repeats' is known only in a repeat count", 0, "E230")

    def head(self, count: Any) -> Any:
        alpha = self.arith.alpha
        if self.arith.exact:
            return self.width.head(alpha, Fraction(count))
        if self.width.heads == "kept":
            import sympy

            return sympy.Max(1, alpha) * count
        return alpha * count

    def expanded(self, count: Any, ratio: Any, channels_in: Any) -> Any:
        if self.arith.exact:
            return self.width.expanded(self.arith.alpha, Fraction(count), Fraction(ratio), channels_in)
        return channels_in * ratio if self.width.expansion == "input" else self.arith.alpha * count


def scale_resolution(size: int, rho: Fraction) -> int:
    """``rho·size`` to the nearest pixel (halves up); the report shows the resolution used (docs/what-ifs.md)."""
    return size if rho == 1 else round_half_up(rho * size)
