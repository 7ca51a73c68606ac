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

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
FORMATS = ("table", "json", "csv", "markdown")


class Multiplier(click.ParamType):
    """A width or resolution multiplier: ``0.75``, ``3/4``, ``192/224`` -> exact Fraction."""

    name = "NUMBER"

    def convert(self, value: Any, param: Any, ctx: Any) -> Fraction:
        if isinstance(value, Fraction):
            return value
        from costcalc.multipliers import parse_multiplier

        try:
            return parse_multiplier(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


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


@main.command("report")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("--alpha", type=Multiplier(), default="1", show_default=True,
              help="Width multiplier: 0.75 or 3/4. Scales every channel count the spec does not mark fixed.")
@click.option("--rho", type=Multiplier(), default=None, help="Resolution multiplier: 0.857 or 192/224.")
@click.option("--resolution", type=click.IntRange(min=1), default=None,
              help="Input resolution in pixels (sets rho = N / the spec's input size).")
@click.option("--convention", type=click.Choice(["paper", "torchvision"]), default="paper", show_default=True,
              help="What counts as a Mult-Add and as a parameter (docs/conventions.md).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--symbolic", is_flag=True,
              help="Also give the totals as a closed form in alpha and rho (ideal, no rounding).")
@click.option("--all-layers", is_flag=True, help="Table and Markdown: also list layers without cost (BN, ReLU).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file (atomically) instead of stdout.")
@_guarded
def report_command(spec: str | None, alpha: Fraction, rho: Fraction | None, resolution: int | None,
                   convention: str, output_format: str, symbolic: bool, all_layers: bool, output: str | None) -> None:
    """Per-layer and total Mult-Adds and parameters of SPEC (a YAML file or a bundled spec's name;
    default: mobilenet_v1)."""
    from costcalc.analysis.report import build_report
    from costcalc.conventions import CONVENTIONS
    from costcalc.evaluate import evaluate, rho_for_resolution
    from costcalc.spec import load_spec
    from costcalc.spec.bundled import DEFAULT_SPEC

    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    parsed = load_spec(_spec_path(spec))
    if resolution is not None:
        rho = rho_for_resolution(parsed, resolution)
    evaluation = evaluate(parsed, alpha, rho or Fraction(1), CONVENTIONS[convention])
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
        _print_table(report, all_layers, output)


def _print_table(report: Any, all_layers: bool, output: str | None) -> None:
    from rich.console import Console

    from costcalc.render.table import render

    if output:
        import io

        console = Console(file=io.StringIO(), width=132, color_system=None, highlight=False)
        console.print(render(report, all_layers, 132))
        rendered = console.file.getvalue()  # type: ignore[attr-defined]
        _emit("\n".join(line.rstrip() for line in rendered.splitlines()) + "\n", output)
        return
    width = _console_width()
    Console(width=width, highlight=False).print(render(report, all_layers, width))


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
