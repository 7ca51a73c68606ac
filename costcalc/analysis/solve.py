"""Solving for the largest width, depth multiplier or resolution that meets a budget: exactly on a grid (with the
spec's rounding rules; a network built per depth multiplier), and ideally from the closed form
(``costcalc.engine.symbolic``), side by side; or the Pareto frontier over (alpha, resolution), or over
(alpha, depth multiplier, resolution)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, NamedTuple

from costcalc.analysis.sweep import Budget, Resources
from costcalc.conventions import Convention
from costcalc.engine.arith import scale_resolution
from costcalc.engine.compiled import CompiledCost
from costcalc.errors import CostcalcError
from costcalc.quantities import format_fraction
from costcalc.spec.build import Network, build_network

MAX_ALPHA = Fraction(10)  # the search for a width stops here: a budget that allows more is effectively no limit
MAX_DEPTH = Fraction(10)  # the search for a depth multiplier stops here
MAX_BUILT = 200  # depth multipliers one solve may build a network for
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
    depth_multiplier: Fraction = Fraction(1)


Measure = Callable[[Network, Fraction, Fraction], Resources]  # (network at a depth, alpha, rho) -> its resources


class Solved(NamedTuple):
    """A solve's answers, with what was asked: the network, the convention, what varies, the budget and the
    grid's step (of alpha, or whole pixels when the resolution varies)."""

    network: Network
    convention: Convention
    vary: str  # "alpha", "resolution", "depth", "both" (the (alpha, resolution) frontier) or "all" (with depth)
    budget: Budget
    step: Fraction | int
    solutions: list[Solution]
    device: Any = None  # the latency's device, when the budget limits latency (a calibrated one: its error shown)

    @property
    def height(self) -> int:
        return self.network.spec.input.height

    @property
    def step_text(self) -> str:
        return f"{self.step} px" if self.vary == "resolution" else format_fraction(Fraction(self.step))


def _fits(budget: Budget, mult_adds: int, params: int, measure: Measure | None, alpha: Fraction,
          rho: Fraction, network: Network) -> tuple[bool, Resources | None]:
    """Whether a point meets the budget; its resources are evaluated only when its counts do and the
    budget limits latency or memory (they cost a full evaluation)."""
    if not budget.meets(mult_adds, params):
        return False, None
    if measure is None or not budget.needs_resources:
        return True, None
    resources = measure(network, alpha, rho)
    return budget.meets(mult_adds, params, resources), resources


class Unreachable(Exception):
    """Not even the smallest point of the grid meets the budget."""


def largest_alpha(compiled: CompiledCost, rho: Fraction, budget: Budget, step: Fraction,
                  measure: Measure | None = None) -> Solution:
    """The largest ``k·step`` such that it meets the budget and ``(k + 1)·step`` does not: by bisection where the
    totals never fall as alpha grows (``CompiledCost.monotone``; a budget on counts only), else by a scan."""
    height = compiled.network.spec.input.height
    if measure is None and compiled.monotone:
        try:
            found = _bisected(int(MAX_ALPHA / step), lambda k: compiled.totals(k * step, rho), budget)
        except _Scan:
            pass
        else:
            if found is None:
                raise Unreachable("no width meets the budget, not even the narrowest on the grid")
            k, (mult_adds, params), limited = found
            return Solution(k * step, rho, scale_resolution(height, rho), mult_adds, params, limited,
                            depth_multiplier=compiled.network.depth_multiplier)
    return scan_alpha(compiled, rho, budget, step, measure)


def scan_alpha(compiled: CompiledCost, rho: Fraction, budget: Budget, step: Fraction,
               measure: Measure | None = None) -> Solution:
    """``largest_alpha`` by trying ``step``, ``2·step``, ... until one does not meet the budget."""
    height = compiled.network.spec.input.height
    best = None
    alpha = step
    while alpha <= MAX_ALPHA:
        try:
            mult_adds, params = compiled.totals(alpha, rho)
        except CostcalcError:  # not a network at this width (no channels left, groups that do not divide)
            alpha += step
            continue
        fits, resources = _fits(budget, mult_adds, params, measure, alpha, rho, compiled.network)
        if not fits:
            break
        best = Solution(alpha, rho, scale_resolution(height, rho), mult_adds, params, False, None, resources,
                        compiled.network.depth_multiplier)
        alpha += step
    if best is None:
        raise Unreachable("no width meets the budget, not even the narrowest on the grid")
    return best._replace(limited_by_search=alpha > MAX_ALPHA)


class _Scan(Exception):
    """A point inside the bisection's range is no network: the scan decides (it skips such points)."""


