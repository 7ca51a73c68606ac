"""The options the commands share, declared once as bundles (click decorators), and the readers that turn
their text into exact values (costcalc.quantities, the one parser of numbers) with errors naming the option.

- ``point_options``: ``--alpha``, ``--depth-multiplier``, ``--rho``, ``--resolution``, ``--width-rule`` (one design
  point; ``design_point`` reads them; a variant's own values are the defaults);
- ``counting_options``: ``--convention``, ``--unit``;
- ``device_options``: ``--dtype``, ``--device``;
- ``budget_options``: ``--max-mult-adds``, ``--max-params``; ``resource_limit_options``: ``--max-latency``,
  ``--max-peak-memory``;
- ``format_option``: ``--format`` (and ``-o``), whose value names the renderer (costcalc.cli.output.show).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
DTYPES = ("fp32", "fp16", "bf16", "int8")  # costcalc.devices.DTYPES, without importing it at start-up
CONVENTION_NAMES = ("paper", "torchvision", "fvcore", "ptflops", "thop", "torchinfo", "keras")  # conventions.builtin
WIDTH_RULES = ("truncate", "torchvision", "tfslim", "round_filters", "none")  # layers.width.PRESETS, not imported here
TABLE_FORMATS = ("table", "json", "csv", "markdown", "svg", "html")


class Parsed(click.ParamType):  # type: ignore[type-arg]  # generic only in the newer clicks it accepts
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


# 0.75, 3/4, 192/224 -> an exact Fraction; 300M, 4.2e6, 1.5G -> an exact int; 192 -> pixels, at most 2^53 - 1
MULTIPLIER = Parsed("NUMBER", "costcalc.quantities", "parse_multiplier")
COUNT = Parsed("COUNT", "costcalc.quantities", "parse_count")
RESOLUTION = Parsed("PIXELS", "costcalc.quantities", "parse_resolution")
WHOLE = Parsed("INTEGER", "costcalc.quantities", "parse_whole")  # 0 to 2^53 - 1


class Choice(click.Choice):  # type: ignore[type-arg]  # generic only in the newer clicks it accepts
    """click's Choice, with a suggestion for a misspelt value: ``--convention torchvison`` ... (did you mean
    'torchvision'?)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            from costcalc.errors import did_you_mean

            hint = did_you_mean(value, self.choices) if isinstance(value, str) else ""
            if not hint:
                raise
            raise click.BadParameter(error.message.rstrip(".") + hint + ".", ctx, param) from None


def _apply(command: F, *decorators: Callable[[F], F]) -> F:
    """The decorators in the order they are listed (the options show in --help in that order)."""
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def point_options(alpha_help: str = "Width multiplier: 0.75 or 3/4. Scales every channel count the spec does "
                  "not mark fixed.") -> Callable[[F], F]:
    """``--alpha``, ``--depth-multiplier`` (default: the variant's, else 1), ``--rho`` and ``--resolution`` (one of
    the two), and ``--width-rule``: a design point."""
    def bundle(command: F) -> F:
        return _apply(
            command,
            click.option("--alpha", type=MULTIPLIER, default=None, help=alpha_help + " [default: 1, or the variant's]"),
            depth_multiplier_option(),
            click.option("--rho", type=MULTIPLIER, default=None, help="Resolution multiplier: 0.857 or 192/224."),
            click.option("--resolution", type=RESOLUTION, default=None,
                         help="Input resolution in pixels (sets rho = N / the spec's input size)."),
            width_rule_option(),
        )
    return bundle


def depth_multiplier_option(help_text: str = "Depth multiplier d: 1.8 or 9/5. Scales the repeat counts the spec "
                            "writes round_repeats(n). [default: 1, or the variant's]") -> Callable[[F], F]:
    return click.option("--depth-multiplier", type=MULTIPLIER, default=None, help=help_text)


def width_rule_option() -> Callable[[F], F]:
    return click.option("--width-rule", type=Choice(list(WIDTH_RULES)), default=None,
                        help="How alpha·n becomes whole channels, instead of the spec's: truncate (the paper), "
                             "torchvision, tfslim (and Keras), round_filters (EfficientNet), none.")


