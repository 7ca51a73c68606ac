"""Solving for the largest width or resolution that meets a budget: exactly on a grid (with the spec's
rounding rules), and ideally from the closed form (``costcalc.engine.symbolic``), side by side."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, NamedTuple

from costcalc.analysis.sweep import Budget, Resources
from costcalc.conventions import Convention
from costcalc.engine.arith import scale_resolution
from costcalc.engine.compiled import CompiledCost
from costcalc.errors import CostcalcError
from costcalc.quantities import format_fraction
from costcalc.spec.build import Network

MAX_ALPHA = Fraction(10)  # the search for a width stops here: a budget that allows more is effectively no limit
MAX_RESOLUTION = 8192
MAX_SCANNED = 10_000  # widths (times resolutions, for a frontier) one solve may scan: each is a propagation


def scanned_widths(step: Fraction) -> int:
    """How many widths the search for alpha scans at most: ``step``, ``2·step``, ... up to ``MAX_ALPHA``."""
    return int(MAX_ALPHA / step)


class Solution(NamedTuple):
    alpha: Fraction
    rho: Fraction
    resolution: int
    mult_adds: int
    params: int
    limited_by_search: bool  # True: the budget still held at the search's upper end
    ideal: Any = None  # the closed-form bound (a sympy number) on the varied quantity, when computed
    resources: Resources | None = None  # peak memory and latency, when the budget limits them


Measure = Callable[[Fraction, Fraction], Resources]  # (alpha, rho) -> the point's resources


class Solved(NamedTuple):
    """A solve's answers, with what was asked: the network, the convention, what varies, the budget and the
    grid's step (of alpha, or whole pixels when the resolution varies)."""

    network: Network
    convention: Convention
    vary: str  # "alpha", "resolution" or "both" (the Pareto frontier)
    budget: Budget
    step: Fraction | int
    solutions: list[Solution]

    @property
    def height(self) -> int:
        return self.network.spec.input.height

    @property
    def step_text(self) -> str:
        return f"{self.step} px" if self.vary == "resolution" else format_fraction(Fraction(self.step))


def _fits(budget: Budget, mult_adds: int, params: int, measure: Measure | None, alpha: Fraction,
          rho: Fraction) -> tuple[bool, Resources | None]:
    """Whether a point meets the budget; its resources are evaluated only when its counts do and the
    budget limits latency or memory (they cost a full evaluation)."""
    if not budget.meets(mult_adds, params):
        return False, None
    if measure is None or not budget.needs_resources:
        return True, None
    resources = measure(alpha, rho)
    return budget.meets(mult_adds, params, resources), resources


class Unreachable(Exception):
    """Not even the smallest point of the grid meets the budget."""


def largest_alpha(compiled: CompiledCost, rho: Fraction, budget: Budget, step: Fraction,
                  measure: Measure | None = None) -> Solution:
    """The largest ``k·step`` such that it meets the budget and ``(k + 1)·step`` does not."""
    height = compiled.network.spec.input.height
    best = None
    alpha = step
    while alpha <= MAX_ALPHA:
        try:
            mult_adds, params = compiled.totals(alpha, rho)
        except CostcalcError:  # not a network at this width (no channels left, groups that do not divide)
            alpha += step
            continue
        fits, resources = _fits(budget, mult_adds, params, measure, alpha, rho)
        if not fits:
            break
        best = Solution(alpha, rho, scale_resolution(height, rho), mult_adds, params, False, None, resources)
        alpha += step
    if best is None:
        raise Unreachable("no width meets the budget, not even the narrowest on the grid")
    return best._replace(limited_by_search=alpha > MAX_ALPHA)


def largest_resolution(compiled: CompiledCost, alpha: Fraction, budget: Budget, step: int,
                       measure: Measure | None = None) -> Solution:
    """The largest resolution ``k·step`` pixels that meets the budget while ``(k + 1)·step`` does not."""
    height = compiled.network.spec.input.height
    if budget.mult_adds is None and not budget.needs_resources and not compiled.params_follow_resolution(alpha):
        # params alone, and they do not depend on the resolution: any resolution meets the budget or none does
        largest = MAX_RESOLUTION // step * step
        mult_adds, params = compiled.totals(alpha, Fraction(largest, height))
        if not budget.meets(mult_adds, params):
            raise Unreachable("no resolution meets the budget: the params exceed it at this width")
        return Solution(alpha, Fraction(largest, height), largest, mult_adds, params, True)
    best = None
    resolution = step
    while resolution <= MAX_RESOLUTION:
        rho = Fraction(resolution, height)
        try:
            mult_adds, params = compiled.totals(alpha, rho)
        except CostcalcError:  # not a network at this size (a window that does not fit)
            resolution += step
            continue
        fits, resources = _fits(budget, mult_adds, params, measure, alpha, rho)
        if not fits:
            break
        best = Solution(alpha, rho, resolution, mult_adds, params, False, None, resources)
        resolution += step
    if best is None:
        raise Unreachable("no resolution meets the budget, not even the smallest on the grid")
    return best._replace(limited_by_search=resolution > MAX_RESOLUTION)


