"""``check`` and ``snapshot``: budgets and baselines for CI."""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from typing import Any

import click

from costcalc.cli.app import (
    COUNT,
    EXIT_BUDGET,
    Choice,
    budget_options,
    emit,
    guarded,
    load_network,
    main,
    one_option,
    values_option,
)
from costcalc.errors import Diagnostic, Location

CHECK_FORMATS = ("text", "json", "markdown", "github")


def allow_outside_option(command: Any) -> Any:
    return click.option("--allow-outside", is_flag=True,
                        help="Let the budgets file name specs, baselines, conventions and devices outside its own "
                             "folder (symbolic links resolved); refused by default.")(command)


@main.command("check")
@click.argument("specs", nargs=-1, metavar="[SPEC ...]")
@budget_options
@click.option("--alpha", "alphas", default=None, help="Width multiplier(s) to check: 1 or 1,0.75.")
@click.option("--resolution", "resolutions", default=None, help="Input resolution(s) in pixels: 224 or 224,192.")
@click.option("--convention", metavar="NAME|FILE", default=None,
              help="What is counted: a built-in convention or a convention file (default: each check's own, else "
                   "paper).")
@click.option("--unit", type=Choice(["mult-adds", "flops"]), default="mult-adds", show_default=True,
              help="mult-adds, or flops: 2 per multiply-accumulate, 1 per other operation.")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="The budgets file [default: ./costcalc.yaml, else [tool.costcalc] in ./pyproject.toml].")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="A baseline JSON (costcalc snapshot, or report --format json) to compare growth against.")
@click.option("--max-increase", default=None, help="Growth allowed against the baseline: 1% (a number is a percentage).")
@click.option("--min-delta", type=COUNT, default=None, help="Ignore changes smaller than this count.")
@click.option("--max-latency", default=None, help="Latency budget on --device: 20ms, 1.5s (a roofline estimate).")
@click.option("--max-peak-memory", default=None, help="Peak activation memory budget: 4MB, 512kB, 4MiB.")
@click.option("--device", metavar="NAME|FILE", default=None, help="The device profile for --max-latency.")
@click.option("--dtype", type=Choice(["fp32", "fp16", "bf16", "int8"]), default="fp32", show_default=True,
              help="Data type of activations and weights, for --max-latency and --max-peak-memory.")
@click.option("--report-only", is_flag=True, help="Report, but exit 0 even when a budget is exceeded.")
@allow_outside_option
@click.option("--format", "output_format", type=Choice(CHECK_FORMATS), default="text", show_default=True)
@guarded
def check_command(specs: tuple[str, ...], max_mult_adds: int | None, max_params: int | None, alphas: str | None,
                  resolutions: str | None, convention: str | None, unit: str, config: str | None, baseline: str | None,
                  max_increase: str | None, min_delta: int | None, max_latency: str | None, max_peak_memory: str | None,
                  device: str | None, dtype: str, report_only: bool, allow_outside: bool, output_format: str) -> None:
    """Fail (exit 1) when a network exceeds its Mult-Adds or params budget, or grew past a baseline by more
    than --max-increase. Budgets come from the options, or from a budgets file (costcalc.yaml)."""
    from costcalc.analysis.check import check_evaluation
    from costcalc.budget.baseline import load_baseline
    from costcalc.budget.config import (
        MAX_EVALUATIONS,
        BudgetError,
        Configuration,
        parse_percent,
    )
    from costcalc.budget.files import find_config, load_config
    from costcalc.quantities import parse_multiplier, parse_resolution
    from costcalc.render import check_formats
    from costcalc.render.text import plural

    growth = one_option(max_increase, parse_percent, "--max-increase") if max_increase is not None else None
    alpha_values = values_option(alphas, parse_multiplier, "--alpha") if alphas else None
    resolution_values = values_option(resolutions, parse_resolution, "--resolution") if resolutions else None
    flag_limits = {"mult_adds": max_mult_adds, "params": max_params}
    resources = _resource_limits(max_latency, max_peak_memory, device, dtype)
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
        baseline = baseline or budgets.baseline
    else:
        checks = [_command_line_check(name, flag_limits, growth, convention) for name in specs or (None,)]
    if growth is not None and not baseline:
        raise click.UsageError("--max-increase needs a baseline: --baseline FILE, or 'baseline:' in the budgets file")
    runs = 0
    for check in checks:  # --alpha and --resolution times each check's own: bounded before anything is evaluated
        runs += (len(alpha_values or {each.alpha for each in check.configurations})
                 * len(resolution_values or {each.resolution for each in check.configurations}))
    if runs > MAX_EVALUATIONS:  # the budgets file's own were counted when it was read (E512)
        raise click.UsageError(f"--alpha and --resolution ask for {runs:,} evaluations over "
                               f"{plural(len(checks), 'check')}, more than the {MAX_EVALUATIONS} costcalc makes in one "
                               "run; check fewer at once")
    baselines = load_baseline(baseline) if baseline else []
    results = []
    loaded = _Loaded(unit)
    for check in checks:
        limits = {metric: flag_limits[metric] if flag_limits[metric] is not None else limit
                  for metric, limit in check.limits.items()}
        # --alpha and --resolution replace only their own axis of the check's configurations
        alphas_now = alpha_values or list(dict.fromkeys(each.alpha for each in check.configurations))
        resolutions_now = resolution_values or list(dict.fromkeys(each.resolution for each in check.configurations))
        configurations = tuple(Configuration(alpha, resolution) for alpha in alphas_now for resolution in resolutions_now)
        # a check's own convention was checked against its budgets file's folder; --convention, against this one
        counting = loaded.convention(convention, True) if convention else loaded.convention(check.convention, False)
        check = check._replace(limits=limits, convention=convention or check.convention, configurations=configurations)
        limits_now = resources if resources is not None else _check_resources(check, loaded)
        for configuration in check.configurations:
            evaluation = loaded.evaluation(check.spec, configuration, counting)
            results += check_evaluation(check, evaluation, baselines, growth, min_delta)
            if limits_now is not None:
                results += resource_results(check, evaluation, *limits_now)
    if not results:
        raise click.UsageError("nothing to check: give --max-mult-adds, --max-params, --max-peak-memory or "
                               "--max-latency (with --device), or --baseline with --max-increase, or budgets in "
                               "costcalc.yaml")
    if output_format == "json":
        click.echo(check_formats.to_json(results))
    elif output_format == "markdown":
        click.echo(check_formats.to_markdown(results), nl=False)
    else:
        click.echo(check_formats.to_text(results) if output_format == "text" else check_formats.to_github(results),
                   nl=False)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if output_format == "github" and summary:
            _append_summary(summary, check_formats.to_markdown(results))
    if not report_only and not all(result.ok for result in results):
        sys.exit(EXIT_BUDGET)


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
    from costcalc.quantities import parse_duration, parse_size

    if max_latency is None and max_peak_memory is None:
        if device is not None:
            raise click.UsageError("--device is for --max-latency")
        return None
    latency = one_option(max_latency, parse_duration, "--max-latency") if max_latency is not None else None
    peak = one_option(max_peak_memory, parse_size, "--max-peak-memory") if max_peak_memory is not None else None
    if latency is not None and device is None:
        raise click.UsageError("--max-latency needs --device NAME|FILE: a latency is estimated on a device")
    profile = None
    if device is not None:
        from costcalc.devices.profiles import resolve_device

        profile = resolve_device(device)
    return latency, peak, profile, dtype


