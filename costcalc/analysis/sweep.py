"""Sweeps: exact totals over a grid of width multipliers and resolutions (and depth multipliers: a network is
built once per depth multiplier, its repeat counts being its structure), with optional budgets."""

from __future__ import annotations

from fractions import Fraction
from itertools import repeat
from typing import Iterator, NamedTuple

from costcalc.conventions import Convention
from costcalc.engine.arith import scale_resolution
from costcalc.engine.compiled import CompiledCost, GridValues
from costcalc.spec.build import Network, build_network

MAX_POINTS = 250_000  # points of one sweep held in memory (issue 4's benchmark grid has 67,725)
MAX_STREAMED_POINTS = 2_000_000  # points of a compiled sweep written as CSV: streamed, one alpha's row at a time
MAX_EVALUATED_POINTS = 10_000  # points evaluated one by one (memory, latency, or channels that follow rho)
MAX_DEPTH_MULTIPLIERS = 100  # depth multipliers of one sweep: each is a network built (EfficientNet-B7: ~40 ms)
PAPER_RHOS = (Fraction(1), Fraction(6, 7), Fraction(5, 7), Fraction(4, 7))  # 224, 192, 160, 128 of 224 (Table 7)


def distinct_resolutions(height: int, rhos: list[Fraction]) -> list[Fraction]:
    """``rhos`` without those that give an input size already given (two rhos that round to the same input
    are the same point), the first of each kept, in order."""
    by_resolution: dict[int, Fraction] = {}
    for rho in rhos:
        by_resolution.setdefault(scale_resolution(height, rho), rho)
    return list(by_resolution.values())


class Resources(NamedTuple):
    """Peak activation memory at one point, and the roofline latency when a device is given."""

    peak_bytes: int
    latency_s: Fraction | None


class Budget(NamedTuple):
    """Upper limits (inclusive); None: no limit on that metric. Latency (seconds, on a device) and peak
    activation memory (bytes) need the point's ``Resources``."""

    mult_adds: int | None = None
    params: int | None = None
    latency_s: Fraction | None = None
    peak_bytes: int | None = None

    def meets(self, mult_adds: int, params: int, resources: Resources | None = None) -> bool:
        if not ((self.mult_adds is None or mult_adds <= self.mult_adds) and (
                self.params is None or params <= self.params)):
            return False
        if resources is None:
            return True
        return ((self.latency_s is None or resources.latency_s is None or resources.latency_s <= self.latency_s)
                and (self.peak_bytes is None or resources.peak_bytes <= self.peak_bytes))

    @property
    def needs_resources(self) -> bool:
        return self.latency_s is not None or self.peak_bytes is not None

    def __bool__(self) -> bool:
        return self.mult_adds is not None or self.params is not None or self.needs_resources


def resources_at(network: Network, alpha: Fraction, rho: Fraction, convention: Convention, dtype: str,
                 device: object = None) -> Resources:  # the network is built at the point's depth multiplier
    """Evaluated point by point (exactly): memory and latency do not factor as Mult-Adds do."""
    from costcalc.analysis.memory import memory
    from costcalc.engine.exact import evaluate

    evaluation = evaluate(network, alpha, rho, convention)
    use = memory(evaluation, dtype)
    latency = None
    if device is not None:
        from costcalc.analysis.roofline import roofline

        latency = roofline(evaluation, use, device).latency_s  # type: ignore[arg-type]
    return Resources(use.peak_activation_bytes, latency)


METRICS = ("mult-adds", "params", "latency", "peak-memory")


class SweepPoint(NamedTuple):
    alpha: Fraction
    rho: Fraction
    resolution: int
    mult_adds: int
    params: int
    resources: Resources | None = None  # with --metric latency or peak-memory, or such a budget
    depth_multiplier: Fraction = Fraction(1)

    @property
    def within(self) -> tuple[int, int, Resources | None]:
        return self.mult_adds, self.params, self.resources


