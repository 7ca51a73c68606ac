"""``sweep``, ``solve`` and ``compare``: the design what-ifs."""

from __future__ import annotations

import sys
from fractions import Fraction
from typing import Any

import click

from costcalc.cli.app import EXIT_BUDGET, guarded, main
from costcalc.cli.options import (
    MULTIPLIER,
    RESOLUTION,
    Choice,
    budget_options,
    counting_options,
    device_options,
    format_option,
    limit_grid,
    one_option,
    read_convention,
    read_device,
    resource_limit_options,
    resource_limits,
    values_option,
    width_rule_option,
)
from costcalc.cli.output import show


@main.command("sweep")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("--alpha", "alphas", default=None,
              help="Width multipliers: a list (1,0.75,0.5) or an inclusive range start:stop:step (0.25:1:0.05). "
                   "[default: 1,0.75,0.5,0.25, or the variant's]")
@click.option("--resolution", "resolutions", default=None,
              help="Input resolutions in pixels: 224,192,160,128 or 128:224:32. [default: the paper's 224, 192, "
                   "160 and 128 as fractions of the spec's input]")
@click.option("--rho", "rhos", default=None, help="Resolution multipliers instead: 1,6/7,5/7 or 0.5:1:0.125.")
@click.option("--depth-multiplier", "depths", default=None,
              help="Depth multipliers, a third axis (a grid per value): 1,1.2,1.4 or 1:2:0.2. [default: 1, or the "
                   "variant's]")
@width_rule_option()
@budget_options
@counting_options()
@resource_limit_options
@device_options()
@click.option("--metric", type=Choice(["mult-adds", "params", "latency", "peak-memory"]), default="mult-adds",
              show_default=True, help="What the grid shows (latency needs --device).")
@format_option()
@guarded
def sweep_command(spec: str | None, alphas: str | None, resolutions: str | None, rhos: str | None, depths: str | None,
                  width_rule: str | None, max_mult_adds: int | None, max_params: int | None, convention: str, unit: str,
                  max_latency: str | None, max_peak_memory: str | None, dtype: str, device: str | None, metric: str,
                  output_format: str, output: str | None) -> None:
    """Exact Mult-Adds and params of SPEC at every width multiplier x resolution (the paper's Tables 6
    and 7 and everything between), and depth multiplier, shaded like a heat map, with the points over a budget
    marked."""
    from costcalc import api
    from costcalc.analysis.sweep import (
        MAX_DEPTH_MULTIPLIERS,
        MAX_POINTS,
        MAX_STREAMED_POINTS,
        PAPER_RHOS,
        distinct_resolutions,
    )
    from costcalc.quantities import parse_multiplier, parse_resolution
    from costcalc.spec.loading import depth_multiplier_of

    if rhos is not None and resolutions is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    model = api.load(spec, width_rule)
    loaded = model.spec
    variant = loaded.variant
    if alphas is None:
        alphas = str(variant.alpha) if variant is not None and variant.alpha is not None else "1,0.75,0.5,0.25"
    if resolutions is None and rhos is None and variant is not None and variant.resolution is not None:
        resolutions = str(variant.resolution)
    depth_values = (values_option(depths, parse_multiplier, "--depth-multiplier") if depths is not None
                    else [depth_multiplier_of(loaded, None)])
    depth_values = list(dict.fromkeys(depth_values))
    if len(depth_values) > MAX_DEPTH_MULTIPLIERS:
        raise click.BadParameter(f"{len(depth_values):,} depth multipliers, more than the {MAX_DEPTH_MULTIPLIERS} "
                                 "a sweep builds networks for (one each)", param_hint="'--depth-multiplier'")
    alpha_values = values_option(alphas, parse_multiplier, "--alpha")
    height = loaded.input.height
    if resolutions is not None:
        rho_values = [Fraction(value, height) for value in values_option(resolutions, parse_resolution, "--resolution")]
    elif rhos is not None:
        rho_values = values_option(rhos, parse_multiplier, "--rho")
    else:
        rho_values = list(PAPER_RHOS)
    rho_values = distinct_resolutions(height, rho_values)
    latency, peak, profile = _resources(max_latency, max_peak_memory, device, needs_device=metric == "latency")
    counting = read_convention(convention, unit)
    resolution_axis = ("--rho", rhos, False) if rhos is not None else ("--resolution", resolutions, True)
    axes: list[tuple[str, str | None, int, bool]] = [
        ("--alpha", alphas, len(alpha_values), False),
        (resolution_axis[0], resolution_axis[1], len(rho_values), resolution_axis[2])]
    if depths is not None:
        axes.append(("--depth-multiplier", depths, len(depth_values), False))
    with_resources = metric in ("latency", "peak-memory") or latency is not None or peak is not None
    streamed = output_format == "csv" and not with_resources  # no point held: one alpha's row at a time
    # bounded before any network is built (one per depth multiplier)
    limit_grid(axes, MAX_STREAMED_POINTS if streamed else MAX_POINTS, "sweep")
    try:
        result = api.sweep(model, alpha_values, rhos=rho_values, depth_multipliers=depth_values, convention=counting,
                           max_mult_adds=max_mult_adds, max_params=max_params, max_latency=latency,
                           max_peak_memory=peak, metric=metric, dtype=dtype, device=profile, stream=streamed)
    except api.GridTooLarge as error:  # points evaluated one by one: the message names the options and a step
        limit_grid(axes, error.most, error.what)
        raise
    show("sweep", result.analysis, result.view, output_format, output, f"costcalc sweep {loaded.name}")