class _Loaded:
    """Networks, conventions, devices and evaluations of one run, each loaded or computed once however many
    checks name it: a budgets file of a thousand checks of one spec reads that spec once."""

    def __init__(self, unit: str = "mult-adds"):
        self.unit = unit
        self.found: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], make: Any) -> Any:
        if key not in self.found:
            self.found[key] = make()
        return self.found[key]

    def network(self, spec: str) -> Any:
        return self._once(("network", spec), lambda: load_network(spec))

    def convention(self, text: str, from_command_line: bool) -> Any:
        """A convention from --convention (a bare name checked against this folder) or from a check (already
        checked against its budgets file's folder)."""
        from costcalc.conventions.files import resolve_convention

        folder = "." if from_command_line else None
        return self._once(("convention", text, folder), lambda: resolve_convention(text, self.unit, folder=folder))

    def device(self, text: str) -> Any:
        from costcalc.devices.profiles import resolve_device

        return self._once(("device", text), lambda: resolve_device(text, folder=None))

    def evaluation(self, spec: str, configuration: Any, counting: Any) -> Any:
        from costcalc.engine.exact import evaluate, rho_for_resolution

        def make() -> Any:
            network = self.network(spec)
            rho = (rho_for_resolution(network.spec, configuration.resolution)
                   if configuration.resolution is not None else Fraction(1))
            return evaluate(network, configuration.alpha, rho, counting)

        return self._once(("evaluation", spec, configuration, id(counting)), make)


def _check_resources(check: Any, loaded: _Loaded) -> tuple[Any, Any, Any, str] | None:
    """A budgets-file check's own latency and peak-memory limits, with its device and dtype."""
    if check.max_latency is None and check.max_peak_memory is None:
        return None
    profile = loaded.device(check.device) if check.device is not None else None  # checked beside the budgets file
    return check.max_latency, check.max_peak_memory, profile, check.dtype


def resource_results(check: Any, evaluation: Any, latency: Any, peak: Any, device: Any, dtype: str) -> list[Any]:
    """Latency (a roofline estimate on ``device``) and peak activation memory, as check results."""
    from costcalc.analysis.check import CheckResult
    from costcalc.analysis.memory import memory

    use = memory(evaluation, dtype)
    results = []
    if peak is not None:
        results.append(CheckResult(check, evaluation, "peak_memory", use.peak_activation_bytes, peak, None, None, 0, ()))
    if latency is not None:
        from costcalc.analysis.roofline import roofline

        estimate = roofline(evaluation, use, device).latency_s
        results.append(CheckResult(check, evaluation, "latency", estimate, latency, None, None, 0, ()))
    return results


def _command_line_check(name: str | None, limits: dict[str, int | None], growth: Fraction | None,
                        convention: str | None) -> Any:
    """A check made of the command line's options, pointing at the spec for annotations."""
    from costcalc.budget.config import CheckSpec, Configuration
    from costcalc.source.bundled import DEFAULT_SPEC

    label = name or DEFAULT_SPEC
    from costcalc.source.names import spec_path

    where = Location(spec_path(label), 1, 1)
    return CheckSpec(spec=label, label=label, configurations=(Configuration(Fraction(1), None),),
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
    from costcalc.analysis.report import build_report
    from costcalc.budget.baseline import BaselineSize, bundle
    from costcalc.budget.config import BudgetError
    from costcalc.budget.files import find_config, load_config
    from costcalc.render.json_report import to_data

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
    loaded = _Loaded()
    size = BaselineSize(target)
    for check in budgets.checks:
        counting = loaded.convention(check.convention, False)
        for configuration in check.configurations:
            evaluation = loaded.evaluation(check.spec, configuration, counting)
            reports.append(to_data(build_report(evaluation), check.label))
            size.add(reports[-1], check.location)  # a baseline `check` could not read is refused, not written
    emit(bundle(reports), target)
    from costcalc.render.sinks.terminal import visible
    from costcalc.render.text import plural

    click.echo(f"wrote {visible(target)}: {plural(len(reports), 'report')}", err=True)