class Sweep(NamedTuple):
    network: Network  # at the first depth multiplier
    convention: Convention
    alphas: list[Fraction]
    rhos: list[Fraction]
    resolutions: list[int]
    points: list[SweepPoint]  # depth-major, then alpha: points[(k * len(alphas) + i) * len(rhos) + j]
    budget: Budget
    metric: str = "mult-adds"  # what the grid shows
    dtype: str = "fp32"
    device: object = None
    depths: list[Fraction] = [Fraction(1)]
    values: list[GridValues] = []  # per depth multiplier; with ``points`` empty: a sweep streamed (``rows``)

    @property
    def shows_depth(self) -> bool:
        """Whether the depth multiplier is an axis worth showing: several, or one other than 1, or a spec that
        scales depth (a spec that does not is shown as it always was)."""
        return len(self.depths) > 1 or self.depths[0] != 1 or self.network.spec.scales_depth

    def value(self, point: SweepPoint) -> object:
        """The point's value of the metric shown."""
        if self.metric == "params":
            return point.params
        if self.metric == "latency":
            return point.resources.latency_s  # type: ignore[union-attr]
        if self.metric == "peak-memory":
            return point.resources.peak_bytes  # type: ignore[union-attr]
        return point.mult_adds

    def meets(self, point: SweepPoint) -> bool:
        return self.budget.meets(*point.within)

    def at(self, alpha_index: int, rho_index: int, depth_index: int = 0) -> SweepPoint:
        return self.points[(depth_index * len(self.alphas) + alpha_index) * len(self.rhos) + rho_index]

    @property
    def streamed(self) -> bool:
        """Whether the points are computed as they are read (``rows``) rather than held in ``points``."""
        return not self.points and bool(self.values)

    def rows(self) -> Iterator[tuple[int, int, list[int], list[int]]]:
        """``(depth index, alpha index, Mult-Adds, params)`` of each row of the grid (every rho, in order), depth
        then alpha major, as ``points`` are: one row in memory at a time."""
        for k, values in enumerate(self.values):
            for i in range(values.rows):
                yield (k, i, *values.row(i))

    @property
    def params_vary_with_resolution(self) -> bool:
        width = len(self.rhos)
        return any(len({point.params for point in self.points[i * width:(i + 1) * width]}) > 1
                   for i in range(len(self.alphas) * len(self.depths)))


def sweep(network: Network, alphas: list[Fraction], rhos: list[Fraction], convention: Convention,
          budget: Budget = Budget(), compiled: CompiledCost | None = None, metric: str = "mult-adds",
          dtype: str = "fp32", device: object = None, depths: list[Fraction] | None = None,
          keep_points: bool = True) -> Sweep:
    """Every (depth multiplier, alpha, rho) point, exactly, with the spec's rounding rules
    (costcalc.engine.compiled, one compiled grid per depth multiplier: ``network`` is the one at the first); with a
    metric or a budget of latency or peak memory, also each point's resources, evaluated point by point. Without
    ``keep_points`` (a CSV of counts, streamed: up to ``MAX_STREAMED_POINTS``), no point is held: ``Sweep.rows``
    combines them one alpha at a time."""
    depths = depths or [network.depth_multiplier]
    height = network.spec.input.height
    resolutions = [scale_resolution(height, rho) for rho in rhos]
    with_resources = metric in ("latency", "peak-memory") or budget.needs_resources
    points: list[SweepPoint] = []
    every: list[GridValues] = []
    for depth in depths:
        built = network if depth == network.depth_multiplier else build_network(network.spec, depth)
        grid = (compiled if compiled is not None and built is network else CompiledCost(built, convention))
        values = grid.grid_values(alphas, rhos)  # every point worked out (or refused) before any is shown
        every.append(values)
        if not keep_points:
            continue
        for i, alpha in enumerate(alphas if rhos else []):
            mult_adds, params = values.row(i)
            resources = ([resources_at(built, alpha, rho, convention, dtype, device) for rho in rhos]
                         if with_resources else repeat(None))
            points += map(SweepPoint, repeat(alpha), rhos, resolutions, mult_adds, params, resources, repeat(depth))
    return Sweep(network, convention, alphas, rhos, resolutions, points, budget, metric, dtype, device, depths,
                 every)
