"""``check`` and ``snapshot``: budgets and baselines for CI."""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from typing import Any

import click

from costcalc.cli.app import EXIT_BUDGET, guarded, main
from costcalc.cli.options import (
    COUNT,
    budget_options,
    counting_options,
    device_options,
    format_option,
    one_option,
    read_device,
    resource_limit_options,
    resource_limits,
    values_option,
    width_rule_option,
)
from costcalc.cli.output import emit, show
from costcalc.errors import Diagnostic, Location
from costcalc.render.view import View

CHECK_FORMATS = ("text", "json", "markdown", "github", "pr-comment")


def allow_outside_option(command: Any) -> Any:
    return click.option("--allow-outside", is_flag=True,
                        help="Let the budgets file name specs, baselines, conventions and devices outside its own "
                             "folder (symbolic links resolved); refused by default.")(command)


@main.command("check")
@click.argument("specs", nargs=-1, metavar="[SPEC ...]")
@budget_options
@click.option("--alpha", "alphas", default=None, help="Width multiplier(s) to check: 1 or 1,0.75.")
@click.option("--resolution", "resolutions", default=None, help="Input resolution(s) in pixels: 224 or 224,192.")
@click.option("--depth-multiplier", "depths", default=None, help="Depth multiplier(s) to check: 1 or 1,1.2.")
@width_rule_option()
@counting_options(default=None, convention_help="What is counted: a built-in convention or a convention file "
                  "(default: each check's own, else paper).")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="The budgets file [default: ./costcalc.yaml, else [tool.costcalc] in ./pyproject.toml].")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="A baseline JSON (costcalc snapshot, or report --format json) to compare growth against.")
@click.option("--base", "base", metavar="REF", default=None,
              help="Compare with the specs and budgets file as they are at this git ref (HEAD~1, origin/main), "
                   "instead of a stored --baseline.")
@click.option("--max-increase", default=None, help="Growth allowed against the baseline: 1% (a number is a percentage).")
@click.option("--min-delta", type=COUNT, default=None, help="Ignore changes smaller than this count.")
@resource_limit_options
@device_options(dtype_help="Data type of activations and weights, for --max-latency and --max-peak-memory.",
                device_help="The device profile for --max-latency.")
@click.option("--require-calibrated", is_flag=True, help="Refuse (exit 2) a --max-latency on a device that is not "
              "calibrated (costcalc calibrate): a roofline estimate is not a latency to gate on.")
@click.option("--report-only", is_flag=True, help="Report, but exit 0 even when a budget is exceeded.")
@allow_outside_option
@format_option(CHECK_FORMATS, default="text", output=False)
@guarded
def check_command(specs: tuple[str, ...], max_mult_adds: int | None, max_params: int | None, alphas: str | None,
                  resolutions: str | None, depths: str | None, width_rule: str | None, convention: str | None,
                  unit: str, config: str | None, baseline: str | None, base: str | None,
                  max_increase: str | None, min_delta: int | None, max_latency: str | None, max_peak_memory: str | None,
                  dtype: str, device: str | None, require_calibrated: bool, report_only: bool, allow_outside: bool,
                  output_format: str) -> None:
    """Fail (exit 1) when a network exceeds its Mult-Adds or params budget, or grew past a baseline by more
    than --max-increase. Budgets come from the options, or from a budgets file (costcalc.yaml)."""
    from costcalc.analysis.check import Loaded, run_checks
    from costcalc.budget.baseline import load_baseline
    from costcalc.budget.config import MAX_EVALUATIONS, BudgetError, parse_percent
    from costcalc.budget.files import find_config, load_config
    from costcalc.quantities import parse_multiplier, parse_resolution
    from costcalc.render.numbers import plural

    if base is not None and baseline is not None:
        raise click.UsageError("give --baseline FILE or --base REF, not both")
    commit = _base_commit(base) if base is not None else None
    growth = one_option(max_increase, parse_percent, "--max-increase") if max_increase is not None else None
    alpha_values = values_option(alphas, parse_multiplier, "--alpha") if alphas else None
    resolution_values = values_option(resolutions, parse_resolution, "--resolution") if resolutions else None
    depth_values = values_option(depths, parse_multiplier, "--depth-multiplier") if depths else None
    flag_limits = {"mult_adds": max_mult_adds, "params": max_params}
    resources = _resource_limits(max_latency, max_peak_memory, device, dtype)
    if require_calibrated and resources is not None and resources[0] is not None and resources[2].calibration is None:
        from costcalc.errors import quoted

        raise BudgetError(Diagnostic(Location(device or ""), f"--require-calibrated: the device "
                                     f"{quoted(resources[2].name)} is a roofline profile, not calibrated (costcalc "
                                     "calibrate, docs/calibrate.md)", "E544"))
    options_give_limits = (any(limit is not None for limit in flag_limits.values()) or growth is not None
                           or resources is not None)
    config_path = config or (None if specs and options_give_limits else find_config())
    if config is not None and not os.path.exists(config):
        raise BudgetError(Diagnostic(Location(config), "no such budgets file", "E504"))
    if config_path:
        budgets = load_config(config_path, allow_outside)
        checks = [check for check in budgets.checks if not specs or check.label in specs]
        if specs and not checks:
            raise click.UsageError(f"no check of {config_path} is for {', '.join(specs)}")
        baseline = baseline or (budgets.baseline if commit is None else None)  # --base replaces the stored one
    else:
        checks = [_command_line_check(name, flag_limits, growth, convention) for name in specs or (None,)]
    if growth is not None and not baseline and commit is None:
        raise click.UsageError("--max-increase needs a baseline: --baseline FILE, --base REF, or 'baseline:' in the "
                               "budgets file")
    runs = 0
    for check in checks:  # --alpha, --resolution, --depth-multiplier times each check's own: bounded beforehand
        runs += (len(alpha_values or {each.alpha for each in check.configurations})
                 * len(resolution_values or {each.resolution for each in check.configurations})
                 * len(depth_values or {each.depth_multiplier for each in check.configurations}))
    if runs > MAX_EVALUATIONS:  # the budgets file's own were counted when it was read (E512)
        raise click.UsageError(f"--alpha and --resolution ask for {runs:,} evaluations over "
                               f"{plural(len(checks), 'check')}, more than the {MAX_EVALUATIONS} costcalc makes in one "
                               "run; check fewer at once")
    baselines = load_baseline(baseline) if baseline else []
    if commit is not None:
        from costcalc.analysis.git_baseline import base_checks, baselines_at

        before = [check for check in base_checks(commit, config_path, checks, allow_outside)
                  if not specs or check.label in specs]
        baselines = baselines_at(commit, before, unit, alpha_values, resolution_values, convention, depth_values,
                                 width_rule)
    results = run_checks(checks, baselines, Loaded(unit), flag_limits, alpha_values, resolution_values, convention,
                         growth, min_delta, resources, depth_values, width_rule)
    if not results:
        raise click.UsageError("nothing to check: give --max-mult-adds, --max-params, --max-peak-memory or "
                               "--max-latency (with --device), or --baseline with --max-increase, or budgets in "
                               "costcalc.yaml")
    show("check", results, View(), output_format)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and summary:
        from costcalc.render.check_formats import to_markdown

        _append_summary(summary, to_markdown(results))
    if not report_only and not all(result.ok for result in results):
        sys.exit(EXIT_BUDGET)