def _bisected(last: int, totals: Callable[[int], tuple[int, int]],
              budget: Budget) -> tuple[int, tuple[int, int], bool] | None:
    """What the scan of ``k = 1, 2, ..., last`` finds, in about log2(last) evaluations, on a grid where the
    totals never fall as k grows: the largest k that meets the budget while k + 1 does not (or ``last``, and
    True: the budget still held at the end), with its totals; None when the first network does not meet it.
    Leading points that are no network (a window that does not fit at a small resolution) are skipped one by
    one, as the scan skips them; such a point further on raises ``_Scan``."""
    low = 1
    while True:
        if low > last:
            return None
        try:
            low_totals = totals(low)
            break
        except CostcalcError:
            low += 1
    if not budget.meets(*low_totals):
        return None
    high = last
    try:
        if budget.meets(*(high_totals := totals(high))):
            return high, high_totals, True
        while high - low > 1:  # low meets the budget, high does not
            middle = (low + high) // 2
            middle_totals = totals(middle)
            if budget.meets(*middle_totals):
                low, low_totals = middle, middle_totals
            else:
                high = middle
    except CostcalcError:
        raise _Scan from None
    return low, low_totals, False


def largest_resolution(compiled: CompiledCost, alpha: Fraction, budget: Budget, step: int,
                       measure: Measure | None = None) -> Solution:
    """The largest resolution ``k·step`` pixels that meets the budget while ``(k + 1)·step`` does not: by
    bisection where the totals never fall as the resolution grows (``CompiledCost.monotone``), else by a scan."""
    height = compiled.network.spec.input.height
    if budget.mult_adds is None and not budget.needs_resources and not compiled.params_follow_resolution(alpha):
        # params alone, and they do not depend on the resolution: any resolution meets the budget or none does
        largest = MAX_RESOLUTION // step * step
        mult_adds, params = compiled.totals(alpha, Fraction(largest, height))
        if not budget.meets(mult_adds, params):
            raise Unreachable("no resolution meets the budget: the params exceed it at this width")
        return Solution(alpha, Fraction(largest, height), largest, mult_adds, params, True,
                        depth_multiplier=compiled.network.depth_multiplier)
    if measure is None and compiled.monotone:
        try:
            found = _bisected(MAX_RESOLUTION // step, lambda k: compiled.totals(alpha, Fraction(k * step, height)),
                              budget)
        except _Scan:
            pass
        else:
            if found is None:
                raise Unreachable("no resolution meets the budget, not even the smallest on the grid")
            k, (mult_adds, params), limited = found
            return Solution(alpha, Fraction(k * step, height), k * step, mult_adds, params, limited,
                            depth_multiplier=compiled.network.depth_multiplier)
    best = None
    resolution = step
    while resolution <= MAX_RESOLUTION:
        rho = Fraction(resolution, height)
        try:
            mult_adds, params = compiled.totals(alpha, rho)
        except CostcalcError:  # not a network at this size (a window that does not fit)
            resolution += step
            continue
        fits, resources = _fits(budget, mult_adds, params, measure, alpha, rho, compiled.network)
        if not fits:
            break
        best = Solution(alpha, rho, resolution, mult_adds, params, False, None, resources,
                        compiled.network.depth_multiplier)
        resolution += step
    if best is None:
        raise Unreachable("no resolution meets the budget, not even the smallest on the grid")
    return best._replace(limited_by_search=resolution > MAX_RESOLUTION)


def frontier(compiled: CompiledCost, budget: Budget, step: Fraction, resolutions: list[int],
             measure: Measure | None = None, keep_dominated: bool = False) -> list[Solution]:
    """The Pareto frontier: for each resolution the largest alpha that fits, keeping only points that no
    other point beats in both alpha and resolution (all of them with ``keep_dominated``)."""
    found = []
    for resolution in sorted(set(resolutions)):
        rho = Fraction(resolution, compiled.network.spec.input.height)
        try:
            found.append(largest_alpha(compiled, rho, budget, step, measure))
        except Unreachable:
            continue
    if keep_dominated:
        return found
    return [point for point in found
            if not any(other.alpha >= point.alpha and other.resolution > point.resolution for other in found)]


def largest_depth(network: Network, convention: Convention, alpha: Fraction, rho: Fraction, budget: Budget,
                  step: Fraction, measure: Measure | None = None) -> Solution:
    """The largest depth multiplier ``k·step`` that meets the budget while ``(k + 1)·step`` does not, a network
    built for each (``network``: any of the spec's)."""
    height = network.spec.input.height
    best = None
    depth = step
    while depth <= MAX_DEPTH:
        try:
            built = build_network(network.spec, depth)
            mult_adds, params = CompiledCost(built, convention).totals(alpha, rho)
        except CostcalcError as error:  # no network at this depth (a count the rule 'none' refuses)
            if any(diagnostic.code == "E211" for diagnostic in error.diagnostics):
                # too large to build: repeat counts never fall as d grows (every depth rounding is monotone),
                # so every deeper network is refused too, as the scan would find, one build at a time
                depth = MAX_DEPTH + step
                break
            depth += step
            continue
        fits, resources = _fits(budget, mult_adds, params, measure, alpha, rho, built)
        if not fits:
            break
        best = Solution(alpha, rho, scale_resolution(height, rho), mult_adds, params, False, None, resources, depth)
        depth += step
    if best is None:
        raise Unreachable("no depth multiplier meets the budget, not even the smallest on the grid")
    return best._replace(limited_by_search=depth > MAX_DEPTH)


