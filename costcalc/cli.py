"""The command line: click commands that parse options, call the core, pick a renderer, and turn
errors into exit codes (0 ok, 2 bad usage or bad spec, 3 internal error). Nothing else happens here.

Imports are lazy: ``report --format json`` never loads rich or sympy.
"""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from typing import Any, Callable

import click

from costcalc.errors import Diagnostic, Location

EXIT_BUDGET = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
FORMATS = ("table", "json", "csv", "markdown", "svg", "html")
SWEEP_FORMATS = FORMATS


class Parsed(click.ParamType):
    """An option value read by one of costcalc's exact parsers, imported only when an option needs it."""

    def __init__(self, name: str, module: str, function: str):
        self.name, self.module, self.function = name, module, function

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if not isinstance(value, str):
            return value
        import importlib

        parse = getattr(importlib.import_module(self.module), self.function)
        try:
            return parse(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


# 0.75, 3/4, 192/224 -> an exact Fraction; 300M, 4.2e6, 1.5G -> an exact int
MULTIPLIER = Parsed("NUMBER", "costcalc.multipliers", "parse_multiplier")
COUNT = Parsed("COUNT", "costcalc.quantities", "parse_count")


def _guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Bad input -> its diagnostics on stderr and exit 2; anything else is a bug -> exit 3."""
    import functools

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        from costcalc.errors import CostcalcError

        try:
            command(*args, **kwargs)
        except CostcalcError as error:
            for diagnostic in error.diagnostics:
                click.echo(str(diagnostic), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as error:  # a bug: say so, briefly, unless --debug
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"costcalc: internal error: {type(error).__name__}: {error}", err=True)
            click.echo("This is a bug in costcalc, not in your input. Please report it on the costcalc issue tracker "
                       "with the command line and the spec (run again with --debug for the traceback).", err=True)
            sys.exit(EXIT_INTERNAL)

    return run


def _emit(text: str, output: str | None) -> None:
    if output:
        from costcalc.output import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _console_width() -> int:
    import shutil

    return shutil.get_terminal_size((132, 24)).columns


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="costcalc", message="costcalc %(version)s")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an internal error.")
def main(debug: bool) -> None:
    """Exact Mult-Adds and parameter counts of a convolutional network described in YAML, for any width
    multiplier alpha and resolution multiplier rho (MobileNets, Howard et al. 2017).

    \b
    costcalc report                       MobileNet-224, as in the paper
    costcalc report --alpha 0.75 --resolution 192 --format json
    costcalc report my_net.yaml --symbolic
    costcalc formula                      the per-kind formulas, derived by sympy
    costcalc list                         the bundled specs
    """


def _spec_path(argument: str | None) -> str:
    from costcalc.errors import Diagnostic, Location, SpecError, did_you_mean
    from costcalc.spec.bundled import DEFAULT_SPEC, bundled_specs

    name = argument or DEFAULT_SPEC
    if os.path.exists(name):
        return name
    bundled = bundled_specs()
    if name in bundled:
        return str(bundled[name])
    hint = did_you_mean(name, bundled)
    raise SpecError(Diagnostic(Location(name), f"no such spec file, and no bundled spec of that name{hint}; "
                                               "`costcalc list` shows the bundled specs"))


def _convention_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--convention", type=click.Choice(["paper", "torchvision"]), default="paper",
                        show_default=True,
                        help="What counts as a Mult-Add and as a parameter (docs/conventions.md).")(command)


def _output_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
                        help="Write to this file (atomically) instead of stdout.")(command)


def _budget_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option("--max-params", type=COUNT, default=None,
                           help="Parameter budget: 4.2M, 4200000.")(command)
    return click.option("--max-mult-adds", type=COUNT, default=None,
                        help="Mult-Adds budget: 300M, 3e8, 1.5G.")(command)


def _show_rich(make: Callable[[int], Any], output_format: str, output: str | None, title: str) -> None:
    """Print a rich renderable (``make(width)``) to the terminal, or export it as text, SVG or HTML."""
    from rich.console import Console

    if output_format == "table" and not output:
        width = _console_width()
        Console(width=width, highlight=False).print(make(width))
        return
    import io

    from costcalc.render.table import natural_width

    renderable = make(132)
    width = max(132, natural_width(renderable))  # a file has no terminal to crop a wide table to
    console = Console(file=io.StringIO(), width=width, record=True, highlight=False,
                      color_system=None if output_format == "table" else "truecolor", force_terminal=output_format != "table")
    console.print(renderable)
    if output_format == "svg":
        _emit(console.export_svg(title=title), output)
    elif output_format == "html":
        from rich.terminal_theme import MONOKAI

        _emit(console.export_html(inline_styles=True, theme=MONOKAI), output)  # the heat map's colours need a dark page
    else:
        rendered = console.export_text()
        _emit("\n".join(line.rstrip() for line in rendered.splitlines()) + "\n", output)


def _values(text: str, parse_one: Callable[[str], Any], option: str) -> list[Any]:
    """A list or range option, its errors naming the option."""
    from costcalc.quantities import parse_values

    try:
        return parse_values(text, parse_one)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def _one(text: str, parse_one: Callable[[str], Any], option: str) -> Any:
    try:
        return parse_one(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def _load_network(spec: str | None) -> Any:
    from costcalc.network import build_network
    from costcalc.spec import load_spec

    return build_network(load_spec(_spec_path(spec)))


@main.command("report")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("--alpha", type=MULTIPLIER, default="1", show_default=True,
              help="Width multiplier: 0.75 or 3/4. Scales every channel count the spec does not mark fixed.")
@click.option("--rho", type=MULTIPLIER, default=None, help="Resolution multiplier: 0.857 or 192/224.")
@click.option("--resolution", type=click.IntRange(min=1), default=None,
              help="Input resolution in pixels (sets rho = N / the spec's input size).")
@_convention_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--symbolic", is_flag=True,
              help="Also give the totals as a closed form in alpha and rho (ideal, no rounding).")
@click.option("--all-layers", is_flag=True, help="Table and Markdown: also list layers without cost (BN, ReLU).")
@_output_option
@_guarded
def report_command(spec: str | None, alpha: Fraction, rho: Fraction | None, resolution: int | None,
                   convention: str, output_format: str, symbolic: bool, all_layers: bool, output: str | None) -> None:
    """Per-layer and total Mult-Adds and parameters of SPEC (a YAML file or a bundled spec's name;
    default: mobilenet_v1)."""
    from costcalc.analysis.report import build_report
    from costcalc.conventions import CONVENTIONS
    from costcalc.evaluate import evaluate, rho_for_resolution
    from costcalc.spec.bundled import DEFAULT_SPEC

    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    network = _load_network(spec)
    if resolution is not None:
        rho = rho_for_resolution(network.spec, resolution)
    evaluation = evaluate(network, alpha, rho or Fraction(1), CONVENTIONS[convention])
    report = build_report(evaluation, symbolic=symbolic)
    if output_format == "json":
        from costcalc.render.json_report import to_json

        _emit(to_json(report, spec or DEFAULT_SPEC), output)
    elif output_format == "csv":
        from costcalc.render.csv_report import to_csv

        _emit(to_csv(report), output)
    elif output_format == "markdown":
        from costcalc.render.markdown import to_markdown

        _emit(to_markdown(report, all_layers), output)
    else:
        from costcalc.render.table import render

        _show_rich(lambda width: render(report, all_layers, width), output_format, output,
                   f"costcalc report {network.spec.name}")


@main.command("sweep")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("--alpha", "alphas", default="1,0.75,0.5,0.25", show_default=True,
              help="Width multipliers: a list (1,0.75,0.5) or an inclusive range start:stop:step (0.25:1:0.05).")
@click.option("--resolution", "resolutions", default=None,
              help="Input resolutions in pixels: 224,192,160,128 or 128:224:32. [default: the paper's 224, 192, "
                   "160 and 128 as fractions of the spec's input]")
@click.option("--rho", "rhos", default=None, help="Resolution multipliers instead: 1,6/7,5/7 or 0.5:1:0.125.")
@_budget_options
@_convention_option
@click.option("--format", "output_format", type=click.Choice(SWEEP_FORMATS), default="table", show_default=True)
@_output_option
@_guarded
def sweep_command(spec: str | None, alphas: str, resolutions: str | None, rhos: str | None,
                  max_mult_adds: int | None, max_params: int | None, convention: str, output_format: str,
                  output: str | None) -> None:
    """Exact Mult-Adds and params of SPEC at every width multiplier x resolution (the paper's Tables 6
    and 7 and everything between), shaded like a heat map, with the points over a budget marked."""
    from costcalc.analysis.sweep import Budget, sweep
    from costcalc.arith import scale_resolution
    from costcalc.conventions import CONVENTIONS
    from costcalc.multipliers import parse_multiplier
    from costcalc.quantities import parse_resolution
    from costcalc.spec.bundled import DEFAULT_SPEC

    if rhos is not None and resolutions is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    network = _load_network(spec)
    height = network.spec.input.height
    alpha_values = _values(alphas, parse_multiplier, "--alpha")
    if resolutions is not None:
        rho_values = [Fraction(value, height) for value in _values(resolutions, parse_resolution, "--resolution")]
    elif rhos is not None:
        rho_values = _values(rhos, parse_multiplier, "--rho")
    else:
        rho_values = [Fraction(1), Fraction(6, 7), Fraction(5, 7), Fraction(4, 7)]
    by_resolution: dict[int, Fraction] = {}  # two rhos that round to the same input are the same point
    for rho_value in rho_values:
        by_resolution.setdefault(scale_resolution(height, rho_value), rho_value)
    rho_values = list(by_resolution.values())
    result = sweep(network, alpha_values, rho_values, CONVENTIONS[convention], Budget(max_mult_adds, max_params))
    if output_format == "json":
        from costcalc.render.sweep_formats import to_json

        _emit(to_json(result, spec or DEFAULT_SPEC), output)
    elif output_format == "csv":
        from costcalc.render.sweep_formats import to_csv

        _emit(to_csv(result), output)
    elif output_format == "markdown":
        from costcalc.render.sweep_formats import to_markdown

        _emit(to_markdown(result), output)
    else:
        from costcalc.render.sweep_table import render

        _show_rich(lambda width: render(result), output_format, output, f"costcalc sweep {network.spec.name}")


@main.command("solve")
@click.argument("spec", required=False, metavar="[SPEC]")
@_budget_options
@click.option("--vary", type=click.Choice(["alpha", "resolution", "both"]), default="alpha", show_default=True,
              help="What to solve for; both: the Pareto frontier of (alpha, resolution).")
@click.option("--alpha", type=MULTIPLIER, default=None, help="The width multiplier held fixed (--vary resolution).")
@click.option("--resolution", "resolution", default=None,
              help="The resolution held fixed (--vary alpha), or the resolutions of the frontier (--vary both: "
                   "a list or range, default 96 to the spec's size in steps of 16).")
@click.option("--rho", type=MULTIPLIER, default=None, help="The resolution multiplier held fixed (--vary alpha).")
@click.option("--step", default=None,
              help="Grid step: of alpha for --vary alpha/both [default: 0.01], in pixels for --vary resolution "
                   "[default: 1].")
@_convention_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def solve_command(spec: str | None, max_mult_adds: int | None, max_params: int | None, vary: str,
                  alpha: Fraction | None, resolution: str | None, rho: Fraction | None, step: str | None,
                  convention: str, output_format: str) -> None:
    """The largest width multiplier, resolution, or (alpha, resolution) pairs of SPEC whose exact cost meets
    the budget, next to the ideal answer sympy solves from the closed form. Exit 1 when nothing fits."""
    from costcalc.analysis import solve
    from costcalc.analysis.sweep import Budget
    from costcalc.compiled import CompiledCost
    from costcalc.conventions import CONVENTIONS
    from costcalc.multipliers import format_fraction, parse_multiplier
    from costcalc.quantities import parse_resolution
    from costcalc.render import solve_formats
    from costcalc.spec.bundled import DEFAULT_SPEC
    from costcalc.symbolic import closed_form

    budget = Budget(max_mult_adds, max_params)
    if not budget:
        raise click.UsageError("give a budget: --max-mult-adds and/or --max-params")
    if vary == "alpha" and alpha is not None:
        raise click.UsageError("--alpha is what --vary alpha solves for; fix the resolution with --resolution or --rho")
    if vary == "both" and (alpha is not None or rho is not None):
        raise click.UsageError("--vary both solves for alpha at each resolution of --resolution (a list or range); "
                               "it takes no --alpha or --rho")
    if vary == "resolution" and (resolution is not None or rho is not None):
        raise click.UsageError("--vary resolution solves for the resolution; fix the width with --alpha")
    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    network = _load_network(spec)
    height = network.spec.input.height
    compiled = CompiledCost(network, CONVENTIONS[convention])
    closed = closed_form(network, CONVENTIONS[convention])
    try:
        if vary == "resolution":
            pixels = _one(step or "1", parse_resolution, "--step")
            fixed_alpha = alpha or Fraction(1)
            found = solve.largest_resolution(compiled, fixed_alpha, budget, pixels)
            solutions = [found._replace(ideal=solve.ideal_rho(closed, fixed_alpha, budget))]
            step_text = f"{pixels} px"
        else:
            alpha_step = _one(step or "0.01", parse_multiplier, "--step")
            step_text = format_fraction(alpha_step)
            if vary == "alpha":
                fixed_rho = rho or (Fraction(_one(resolution, parse_resolution, "--resolution"), height)
                                    if resolution else Fraction(1))
                found = solve.largest_alpha(compiled, fixed_rho, budget, alpha_step)
                solutions = [found._replace(ideal=solve.ideal_alpha(closed, fixed_rho, budget))]
            else:
                default = f"96:{height}:16,{height}" if height >= 96 else str(height)
                pixels_list = _values(resolution or default, parse_resolution, "--resolution")
                solutions = [found._replace(ideal=solve.ideal_alpha(closed, found.rho, budget))
                             for found in solve.frontier(compiled, budget, alpha_step, pixels_list)]
                if not solutions:
                    raise solve.Unreachable("no (alpha, resolution) pair on the grid meets the budget")
    except solve.Unreachable as error:
        click.echo(f"costcalc: {network.spec.name}: {error}", err=True)
        sys.exit(EXIT_BUDGET)
    if output_format == "json":
        click.echo(solve_formats.to_json(solutions, vary, budget, spec or DEFAULT_SPEC, network.spec.name, convention,
                                         height))
    else:
        click.echo(solve_formats.to_text(solutions, vary, budget, network.spec.name, height, step_text), nl=False)


@main.command("compare")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC_A [SPEC_B ...]")
@click.option("--alpha", "alphas", default="1", show_default=True,
              help="Width multiplier of every spec (0.75), or one per spec in order (0.75,1: the paper's Table 5).")
@click.option("--rho", type=MULTIPLIER, default=None, help="Resolution multiplier of every spec: 192/224.")
@click.option("--resolution", type=click.IntRange(min=1), default=None,
              help="Input resolution in pixels of every spec (rho = N / each spec's input size).")
@click.option("--vs-standard", is_flag=True,
              help="Compare SPEC with its twin that has one standard convolution for each depthwise-separable "
                   "pair (the paper's Table 4).")
@_convention_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@_output_option
@_guarded
def compare_command(specs: tuple[str, ...], alphas: str, rho: Fraction | None, resolution: int | None,
                    vs_standard: bool, convention: str, output_format: str, output: str | None) -> None:
    """Compare the Mult-Adds and params of two or more specs, the first being the baseline: totals with
    their ratios (8.56x), and the differences by kind and by stage (output map size)."""
    from costcalc.analysis.compare import compare, standard_twin_evaluation
    from costcalc.conventions import CONVENTIONS
    from costcalc.evaluate import evaluate, rho_for_resolution
    from costcalc.multipliers import parse_multiplier

    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    if vs_standard and len(specs) != 1:
        raise click.UsageError("--vs-standard compares one SPEC with its standard-convolution twin")
    if not vs_standard and len(specs) < 2:
        raise click.UsageError("give two or more specs to compare, or one with --vs-standard")
    alpha_values = [_one(text, parse_multiplier, "--alpha") for text in alphas.split(",")]
    if len(alpha_values) == 1:
        alpha_values *= len(specs)
    elif len(alpha_values) != len(specs):
        raise click.BadParameter(f"give one width multiplier for every spec, or one for each of the {len(specs)} "
                                 f"specs; got {len(alpha_values)}", param_hint="'--alpha'")
    evaluations = []
    for name, alpha in zip(specs, alpha_values):
        network = _load_network(name)
        spec_rho = rho_for_resolution(network.spec, resolution) if resolution is not None else rho or Fraction(1)
        evaluations.append(evaluate(network, alpha, spec_rho, CONVENTIONS[convention]))
    names = list(specs)
    if vs_standard:
        evaluations.append(standard_twin_evaluation(evaluations[0]))
        names.append(specs[0])
    comparison = compare(evaluations)
    if output_format == "json":
        from costcalc.render.compare_formats import to_json

        _emit(to_json(comparison, names), output)
    elif output_format == "csv":
        from costcalc.render.compare_formats import to_csv

        _emit(to_csv(comparison, names), output)
    elif output_format == "markdown":
        from costcalc.render.compare_formats import to_markdown

        _emit(to_markdown(comparison), output)
    else:
        from costcalc.render.compare_table import render

        _show_rich(lambda width: render(comparison, width), output_format, output,
                   f"costcalc compare {' '.join(specs)}")


CHECK_FORMATS = ("text", "json", "markdown", "github")


@main.command("check")
@click.argument("specs", nargs=-1, metavar="[SPEC ...]")
@_budget_options
@click.option("--alpha", "alphas", default=None, help="Width multiplier(s) to check: 1 or 1,0.75.")
@click.option("--resolution", "resolutions", default=None, help="Input resolution(s) in pixels: 224 or 224,192.")
@click.option("--convention", type=click.Choice(["paper", "torchvision"]), default=None,
              help="What is counted (default: each check's own, else paper).")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="The budgets file [default: ./costcalc.yaml, else [tool.costcalc] in ./pyproject.toml].")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="A baseline JSON (costcalc snapshot, or report --format json) to compare growth against.")
@click.option("--max-increase", default=None, help="Growth allowed against the baseline: 1% (a number is a percentage).")
@click.option("--min-delta", type=COUNT, default=None, help="Ignore changes smaller than this count.")
@click.option("--report-only", is_flag=True, help="Report, but exit 0 even when a budget is exceeded.")
@click.option("--format", "output_format", type=click.Choice(CHECK_FORMATS), default="text", show_default=True)
@_guarded
def check_command(specs: tuple[str, ...], max_mult_adds: int | None, max_params: int | None, alphas: str | None,
                  resolutions: str | None, convention: str | None, config: str | None, baseline: str | None,
                  max_increase: str | None, min_delta: int | None, report_only: bool, output_format: str) -> None:
    """Fail (exit 1) when a network exceeds its Mult-Adds or params budget, or grew past a baseline by more
    than --max-increase. Budgets come from the options, or from a budgets file (costcalc.yaml)."""
    from costcalc.analysis.check import check_evaluation
    from costcalc.budget.baseline import load_baseline
    from costcalc.budget.config import BudgetError, Configuration, find_config, load_config, parse_percent
    from costcalc.evaluate import evaluate, rho_for_resolution
    from costcalc.conventions import CONVENTIONS
    from costcalc.multipliers import parse_multiplier
    from costcalc.quantities import parse_resolution
    from costcalc.render import check_formats

    growth = _one(max_increase, parse_percent, "--max-increase") if max_increase is not None else None
    alpha_values = _values(alphas, parse_multiplier, "--alpha") if alphas else None
    resolution_values = _values(resolutions, parse_resolution, "--resolution") if resolutions else None
    flag_limits = {"mult_adds": max_mult_adds, "params": max_params}
    config_path = config or (None if specs else find_config())
    if config is not None and not os.path.exists(config):
        raise BudgetError(Diagnostic(Location(config), "no such budgets file"))
    if config_path:
        budgets = load_config(config_path)
        checks = [check for check in budgets.checks if not specs or check.label in specs]
        if specs and not checks:
            raise click.UsageError(f"no check of {config_path} is for {', '.join(specs)}")
        baseline = baseline or budgets.baseline
    else:
        checks = [_command_line_check(name, flag_limits, growth, convention) for name in specs or (None,)]
    configurations_override = None
    if alpha_values or resolution_values:
        configurations_override = tuple(Configuration(alpha, resolution) for alpha in alpha_values or [Fraction(1)]
                                        for resolution in resolution_values or [None])
    baselines = load_baseline(baseline) if baseline else []
    results = []
    for check in checks:
        limits = {metric: flag_limits[metric] if flag_limits[metric] is not None else limit
                  for metric, limit in check.limits.items()}
        check = check._replace(limits=limits, convention=convention or check.convention,
                               configurations=configurations_override or check.configurations)
        network = _load_network(check.spec)
        for configuration in check.configurations:
            rho = (rho_for_resolution(network.spec, configuration.resolution)
                   if configuration.resolution is not None else Fraction(1))
            evaluation = evaluate(network, configuration.alpha, rho, CONVENTIONS[check.convention])
            results += check_evaluation(check, evaluation, baselines, growth, min_delta)
    if not results:
        raise click.UsageError("nothing to check: give --max-mult-adds/--max-params, or --baseline with "
                               "--max-increase, or budgets in costcalc.yaml")
    if output_format == "json":
        click.echo(check_formats.to_json(results))
    elif output_format == "markdown":
        click.echo(check_formats.to_markdown(results), nl=False)
    else:
        click.echo(check_formats.to_text(results) if output_format == "text" else check_formats.to_github(results),
                   nl=False)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if output_format == "github" and summary:
            with open(summary, "a", encoding="utf-8") as handle:  # the runner's file: appended to, as GitHub asks
                handle.write(check_formats.to_markdown(results))
    if not report_only and not all(result.ok for result in results):
        sys.exit(EXIT_BUDGET)


def _command_line_check(name: str | None, limits: dict[str, int | None], growth: Fraction | None,
                        convention: str | None) -> Any:
    """A check made of the command line's options, pointing at the spec for annotations."""
    from costcalc.budget.config import CheckSpec, Configuration
    from costcalc.spec.bundled import DEFAULT_SPEC

    label = name or DEFAULT_SPEC
    where = Location(_spec_path(label), 1, 1)
    return CheckSpec(spec=label, label=label, configurations=(Configuration(Fraction(1), None),),
                     convention=convention or "paper", limits=dict(limits), max_increase=growth, min_delta=0,
                     message="", location=where, limit_at={"mult_adds": where, "params": where})


@main.command("snapshot")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="The budgets file [default: ./costcalc.yaml, else [tool.costcalc] in ./pyproject.toml].")
@_output_option
@_guarded
def snapshot_command(config: str | None, output: str | None) -> None:
    """Write the baseline of every check and configuration of the budgets file (atomically), for
    `costcalc check --baseline` to compare growth against. Default file: the budgets file's `baseline`."""
    from costcalc.analysis.report import build_report
    from costcalc.budget.baseline import bundle
    from costcalc.budget.config import BudgetError, find_config, load_config
    from costcalc.conventions import CONVENTIONS
    from costcalc.evaluate import evaluate, rho_for_resolution
    from costcalc.render.json_report import to_data

    path = config or find_config()
    if path is None:
        raise click.UsageError("no budgets file: write costcalc.yaml, or give --config")
    if not os.path.exists(path):
        raise BudgetError(Diagnostic(Location(path), "no such budgets file"))
    budgets = load_config(path)
    target = output or budgets.baseline
    if target is None:
        raise click.UsageError(f"where to? give -o FILE, or a 'baseline' file in {path}")
    reports = []
    for check in budgets.checks:
        network = _load_network(check.spec)
        for configuration in check.configurations:
            rho = (rho_for_resolution(network.spec, configuration.resolution)
                   if configuration.resolution is not None else Fraction(1))
            evaluation = evaluate(network, configuration.alpha, rho, CONVENTIONS[check.convention])
            reports.append(to_data(build_report(evaluation), check.label))
    _emit(bundle(reports), target)
    click.echo(f"wrote {target}: {fmt_plural(len(reports), 'report')}", err=True)


def fmt_plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@main.command("formula")
@click.option("--format", "output_format", type=click.Choice(["text", "latex", "json"]), default="text",
              show_default=True)
@_guarded
def formula_command(output_format: str) -> None:
    """The cost formula of each layer kind and the ratio of depthwise-separable to standard convolution
    (1/N + 1/D_K²), derived by sympy from the same code that counts, plain and with alpha and rho."""
    from costcalc.render import formula
    from costcalc.symbolic import derive

    derivation = derive()
    render = {"text": formula.to_text, "latex": formula.to_latex, "json": formula.to_json}[output_format]
    click.echo(render(derivation))


@main.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def list_command(output_format: str) -> None:
    """The bundled specs, usable by name: `costcalc report mobilenet_v1_conv`."""
    from costcalc.spec import load_spec
    from costcalc.spec.bundled import bundled_specs

    specs = {name: load_spec(str(path)) for name, path in bundled_specs().items()}
    if output_format == "json":
        import json

        click.echo(json.dumps([{"name": name, "description": spec.description, "path": spec.path}
                               for name, spec in specs.items()], indent=2))
        return
    width = max((len(name) for name in specs), default=0)
    for name, spec in specs.items():
        click.echo(f"{name:<{width}}  {spec.description}")