def _base_commit(ref: str) -> Any:
    """The commit of ``--base REF``: a ref that does not look like one is a usage error naming the option."""
    from costcalc.source import git

    try:
        git.check_ref(ref)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--base'") from None
    return git.resolve(ref)


def _append_summary(path: str, text: str) -> None:
    """Append to the runner's job summary, as GitHub asks; a summary that cannot be written is a warning (W101):
    the check's own verdict, not the runner's file, decides the exit code (docs/budgets.md)."""
    from costcalc.cli.output import append
    from costcalc.errors import OutputError, warn

    try:
        append(path, text)
    except OutputError as error:
        reason = error.diagnostics[0].message
        warn(Location(path), f"the job summary ($GITHUB_STEP_SUMMARY) is not written ({reason}); the check's result "
                             "stands", "W101")


def _resource_limits(max_latency: str | None, max_peak_memory: str | None, device: str | None,
                     dtype: str) -> tuple[Any, Any, Any, str] | None:
    """(latency limit, peak memory limit, device, dtype) from the options, or None when neither is given."""
    if max_latency is None and max_peak_memory is None:
        if device is not None:
            raise click.UsageError("--device is for --max-latency")
        return None
    latency, peak = resource_limits(max_latency, max_peak_memory)
    if latency is not None and device is None:
        raise click.UsageError("--max-latency needs --device NAME|FILE: a latency is estimated on a device")
    profile = read_device(device)
    return latency, peak, profile, dtype


def _command_line_check(name: str | None, limits: dict[str, int | None], growth: Fraction | None,
                        convention: str | None) -> Any:
    """A check made of the command line's options, pointing at the spec for annotations."""
    from costcalc.budget.config import CheckSpec, Configuration
    from costcalc.source.bundled import DEFAULT_SPEC

    label = name or DEFAULT_SPEC
    from costcalc.source.names import spec_path

    where = Location(spec_path(label), 1, 1)
    return CheckSpec(spec=label, label=label, configurations=(Configuration(None, None),),
                     convention=convention or "paper", limits=dict(limits), max_increase=growth, min_delta=0,
                     message="", location=where, limit_at={"mult_adds": where, "params": where})


@main.command("snapshot")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="The budgets file [default: ./costcalc.yaml, else [tool.costcalc] in ./pyproject.toml].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the baseline to this file (atomically) [default: the budgets file's 'baseline'].")
@allow_outside_option
@guarded
def snapshot_command(config: str | None, output: str | None, allow_outside: bool) -> None:
    """Write the baseline of every check and configuration of the budgets file (atomically), for
    `costcalc check --baseline` to compare growth against. Default file: the budgets file's `baseline`."""
    from costcalc.analysis.check import Loaded
    from costcalc.analysis.report import build_report
    from costcalc.budget.baseline import BaselineSize, bundle
    from costcalc.budget.config import BudgetError
    from costcalc.budget.files import find_config, load_config
    from costcalc.render.report_formats import to_data

    path = config or find_config()
    if path is None:
        raise click.UsageError("no budgets file: write costcalc.yaml, or give --config")
    if not os.path.exists(path):
        raise BudgetError(Diagnostic(Location(path), "no such budgets file", "E504"))
    budgets = load_config(path, allow_outside)  # its baseline: inside its folder, or refused (E511)
    target = output or budgets.baseline
    if target is None:
        raise click.UsageError(f"where to? give -o FILE, or a 'baseline' file in {path}")
    reports = []
    loaded = Loaded()
    size = BaselineSize(target)
    for check in budgets.checks:
        counting = loaded.convention(check.convention, False)
        for configuration in check.configurations:
            evaluation = loaded.evaluation(check.spec, configuration, counting, check.width_rule)
            reports.append(to_data(build_report(evaluation), View(specs=(check.label,))))
            size.add(reports[-1], check.location)  # a baseline `check` could not read is refused, not written
    emit(bundle(reports), target)
    from costcalc.render.numbers import plural
    from costcalc.render.sinks.terminal import visible

    click.echo(f"wrote {visible(target)}: {plural(len(reports), 'report')}", err=True)