def frontier_with_depth(network: Network, convention: Convention, budget: Budget, step: Fraction,
                        resolutions: list[int], depths: list[Fraction], measure: Measure | None = None) -> list[Solution]:
    """The Pareto frontier over (alpha, depth multiplier, resolution): at each depth multiplier and resolution
    the largest alpha that fits, keeping only points that no other point matches or beats in all three."""
    found = []
    for depth in sorted(set(depths)):
        compiled = CompiledCost(build_network(network.spec, depth), convention)
        found += frontier(compiled, budget, step, resolutions, measure, keep_dominated=True)

    def beats(other: Solution, point: Solution) -> bool:
        """At least as wide, as deep and as large, and more of one."""
        at_least = (other.alpha >= point.alpha and other.depth_multiplier >= point.depth_multiplier
                    and other.resolution >= point.resolution)
        return at_least and (other.alpha, other.depth_multiplier, other.resolution) != (
            point.alpha, point.depth_multiplier, point.resolution)

    return [point for point in found if not any(beats(other, point) for other in found)]


def ideal_alpha(closed: Any, rho: Fraction, budget: Budget, depth: Fraction = Fraction(1)) -> Any:
    """The largest alpha the closed form allows at ``rho`` (and ``depth``; a sympy number), or None."""
    from costcalc.engine import symbols as s

    return _ideal_bound(closed, budget, s.alpha, {s.rho: rho, s.depth: depth})


def ideal_rho(closed: Any, alpha: Fraction, budget: Budget, depth: Fraction = Fraction(1)) -> Any:
    """The largest rho the closed form allows at ``alpha`` (and ``depth``; a sympy number), or None."""
    from costcalc.engine import symbols as s

    return _ideal_bound(closed, budget, s.rho, {s.alpha: alpha, s.depth: depth})


def ideal_depth(closed: Any, alpha: Fraction, rho: Fraction, budget: Budget) -> Any:
    """The largest depth multiplier the closed form allows at ``alpha`` and ``rho`` (a sympy number), or None."""
    from costcalc.engine import symbols as s

    return _ideal_bound(closed, budget, s.depth, {s.alpha: alpha, s.rho: rho})


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
                 dtype: str = "fp32", device: Any = None, depths: list[Fraction] | None = None) -> Solved:
    """The largest alpha at ``rho`` (``vary="alpha"``), the largest resolution at ``alpha`` (``"resolution"``,
    ``step`` in pixels), the largest depth multiplier at both (``"depth"``), or the Pareto frontier over
    ``resolutions`` (``"both"``) and ``depths`` (``"all"``), each exact on its grid and beside the closed form's
    ideal bound when the budget is on counts only. ``network`` is built at the depth multiplier held fixed.
    ``Unreachable`` when nothing fits."""
    compiled = CompiledCost(network, convention)
    measure = None
    closed = None
    depth = network.depth_multiplier
    if budget.needs_resources:
        from costcalc.analysis.sweep import resources_at

        def measure(built: Network, alpha_now: Fraction, rho_now: Fraction) -> Resources:
            return resources_at(built, alpha_now, rho_now, convention, dtype, device)
    else:  # the closed form knows nothing of memory or latency: an ideal bound only for counts
        from costcalc.engine.symbolic import closed_form

        try:
            closed = closed_form(network, convention)
        except CostcalcError:  # no closed form (conditions on the channels, repeats whose copies differ)
            closed = None
    if vary == "resolution":
        fixed_alpha = alpha or Fraction(1)
        found = largest_resolution(compiled, fixed_alpha, budget, int(step), measure)
        solutions = [found._replace(ideal=ideal_rho(closed, fixed_alpha, budget, depth) if closed else None)]
    elif vary == "alpha":
        fixed_rho = rho or Fraction(1)
        found = largest_alpha(compiled, fixed_rho, budget, Fraction(step), measure)
        solutions = [found._replace(ideal=ideal_alpha(closed, fixed_rho, budget, depth) if closed else None)]
    elif vary == "depth":
        fixed_alpha, fixed_rho = alpha or Fraction(1), rho or Fraction(1)
        found = largest_depth(network, convention, fixed_alpha, fixed_rho, budget, Fraction(step), measure)
        solutions = [found._replace(ideal=ideal_depth(closed, fixed_alpha, fixed_rho, budget) if closed else None)]
    else:
        points = (frontier(compiled, budget, Fraction(step), resolutions or [], measure) if vary == "both" else
                  frontier_with_depth(network, convention, budget, Fraction(step), resolutions or [], depths or [depth],
                                      measure))
        solutions = [found._replace(ideal=ideal_alpha(closed, found.rho, budget, found.depth_multiplier)
                                    if closed else None) for found in points]
        if not solutions:
            raise Unreachable("no (alpha, resolution) pair on the grid meets the budget" if vary == "both" else
                              "no (alpha, depth multiplier, resolution) point on the grid meets the budget")
    return Solved(network, convention, vary, budget, step, solutions, device)
