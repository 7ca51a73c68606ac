"""Solving for the largest width or resolution that meets a budget: exactly on a grid (with the spec's
rounding rules), and ideally from the closed form (``costcalc.symbolic``), side by side."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.analysis.sweep import Budget
from costcalc.arith import scale_resolution
from costcalc.compiled import CompiledCost
from costcalc.errors import CostcalcError

MAX_ALPHA = Fraction(10)  # the search for a width stops here: a budget that allows more is effectively no limit
MAX_RESOLUTION = 8192


class Solution(NamedTuple):
    alpha: Fraction
    rho: Fraction
    resolution: int
    mult_adds: int
    params: int
    limited_by_search: bool  # True: the budget still held at the search's upper end
    ideal: Any = None  # the closed-form bound (a sympy number) on the varied quantity, when computed


class Unreachable(Exception):
    """Not even the smallest point of the grid meets the budget."""


def largest_alpha(compiled: CompiledCost, rho: Fraction, budget: Budget, step: Fraction) -> Solution:
    """The largest ``k·step`` such that it meets the budget and ``(k + 1)·step`` does not."""
    height = compiled.network.spec.input.height
    best = None
    alpha = step
    while alpha <= MAX_ALPHA:
        try:
            mult_adds, params = compiled.totals(alpha, rho)
        except CostcalcError:  # so narrow that a layer has no channels left: not a network yet
            if best is None:
                alpha += step
                continue
            raise
        if not budget.meets(mult_adds, params):
            break
        best = Solution(alpha, rho, scale_resolution(height, rho), mult_adds, params, False)
        alpha += step
    if best is None:
        raise Unreachable("no width meets the budget, not even the narrowest on the grid")
    return best._replace(limited_by_search=alpha > MAX_ALPHA)


def largest_resolution(compiled: CompiledCost, alpha: Fraction, budget: Budget, step: int) -> Solution:
    """The largest resolution ``k·step`` pixels that meets the budget while ``(k + 1)·step`` does not."""
    height = compiled.network.spec.input.height
    best = None
    resolution = step
    while resolution <= MAX_RESOLUTION:
        rho = Fraction(resolution, height)
        try:
            mult_adds, params = compiled.totals(alpha, rho)
        except CostcalcError:  # so small that a window does not fit: not a network yet
            if best is None:
                resolution += step
                continue
            raise
        if not budget.meets(mult_adds, params):
            break
        best = Solution(alpha, rho, resolution, mult_adds, params, False)
        resolution += step
    if best is None:
        raise Unreachable("no resolution meets the budget, not even the smallest on the grid")
    return best._replace(limited_by_search=resolution > MAX_RESOLUTION)


def frontier(compiled: CompiledCost, budget: Budget, step: Fraction, resolutions: list[int]) -> list[Solution]:
    """The Pareto frontier: for each resolution the largest alpha that fits, keeping only points that no
    other point beats in both alpha and resolution."""
    found = []
    for resolution in sorted(set(resolutions)):
        rho = Fraction(resolution, compiled.network.spec.input.height)
        try:
            found.append(largest_alpha(compiled, rho, budget, step))
        except Unreachable:
            continue
    return [point for point in found
            if not any(other.alpha >= point.alpha and other.resolution > point.resolution for other in found)]


def ideal_alpha(closed: Any, rho: Fraction, budget: Budget) -> Any:
    """The largest alpha the closed form allows at ``rho`` (a sympy number), or None."""
    import sympy

    from costcalc import symbols as s

    rho_value = sympy.Rational(rho.numerator, rho.denominator)
    bounds = []
    if budget.mult_adds is not None:
        bounds.append(_largest_root(closed.mult_adds.subs(s.rho, rho_value) - budget.mult_adds, s.alpha))
    if budget.params is not None:
        bounds.append(_largest_root(closed.params.subs(s.rho, rho_value) - budget.params, s.alpha))
    bounds = [bound for bound in bounds if bound is not None]
    return min(bounds) if bounds else None


def ideal_rho(closed: Any, alpha: Fraction, budget: Budget) -> Any:
    """The largest rho the closed form allows at ``alpha`` (params do not depend on rho), or None."""
    import sympy

    from costcalc import symbols as s

    alpha_value = sympy.Rational(alpha.numerator, alpha.denominator)
    if budget.params is not None and closed.params.subs(s.alpha, alpha_value) > budget.params:
        return None
    if budget.mult_adds is None:
        return None
    return _largest_root(closed.mult_adds.subs(s.alpha, alpha_value) - budget.mult_adds, s.rho)


def _largest_root(expr: Any, symbol: Any) -> Any:
    """The largest positive real root of a polynomial in ``symbol`` (exact where sympy can, else numeric)."""
    import sympy

    poly = sympy.Poly(sympy.expand(expr), symbol)
    if poly.degree() < 1:
        return None
    roots = [root for root in poly.real_roots() if root > 0]
    return max(roots) if roots else None
