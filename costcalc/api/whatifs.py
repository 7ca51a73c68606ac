"""The design what-ifs of the API: ``sweep`` (a grid of design points), ``solve`` (the largest design within a
budget) and ``compare`` (networks against the first), the commands of the same names without their options'
text: values are numbers, Fractions or strings (``costcalc.api.inputs``), bounded as the options are."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any, Union

from costcalc.api import inputs
from costcalc.api.inputs import ArgumentError, Number
from costcalc.api.model import Model, SpecName, load, read_convention, read_device, read_dtype
from costcalc.api.results import Comparison, Solution, Sweep

Values = Union[Number, Iterable[Number]]
SWEEP_METRICS = ("mult-adds", "params", "latency", "peak-memory")
VARY = ("alpha", "resolution", "depth", "both", "all")


class GridTooLarge(ArgumentError):
    """A grid with more points than a command computes: ``points`` asked for, ``most`` allowed, ``what`` it is
    (the command line turns it into a message that names its options and a step that fits)."""

    def __init__(self, points: int, most: int, what: str):
        super().__init__(f"{what}: {points:,} points, more than the {most:,} it computes at most")
        self.points, self.most, self.what = points, most, what


def _model(spec: SpecName | Model, width_rule: str | None) -> Model:
    return spec.with_width_rule(width_rule) if isinstance(spec, Model) else load(spec, width_rule)


def _budget(max_mult_adds: Number | None, max_params: Number | None, max_latency: Number | None,
            max_peak_memory: Number | None) -> Any:
    from costcalc.analysis.sweep import Budget

    return Budget(None if max_mult_adds is None else inputs.count(max_mult_adds, "max_mult_adds"),
                  None if max_params is None else inputs.count(max_params, "max_params"),
                  None if max_latency is None else inputs.duration(max_latency, "max_latency"),
                  None if max_peak_memory is None else inputs.size(max_peak_memory, "max_peak_memory"))


def sweep(spec: SpecName | Model = None, alphas: Values | None = None, resolutions: Values | None = None,
          rhos: Values | None = None, depth_multipliers: Values | None = None, width_rule: str | None = None,
          convention: Any = "paper", unit: str = "mult-adds", max_mult_adds: Number | None = None,
          max_params: Number | None = None, max_latency: Number | None = None,
          max_peak_memory: Number | None = None, metric: str = "mult-adds", dtype: str = "fp32",
          device: Any = None, stream: bool = False) -> Sweep:
    """Exact Mult-Adds and params at every (depth multiplier, alpha, resolution): ``costcalc sweep``. Each axis
    is one value, a list, or a list or range as the options write it (``"0.25:1:0.05"``); by default the
    variant's alpha and resolution, else alpha 1, 0.75, 0.5, 0.25 at the paper's 224, 192, 160 and 128 (as
    fractions of the spec's size). Budgets mark the points that meet them. ``stream``: hold no point, for a CSV
    written as it is made (``Sweep.to_csv``; up to ``MAX_STREAMED_POINTS`` points, counts only: a latency or
    peak-memory metric or budget keeps every point)."""
    from costcalc.analysis.sweep import (
        MAX_DEPTH_MULTIPLIERS,
        MAX_EVALUATED_POINTS,
        MAX_POINTS,
        MAX_STREAMED_POINTS,
        PAPER_RHOS,
        distinct_resolutions,
    )
    from costcalc.analysis.sweep import sweep as sweep_grid
    from costcalc.engine.compiled import CompiledCost
    from costcalc.render.view import View

    if rhos is not None and resolutions is not None:
        raise ArgumentError("give rhos or resolutions, not both")
    model = _model(spec, width_rule)
    variant = model.spec.variant
    if alphas is None:
        alphas = variant.alpha if variant is not None and variant.alpha is not None else "1,0.75,0.5,0.25"
    if resolutions is None and rhos is None and variant is not None and variant.resolution is not None:
        resolutions = variant.resolution
    depths = (list(dict.fromkeys(inputs.values(depth_multipliers, "depth_multipliers", inputs.multiplier)))
              if depth_multipliers is not None else [model.depth_multiplier()])
    if len(depths) > MAX_DEPTH_MULTIPLIERS:
        raise ArgumentError(f"depth_multipliers: {len(depths):,} values, more than the {MAX_DEPTH_MULTIPLIERS} a "
                            "sweep builds networks for (one each)")
    alpha_values = inputs.values(alphas, "alphas", inputs.multiplier)
    height = model.spec.input.height
    if resolutions is not None:
        rho_values = [Fraction(pixels, height) for pixels in inputs.values(resolutions, "resolutions",
                                                                           inputs.resolution)]
    elif rhos is not None:
        rho_values = inputs.values(rhos, "rhos", inputs.multiplier)
    else:
        rho_values = list(PAPER_RHOS)
    rho_values = distinct_resolutions(height, rho_values)
    points = len(alpha_values) * len(rho_values) * len(depths)
    metric = inputs.choice(metric, "metric", SWEEP_METRICS)
    budget = _budget(max_mult_adds, max_params, max_latency, max_peak_memory)
    streamed = bool(stream) and not (metric in ("latency", "peak-memory") or budget.needs_resources)
    most = MAX_STREAMED_POINTS if streamed else MAX_POINTS
    if points > most:  # bounded before any network is built
        raise GridTooLarge(points, most, "sweep")
    profile = read_device(device)
    if (budget.latency_s is not None or metric == "latency") and profile is None:
        raise ArgumentError("a latency is estimated on a device: give device (a bundled profile's name or a file)")
    counting = read_convention(convention, unit)
    network = model.network(depths[0])
    compiled = CompiledCost(network, counting)
    if (metric in ("latency", "peak-memory") or budget.needs_resources or not compiled.factored) and (
            points > MAX_EVALUATED_POINTS):
        raise GridTooLarge(points, MAX_EVALUATED_POINTS, "sweep (each point evaluated on its own)")
    result = sweep_grid(network, alpha_values, rho_values, counting, budget, compiled, metric=metric,
                        dtype=read_dtype(dtype), device=profile, depths=depths, keep_points=not streamed)
    return Sweep(result, View(specs=(model.name,)))


def solve(spec: SpecName | Model = None, max_mult_adds: Number | None = None, max_params: Number | None = None,
          max_latency: Number | None = None, max_peak_memory: Number | None = None, vary: str = "alpha",
          alpha: Number | None = None, rho: Number | None = None, resolution: Number | None = None,
          resolutions: Values | None = None, depth_multiplier: Number | None = None,
          depth_multipliers: Values | None = None, step: Number | None = None, width_rule: str | None = None,
          convention: Any = "paper", unit: str = "mult-adds", dtype: str = "fp32", device: Any = None) -> Solution:
    """The largest alpha (``vary="alpha"``), resolution, or depth multiplier that meets the budget, or the
    Pareto frontier of (alpha, resolution) (``"both"``, over ``resolutions``) or of (alpha, depth multiplier,
    resolution) (``"all"``, over ``depth_multipliers`` too): ``costcalc solve``. Exact on a grid of ``step``
    (alpha 0.01, depth 0.1, 1 pixel by default), beside sympy's ideal answer from the closed form. Raises
    ``costcalc.api.Unreachable`` when nothing fits."""
    from costcalc.analysis.solve import MAX_BUILT, MAX_DEPTH, MAX_SCANNED, scanned_widths, solve_budget
    from costcalc.render.view import View

    vary = inputs.choice(vary, "vary", VARY)
    budget = _budget(max_mult_adds, max_params, max_latency, max_peak_memory)
    if not budget:
        raise ArgumentError("give a budget: max_mult_adds, max_params, max_latency or max_peak_memory")
    fixed = {"alpha": alpha is not None, "rho": rho is not None or resolution is not None,
             "depth_multiplier": depth_multiplier is not None}
    solved_for = {"alpha": ("alpha",), "resolution": ("rho",), "depth": ("depth_multiplier",),
                  "both": ("alpha", "rho"), "all": ("alpha", "rho", "depth_multiplier")}[vary]
    clash = [name for name in solved_for if fixed[name]]
    if clash or (rho is not None and resolution is not None):
        raise ArgumentError(f"vary={vary!r} solves for {', '.join(solved_for)}: give no {' or '.join(clash)}"
                            if clash else "give rho or resolution, not both")
    model = _model(spec, width_rule)
    variant = model.spec.variant
    height = model.spec.input.height
    fixed_alpha = None if alpha is None else inputs.multiplier(alpha, "alpha")
    if fixed_alpha is None and vary in ("resolution", "depth") and variant is not None:
        fixed_alpha = variant.alpha
    fixed_rho = None if rho is None else inputs.multiplier(rho, "rho")
    if resolution is None and rho is None and vary in ("alpha", "depth") and variant is not None:
        resolution = variant.resolution
    if resolution is not None:
        fixed_rho = Fraction(inputs.resolution(resolution), height)
    depth_list = None
    if vary == "all":
        depth_list = list(dict.fromkeys(inputs.values(depth_multipliers or "1:2:0.1", "depth_multipliers",
                                                      inputs.multiplier)))
        if len(depth_list) > MAX_BUILT:
            raise ArgumentError(f"depth_multipliers: {len(depth_list):,} values, more than the {MAX_BUILT} networks "
                                "solve builds at most")
    grid_step: Fraction | int
    if vary == "resolution":
        grid_step = inputs.resolution(step if step is not None else 1, "step")
    else:
        grid_step = inputs.multiplier(step if step is not None else ("0.1" if vary == "depth" else "0.01"), "step")
    pixels = None
    if vary in ("both", "all"):
        default = f"96:{height}:16,{height}" if height >= 96 else str(height)
        pixels = inputs.values(resolutions if resolutions is not None else default, "resolutions", inputs.resolution)
    if vary == "depth" and MAX_DEPTH / Fraction(grid_step) > MAX_BUILT:
        raise ArgumentError(f"step: scans {int(MAX_DEPTH / Fraction(grid_step)):,} depth multipliers up to "
                            f"{MAX_DEPTH}, more than the {MAX_BUILT} networks solve builds at most")
    if vary in ("alpha", "both", "all"):
        scans = scanned_widths(Fraction(grid_step)) * len(pixels or [0]) * len(depth_list or [0])
        if scans > MAX_SCANNED:
            raise GridTooLarge(scans, MAX_SCANNED, "solve")
    network = model.network(depth_list[0] if depth_list else depth_multiplier)
    solved = solve_budget(network, read_convention(convention, unit), budget, vary, grid_step, alpha=fixed_alpha,
                          rho=fixed_rho, resolutions=pixels, dtype=read_dtype(dtype), device=read_device(device),
                          depths=depth_list)
    return Solution(solved, View(specs=(model.name,)))


def _per_spec(given: Any, name: str, count: int) -> list[Any]:
    """One value for every spec, or a list or tuple of one per spec (None in it: that spec's own)."""
    if given is None or not isinstance(given, (list, tuple)):
        return [given] * count
    if len(given) != count:
        raise ArgumentError(f"{name}: give one value for every spec, or one for each of the {count} specs; got "
                            f"{len(given)}")
    return list(given)


def compare(specs: Sequence[SpecName | Model], alpha: Any = None, depth_multiplier: Any = None,
            rho: Number | None = None, resolution: Number | None = None, width_rule: str | None = None,
            vs_standard: bool = False, convention: Any = "paper", unit: str = "mult-adds") -> Comparison:
    """Two or more networks against the first (totals, ratios, by kind and by stage), or one against its twin
    with a standard convolution for each depthwise-separable pair (``vs_standard``, the paper's Table 4):
    ``costcalc compare``. ``alpha`` and ``depth_multiplier``: one for every spec, or a list of one per spec."""
    from costcalc.analysis.compare import compare as compare_evaluations
    from costcalc.analysis.compare import standard_twin_evaluation
    from costcalc.engine.exact import evaluate
    from costcalc.render.view import View

    if isinstance(specs, (str, Model)) or not isinstance(specs, Sequence):
        raise ArgumentError("specs: expected a list of names, paths or Models")
    if rho is not None and resolution is not None:
        raise ArgumentError("give rho or resolution, not both")
    if vs_standard and len(specs) != 1:
        raise ArgumentError("vs_standard compares one spec with its standard-convolution twin")
    if not vs_standard and len(specs) < 2:
        raise ArgumentError("give two or more specs to compare, or one with vs_standard=True")
    if len(specs) > inputs.MAX_LIST:
        raise ArgumentError(f"specs: more than {inputs.MAX_LIST:,}")
    alphas = _per_spec(alpha, "alpha", len(specs))
    depths = _per_spec(depth_multiplier, "depth_multiplier", len(specs))
    counting = None
    evaluations, names = [], []
    for spec, each_alpha, depth in zip(specs, alphas, depths):
        model = _model(spec, width_rule)
        network = model.network(depth)
        counting = counting or read_convention(convention, unit)  # after the first spec, as the command reads it
        evaluations.append(evaluate(network, *model.point(each_alpha, rho, resolution), counting))
        names.append(model.name)
    if vs_standard:
        evaluations.append(standard_twin_evaluation(evaluations[0]))
        names.append(names[0])
    return Comparison(compare_evaluations(evaluations), View(specs=tuple(names)))