def frontier(compiled: CompiledCost, budget: Budget, step: Fraction, resolutions: list[int],
             measure: Measure | None = None) -> list[Solution]:
    """The Pareto frontier: for each resolution the largest alpha that fits, keeping only points that no
    other point beats in both alpha and resolution."""
    found = []
    for resolution in sorted(set(resolutions)):
        rho = Fraction(resolution, compiled.network.spec.input.height)
        try:
            found.append(largest_alpha(compiled, rho, budget, step, measure))
        except Unreachable:
            continue
    return [point for point in found
            if not any(other.alpha >= point.alpha and other.resolution > point.resolution for other in found)]


def ideal_alpha(closed: Any, rho: Fraction, budget: Budget) -> Any:
    """The largest alpha the closed form allows at ``rho`` (a sympy number), or None."""
    from costcalc.engine import symbols as s

    return _ideal_bound(closed, budget, s.alpha, {s.rho: rho})


def ideal_rho(closed: Any, alpha: Fraction, budget: Budget) -> Any:
    """The largest rho the closed form allows at ``alpha`` (a sympy number), or None."""
    from costcalc.engine import symbols as s

    return _ideal_bound(closed, budget, s.rho, {s.alpha: alpha})


def _ideal_bound(closed: Any, budget: Budget, symbol: Any, fixed: dict[Any, Fraction]) -> Any:
    """The largest value of ``symbol`` for which every budgeted closed form stays within its limit, with
    the other multiplier fixed. None when no budget depends on ``symbol`` or none can be met."""
    import sympy

    values = {key: sympy.Rational(value.numerator, value.denominator) for key, value in fixed.items()}
    bounds = []
    for expr, limit in ((closed.mult_adds, budget.mult_adds), (closed.params, budget.params)):
        if limit is None:
            continue
        remaining = sympy.expand(expr.subs(values)) - limit
        if symbol not in remaining.free_symbols:
            if remaining > 0:
                return None  # this budget is exceeded whatever the value of symbol
            continue
        bound = _largest_root(remaining, symbol)
        if bound is None:
            return None
        bounds.append(bound)
    return min(bounds) if bounds else None


def _largest_root(expr: Any, symbol: Any) -> Any:
    """The largest positive real root of a polynomial in ``symbol`` (exact where sympy can, else numeric);
    None when there is none, or when the closed form is not a polynomial in ``symbol``."""
    import sympy

    try:
        poly = sympy.Poly(expr, symbol)
    except sympy.PolynomialError:  # min/max in a channel count (EfficientNet's max(1, c // 4)): no polynomial
        return None
    if poly.degree() < 1:
        return None
    roots = [root for root in poly.real_roots() if root > 0]
    return max(roots) if roots else None


def solve_budget(network: Network, convention: Convention, budget: Budget, vary: str, step: Fraction | int,
                 alpha: Fraction | None = None, rho: Fraction | None = None, resolutions: list[int] | None = None,
                 dtype: str = "fp32", device: Any = None) -> Solved:
    """The largest alpha at ``rho`` (``vary="alpha"``), the largest resolution at ``alpha`` (``"resolution"``,
    ``step`` in pixels) or the Pareto frontier over ``resolutions`` (``"both"``), each exact on its grid and
    beside the closed form's ideal bound when the budget is on counts only. ``Unreachable`` when nothing fits."""
    compiled = CompiledCost(network, convention)
    measure = None
    closed = None
    if budget.needs_resources:
        from costcalc.analysis.sweep import resources_at

        def measure(alpha_now: Fraction, rho_now: Fraction) -> Resources:
            return resources_at(network, alpha_now, rho_now, convention, dtype, device)
    else:  # the closed form knows nothing of memory or latency: an ideal bound only for counts
        from costcalc.engine.symbolic import closed_form

        closed = closed_form(network, convention)
    if vary == "resolution":
        fixed_alpha = alpha or Fraction(1)
        found = largest_resolution(compiled, fixed_alpha, budget, int(step), measure)
        solutions = [found._replace(ideal=ideal_rho(closed, fixed_alpha, budget) if closed else None)]
    elif vary == "alpha":
        fixed_rho = rho or Fraction(1)
        found = largest_alpha(compiled, fixed_rho, budget, Fraction(step), measure)
        solutions = [found._replace(ideal=ideal_alpha(closed, fixed_rho, budget) if closed else None)]
    else:
        solutions = [found._replace(ideal=ideal_alpha(closed, found.rho, budget) if closed else None)
                     for found in frontier(compiled, budget, Fraction(step), resolutions or [], measure)]
        if not solutions:
            raise Unreachable("no (alpha, resolution) pair on the grid meets the budget")
    return Solved(network, convention, vary, budget, step, solutions)
