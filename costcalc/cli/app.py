"""The command-line application: the click group, the options and helpers its commands share, and the
translation of errors into exit codes (0 ok, 1 a budget is not met, 2 bad usage or bad input, 3 a bug;
141 when stdout's reader is gone, 130/143 on SIGINT/SIGTERM: docs/errors.md, "Exit codes").

Each command lives in a module of this package by what it is for; imports inside the commands are lazy,
so ``report --format json`` never loads rich or sympy.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

import click

EXIT_BUDGET = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a program stopped by it: never 1, "over budget"
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


# costcalc.quantities, the one parser of numbers (digits and exponents bounded before any conversion):
# 0.75, 3/4, 192/224 -> an exact Fraction; 300M, 4.2e6, 1.5G -> an exact int; 192 -> pixels, at most 2^53 - 1
MULTIPLIER = Parsed("NUMBER", "costcalc.quantities", "parse_multiplier")
COUNT = Parsed("COUNT", "costcalc.quantities", "parse_count")
RESOLUTION = Parsed("PIXELS", "costcalc.quantities", "parse_resolution")
WHOLE = Parsed("INTEGER", "costcalc.quantities", "parse_whole")  # 0 to 2^53 - 1


def guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Bad input -> its diagnostics on stderr and exit 2; warnings -> stderr as they come; stdout closed by its
    reader -> a quiet exit 141; anything else is a bug -> exit 3."""
    import functools

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        import warnings

        from costcalc.errors import CostcalcError, CostcalcWarning

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", CostcalcWarning)
                warnings.showwarning = _show_warning(warnings.showwarning)
                command(*args, **kwargs)
        except CostcalcError as error:
            from costcalc.render.sinks.github import plain

            for diagnostic in error.diagnostics:  # made printable (terminal sink); plain: the runner reads stderr
                click.echo(plain(str(diagnostic)), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:
            broken_pipe()
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: say so, briefly, unless --debug
            if click.get_current_context().find_root().params.get("debug"):
                raise
            from costcalc.render.sinks.terminal import visible

            click.echo(f"costcalc: internal error: {type(error).__name__}: {visible(str(error))}", err=True)
            click.echo("This is a bug in costcalc, not in your input. Please report it on the costcalc issue tracker "
                       "with the command line and the spec (run again with --debug for the traceback).", err=True)
            sys.exit(EXIT_INTERNAL)

    return run


def _show_warning(fallback: Callable[..., None]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints costcalc's warnings as ``PLACE: warning[W100]: ...``, each once."""
    from costcalc.errors import CostcalcWarning

    shown: set[str] = set()

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not isinstance(message, CostcalcWarning):
            fallback(message, category, *args, **kwargs)
            return
        text = str(message.diagnostic)
        if text not in shown:
            shown.add(text)
            click.echo(text, err=True)

    return show


def broken_pipe() -> None:
    """Stdout's reader is gone (``costcalc report | head -1``): exit quietly with 141, as a program stopped by
    SIGPIPE would, with stdout pointed at /dev/null so that Python's last flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (a test's runner)
        pass
    sys.exit(EXIT_BROKEN_PIPE)


def emit(text: str, output: str | None) -> None:
    if output:
        from costcalc.cli.output import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def console_width() -> int:
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


def run() -> None:
    """The ``costcalc`` command: ``main``, with SIGTERM (a CI job cancelled, a ``kill``) and Ctrl-C turned into
    a clean exit (status 128 + the signal: 143, 130; not click's 1, which is costcalc's "over budget"), so
    that a file being written is left as it was and its temporary file is removed. SIGKILL cannot be caught:
    then the temporary file stays, and the previous file is intact."""
    import signal

    def stop(signum: int, _frame: Any) -> None:
        sys.stderr.write("costcalc: interrupted\n")
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from click.utils import PacifyFlushWrapper

    try:
        main(prog_name="costcalc")
    except BrokenPipeError:
        broken_pipe()
    except SystemExit as stopped:
        # click turns a broken pipe outside the commands (--help, --version) into exit 1, "over budget"
        if stopped.code == 1 and isinstance(sys.stdout, PacifyFlushWrapper):
            broken_pipe()
        raise


class Choice(click.Choice):
    """click's Choice, with a suggestion for a misspelt value: ``--convention torchvison`` ... (did you mean
    'torchvision'?)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            from costcalc.errors import did_you_mean

            hint = did_you_mean(value, self.choices) if isinstance(value, str) else ""
            if hint:
                error.message = error.message.rstrip(".") + hint + "."
            raise


CONVENTION_NAMES = ("paper", "torchvision", "fvcore", "ptflops", "thop", "torchinfo", "keras")  # costcalc.conventions


def convention_option(command: Callable[..., None], default: str | None = "paper") -> Callable[..., None]:
    """``--convention NAME|FILE`` and ``--unit``; a command turns them into a Convention with
    ``costcalc.conventions.files.resolve_convention`` (so that a bad file is reported like a bad spec)."""
    command = click.option("--unit", type=Choice(["mult-adds", "flops"]), default="mult-adds", show_default=True,
                           help="mult-adds, or flops: 2 per multiply-accumulate, 1 per other operation.")(command)
    return click.option("--convention", metavar="NAME|FILE", default=default, show_default=default is not None,
                        help=f"What counts as a Mult-Add and as a parameter: {', '.join(CONVENTION_NAMES)}, or a "
                             "convention file (docs/conventions.md).")(command)


def output_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
                        help="Write to this file (atomically) instead of stdout.")(command)