def _resources(max_latency: str | None, max_peak_memory: str | None, device: str | None,
               needs_device: bool = False) -> tuple[Any, Any, Any]:
    """(latency limit in seconds, peak memory limit in bytes, device profile) from the options."""
    latency, peak = resource_limits(max_latency, max_peak_memory)
    if (latency is not None or needs_device) and device is None:
        raise click.UsageError("a latency is estimated on a device: give --device NAME|FILE (costcalc list --devices)")
    return latency, peak, read_device(device)


@main.command("solve")
@click.argument("spec", required=False, metavar="[SPEC]")
@budget_options
@click.option("--vary", type=Choice(["alpha", "resolution", "depth", "both", "all"]), default="alpha",
              show_default=True, help="What to solve for; both: the Pareto frontier of (alpha, resolution); all: of "
                                      "(alpha, depth multiplier, resolution).")
@click.option("--alpha", type=MULTIPLIER, default=None,
              help="The width multiplier held fixed (--vary resolution or depth). [default: 1, or the variant's]")
@click.option("--resolution", "resolution", default=None,
              help="The resolution held fixed (--vary alpha or depth), or the resolutions of the frontier (--vary "
                   "both or all: a list or range, default 96 to the spec's size in steps of 16).")
@click.option("--rho", type=MULTIPLIER, default=None, help="The resolution multiplier held fixed (--vary alpha).")
@click.option("--depth-multiplier", "depths", default=None,
              help="The depth multiplier held fixed (--vary alpha, resolution, both), or those of the frontier (--vary "
                   "all: a list or range, default 1:2:0.1). [default: 1, or the variant's]")
@width_rule_option()
@click.option("--step", default=None,
              help="Grid step: of alpha for --vary alpha/both/all [default: 0.01], of the depth multiplier for "
                   "--vary depth [default: 0.1], in pixels for --vary resolution [default: 1].")