def design_point(network: Any, alpha: Fraction | None, rho: Fraction | None,
                 resolution: int | None) -> tuple[Fraction, Fraction]:
    """(alpha, rho) of ``point_options``: ``--resolution 192`` on a 224 spec is rho = 192/224; what is not given
    is the spec's variant's (``efficientnet_b4``: alpha 1.4 at 380 px), else alpha 1 at the spec's size."""
    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    from costcalc.spec.loading import variant_point

    return variant_point(network.spec, alpha, rho, resolution)


def counting_options(default: str | None = "paper", required: bool = False,
                     convention_help: str | None = None) -> Callable[[F], F]:
    """``--convention NAME|FILE`` and ``--unit``; ``read_convention`` reads them."""
    def bundle(command: F) -> F:
        return _apply(
            command,
            click.option("--convention", metavar="NAME|FILE", default=default, required=required,
                         show_default=default is not None,
                         help=convention_help or f"What counts as a Mult-Add and as a parameter: {', '.join(CONVENTION_NAMES)}, "
                                      "or a convention file (docs/conventions.md)."),
            click.option("--unit", type=Choice(["mult-adds", "flops"]), default="mult-adds", show_default=True,
                         help="mult-adds, or flops: 2 per multiply-accumulate, 1 per other operation."),
        )
    return bundle


def read_convention(text: str, unit: str) -> Any:
    """A built-in convention, or a convention file (reported like a bad spec when it is one), in ``unit``."""
    from costcalc.conventions.files import resolve_convention

    return resolve_convention(text, unit)


def device_options(dtype_help: str = "Data type of activations and weights, for memory and latency.",
                   device_help: str = "A device profile, for latency (costcalc list --devices, or a YAML file)."
                   ) -> Callable[[F], F]:
    """``--dtype`` and ``--device NAME|FILE``; ``read_device`` reads the latter."""
    def bundle(command: F) -> F:
        return _apply(
            command,
            click.option("--dtype", type=Choice(list(DTYPES)), default="fp32", show_default=True, help=dtype_help),
            click.option("--device", metavar="NAME|FILE", default=None, help=device_help),
        )
    return bundle


def read_device(text: str | None) -> Any:
    """The device profile of ``--device``, or None."""
    if text is None:
        return None
    from costcalc.devices.profiles import resolve_device

    return resolve_device(text)


def budget_options(command: F) -> F:
    """``--max-mult-adds`` and ``--max-params``."""
    return _apply(
        command,
        click.option("--max-mult-adds", type=COUNT, default=None, help="Mult-Adds budget: 300M, 3e8, 1.5G."),
        click.option("--max-params", type=COUNT, default=None, help="Parameter budget: 4.2M, 4200000."),
    )


def resource_limit_options(command: F) -> F:
    """``--max-latency`` (on ``--device``) and ``--max-peak-memory`` (docs/latency.md)."""
    return _apply(
        command,
        click.option("--max-latency", default=None, help="Latency budget on --device: 20ms, 1.5s (a roofline estimate)."),
        click.option("--max-peak-memory", default=None, help="Peak activation memory budget: 4MB, 512kB, 4MiB."),
    )


def resource_limits(max_latency: str | None, max_peak_memory: str | None) -> tuple[Fraction | None, int | None]:
    """(latency limit in seconds, peak memory limit in bytes) of ``resource_limit_options``."""
    from costcalc.quantities import parse_duration, parse_size

    latency = one_option(max_latency, parse_duration, "--max-latency") if max_latency is not None else None
    peak = one_option(max_peak_memory, parse_size, "--max-peak-memory") if max_peak_memory is not None else None
    return latency, peak


def format_option(formats: tuple[str, ...] = TABLE_FORMATS, default: str = "table",
                  output: bool = True) -> Callable[[F], F]:
    """``--format`` (its value names the renderer) and, unless ``output`` is False, ``-o FILE``."""
    def bundle(command: F) -> F:
        options = [click.option("--format", "output_format", type=Choice(list(formats)), default=default,
                                show_default=True)]
        if output:
            options.append(click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                                        default=None, help="Write to this file (atomically) instead of stdout."))
        return _apply(command, *options)
    return bundle


def values_option(text: str, parse_one: Callable[[str], Any], option: str) -> list[Any]:
    """A list or range option, its errors naming the option."""
    from costcalc.quantities import parse_values

    try:
        return parse_values(text, parse_one)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def one_option(text: str, parse_one: Callable[[str], Any], option: str) -> Any:
    try:
        return parse_one(text)
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