def budget_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option("--max-params", type=COUNT, default=None,
                           help="Parameter budget: 4.2M, 4200000.")(command)
    return click.option("--max-mult-adds", type=COUNT, default=None,
                        help="Mult-Adds budget: 300M, 3e8, 1.5G.")(command)


def resource_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--max-latency``, ``--max-peak-memory``, ``--device`` and ``--dtype`` (docs/latency.md)."""
    command = click.option("--dtype", type=Choice(["fp32", "fp16", "bf16", "int8"]), default="fp32",
                           show_default=True, help="Data type of activations and weights, for memory and latency.")(command)
    command = click.option("--device", metavar="NAME|FILE", default=None,
                           help="A device profile, for latency (costcalc list --devices, or a YAML file).")(command)
    command = click.option("--max-peak-memory", default=None,
                           help="Peak activation memory budget: 4MB, 512kB, 4MiB.")(command)
    return click.option("--max-latency", default=None,
                        help="Latency budget on --device: 20ms, 1.5s (a roofline estimate).")(command)


def resources(max_latency: str | None, max_peak_memory: str | None, device: str | None,
              needs_device: bool = False) -> tuple[Any, Any, Any]:
    """(latency limit in seconds, peak memory limit in bytes, device profile) from the options."""
    from costcalc.quantities import parse_duration, parse_size

    latency = one_option(max_latency, parse_duration, "--max-latency") if max_latency is not None else None
    peak = one_option(max_peak_memory, parse_size, "--max-peak-memory") if max_peak_memory is not None else None
    if (latency is not None or needs_device) and device is None:
        raise click.UsageError("a latency is estimated on a device: give --device NAME|FILE (costcalc list --devices)")
    profile = None
    if device is not None:
        from costcalc.devices.profiles import resolve_device

        profile = resolve_device(device)
    return latency, peak, profile


def show_rich(make: Callable[[int], Any], output_format: str, output: str | None, title: str) -> None:
    """Print a rich renderable (``make(width)``) to the terminal, or export it as text, SVG or HTML.

    The renderers make every name from a file a ``Text`` through the terminal sink, so rich reads no markup
    from it and it holds no control character; rich escapes the text of SVG and HTML, and the markup sink
    writes visibly any character XML does not allow (``costcalc.render.sinks``)."""
    from rich.console import Console

    from costcalc.render.sinks.markup import document
    from costcalc.render.sinks.terminal import visible

    if output_format == "table" and not output:
        class TerminalConsole(Console):
            def on_broken_pipe(self) -> None:  # rich's own exits 1, costcalc's "over budget"
                broken_pipe()

        width = console_width()
        TerminalConsole(width=width, highlight=False).print(make(width))
        return
    import io

    from costcalc.render.table import natural_width

    renderable = make(132)
    width = max(132, natural_width(renderable))  # a file has no terminal to crop a wide table to
    console = Console(file=io.StringIO(), width=width, record=True, highlight=False,
                      color_system=None if output_format == "table" else "truecolor", force_terminal=output_format != "table")
    console.print(renderable)
    if output_format == "svg":
        emit(document(console.export_svg(title=visible(title))), output)
    elif output_format == "html":
        from rich.terminal_theme import MONOKAI

        # a dark page: the heat map's colours need it
        emit(document(console.export_html(inline_styles=True, theme=MONOKAI)), output)
    else:
        rendered = console.export_text()
        emit("\n".join(line.rstrip() for line in rendered.splitlines()) + "\n", output)


def values_option(text: str, parse_one: Callable[[str], Any], option: str) -> list[Any]:
    """A list or range option, its errors naming the option."""
    from costcalc.quantities import parse_values

    try:
        return parse_values(text, parse_one)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def limit_grid(axes: list[tuple[str, str | None, int, bool]], most: int, what: str) -> None:
    """Refuse a grid of more than ``most`` points before any of them is computed: a usage error naming the
    options and, for each written as one range, the step that would fit. ``axes``: each option, its text
    (None: its default), how many values it gives, and whether they are whole pixels."""
    from costcalc.quantities import fitting_step, range_span

    points = 1
    for _option, _text, count, _whole in axes:
        points *= count
    if points <= most:
        return
    hints = []
    for option, text, count, whole in axes:
        room = most // (points // count)  # values this axis may have with the others as they are
        span = range_span(text) if text else None
        if span is not None and room >= 2:
            hints.append(f"a step of at least {fitting_step(span, room, whole)} in {option}")
    options = " x ".join(f"{count:,} ({option})" for option, _text, count, _whole in axes)
    fix = f"use {' or '.join(hints)}" if hints else f"give fewer values to {' or '.join(a[0] for a in axes)}"
    raise click.UsageError(f"{what}: {options} are {points:,} points, more than the {most:,} it computes at most; "
                           f"{fix}")


def one_option(text: str, parse_one: Callable[[str], Any], option: str) -> Any:
    try:
        return parse_one(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def load_network(spec: str | None) -> Any:
    from costcalc.source.names import spec_path
    from costcalc.spec import load_spec
    from costcalc.spec.build import build_network

    return build_network(load_spec(spec_path(spec)))