@counting_options()
@resource_limit_options
@device_options()
@format_option(("text", "json"), default="text", output=False)
@guarded
def solve_command(spec: str | None, max_mult_adds: int | None, max_params: int | None, vary: str,
                  alpha: Fraction | None, resolution: str | None, rho: Fraction | None, depths: str | None,
                  width_rule: str | None, step: str | None, convention: str, unit: str, max_latency: str | None,
                  max_peak_memory: str | None, dtype: str, device: str | None, output_format: str) -> None:
    """The largest width multiplier, resolution or depth multiplier of SPEC, or the (alpha, resolution) or
    (alpha, depth multiplier, resolution) frontier, whose exact cost meets the budget, next to the ideal answer
    sympy solves from the closed form. Exit 1 when nothing fits."""
    from costcalc import api
    from costcalc.analysis.solve import MAX_BUILT, MAX_DEPTH, Unreachable
    from costcalc.analysis.sweep import Budget
    from costcalc.quantities import parse_multiplier, parse_resolution
    from costcalc.spec.loading import depth_multiplier_of

    latency, peak, profile = _resources(max_latency, max_peak_memory, device)
    budget = Budget(max_mult_adds, max_params, latency, peak)
    if not budget:
        raise click.UsageError("give a budget: --max-mult-adds, --max-params, --max-latency or --max-peak-memory")
    if vary == "alpha" and alpha is not None:
        raise click.UsageError("--alpha is what --vary alpha solves for; fix the resolution with --resolution or --rho")
    if vary in ("both", "all") and (alpha is not None or rho is not None):
        raise click.UsageError(f"--vary {vary} solves for alpha at each resolution of --resolution (a list or range); "
                               "it takes no --alpha or --rho")
    if vary == "resolution" and (resolution is not None or rho is not None):
        raise click.UsageError("--vary resolution solves for the resolution; fix the width with --alpha")
    if vary == "depth" and depths is not None:
        raise click.UsageError("--depth-multiplier is what --vary depth solves for; fix --alpha and --resolution")
    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    model = api.load(spec, width_rule)
    loaded = model.spec
    variant = loaded.variant
    height = loaded.input.height
    if alpha is None and vary in ("resolution", "depth") and variant is not None:
        alpha = variant.alpha
    if resolution is None and rho is None and vary in ("alpha", "depth") and variant is not None and variant.resolution:
        resolution = str(variant.resolution)
    depth_list = None
    if vary == "all":
        depth_list = list(dict.fromkeys(values_option(depths or "1:2:0.1", parse_multiplier, "--depth-multiplier")))
        fixed_depth = depth_list[0]
    else:
        fixed_depth = depth_multiplier_of(loaded, one_option(depths, parse_multiplier, "--depth-multiplier")
                                          if depths is not None else None)
    pixels_list = None
    fixed_rho = rho
    if vary == "resolution":  # the grid is read and bounded before anything is computed
        grid_step: Fraction | int = one_option(step or "1", parse_resolution, "--step")
    else:
        grid_step = one_option(step or ("0.1" if vary == "depth" else "0.01"), parse_multiplier, "--step")
        if vary in ("alpha", "depth"):
            if resolution:
                fixed_rho = Fraction(one_option(resolution, parse_resolution, "--resolution"), height)
            if vary == "alpha":
                _limit_scan(Fraction(grid_step), 1)
            elif MAX_DEPTH / Fraction(grid_step) > MAX_BUILT:
                raise click.BadParameter(f"this step scans {int(MAX_DEPTH / Fraction(grid_step)):,} depth multipliers "
                                         f"up to {MAX_DEPTH}, more than the {MAX_BUILT} networks solve builds at most: "
                                         f"use a step of at least {MAX_DEPTH / MAX_BUILT}", param_hint="'--step'")
        else:
            default = f"96:{height}:16,{height}" if height >= 96 else str(height)
            pixels_list = values_option(resolution or default, parse_resolution, "--resolution")
            if depth_list is not None and len(depth_list) > MAX_BUILT:
                raise click.BadParameter(f"{len(depth_list):,} depth multipliers, more than the {MAX_BUILT} networks "
                                         "solve builds at most", param_hint="'--depth-multiplier'")
            _limit_scan(Fraction(grid_step), len(pixels_list) * len(depth_list or [fixed_depth]))
    try:
        solved = api.solve(model, max_mult_adds, max_params, latency, peak, vary, alpha=alpha, rho=fixed_rho,
                           resolutions=pixels_list, step=grid_step, convention=convention, unit=unit, dtype=dtype,
                           depth_multiplier=fixed_depth if vary in ("alpha", "resolution", "both") else None,
                           depth_multipliers=depth_list, device=profile)
    except Unreachable as error:
        from costcalc.render.sinks.github import plain
        from costcalc.render.sinks.terminal import visible

        click.echo(plain(f"costcalc: {visible(loaded.name)}: {visible(str(error))}"), err=True)
        sys.exit(EXIT_BUDGET)
    show("solve", solved.analysis, solved.view, output_format)


def _limit_scan(step: Fraction, resolutions: int) -> None:
    """Refuse, before the search, a grid of more than ``solve.MAX_SCANNED`` widths (``step`` up to
    ``solve.MAX_ALPHA``, at each of ``resolutions`` resolutions), saying what would fit."""
    from costcalc.analysis.solve import MAX_ALPHA, MAX_SCANNED, scanned_widths
    from costcalc.quantities import fitting_step

    widths = scanned_widths(step)
    if widths * resolutions <= MAX_SCANNED:
        return
    room = MAX_SCANNED // resolutions  # widths that fit at each resolution
    if room < 10:
        raise click.BadParameter(f"{resolutions:,} resolutions, each with up to {widths:,} widths to scan, are more "
                                 f"than the {MAX_SCANNED:,} points solve scans at most: give fewer resolutions",
                                 param_hint="'--resolution'")
    each = f" at each of {resolutions:,} resolutions" if resolutions > 1 else ""
    raise click.BadParameter(f"this step scans {widths:,} widths up to alpha {MAX_ALPHA}{each}, more than the "
                             f"{MAX_SCANNED:,} solve scans at most: use a step of at least "
                             f"{fitting_step(MAX_ALPHA, room + 1)}", param_hint="'--step'")


@main.command("compare")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC_A [SPEC_B ...]")
@click.option("--alpha", "alphas", default=None,
              help="Width multiplier of every spec (0.75), or one per spec in order (0.75,1: the paper's Table 5). "
                   "[default: 1, or each variant's]")
@click.option("--depth-multiplier", "depths", default=None,
              help="Depth multiplier of every spec (1.2), or one per spec in order. [default: 1, or each variant's]")
@click.option("--rho", type=MULTIPLIER, default=None, help="Resolution multiplier of every spec: 192/224.")
@click.option("--resolution", type=RESOLUTION, default=None,
              help="Input resolution in pixels of every spec (rho = N / each spec's input size). [default: each "
                   "variant's, else the spec's]")
@width_rule_option()
@click.option("--vs-standard", is_flag=True,
              help="Compare SPEC with its twin that has one standard convolution for each depthwise-separable "
                   "pair (the paper's Table 4).")
@counting_options()
@format_option()
@guarded
def compare_command(specs: tuple[str, ...], alphas: str | None, depths: str | None, rho: Fraction | None,
                    resolution: int | None, width_rule: str | None, vs_standard: bool, convention: str, unit: str,
                    output_format: str, output: str | None) -> None:
    """Compare the Mult-Adds and params of two or more specs, the first being the baseline: totals with
    their ratios (8.56x), and the differences by kind and by stage (output map size)."""
    from costcalc import api
    from costcalc.quantities import parse_multiplier

    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    if vs_standard and len(specs) != 1:
        raise click.UsageError("--vs-standard compares one SPEC with its standard-convolution twin")
    if not vs_standard and len(specs) < 2:
        raise click.UsageError("give two or more specs to compare, or one with --vs-standard")
    alpha_values = _per_spec(alphas, "--alpha", "width multiplier", specs, parse_multiplier)
    depth_values = _per_spec(depths, "--depth-multiplier", "depth multiplier", specs, parse_multiplier)
    compared = api.compare(list(specs), alpha_values, depth_values, rho, resolution, width_rule, vs_standard,
                           convention, unit)
    show("compare", compared.analysis, compared.view, output_format, output, f"costcalc compare {' '.join(specs)}")


def _per_spec(text: str | None, option: str, what: str, specs: tuple[str, ...], parse: Any) -> list[Any]:
    """One value for every spec, or one per spec in order (None: each spec's own)."""
    if text is None:
        return [None] * len(specs)
    values = [one_option(part, parse, option) for part in text.split(",")]
    if len(values) == 1:
        return values * len(specs)
    if len(values) != len(specs):
        raise click.BadParameter(f"give one {what} for every spec, or one for each of the {len(specs)} "
                                 f"specs; got {len(values)}", param_hint=f"'{option}'")
    return values
