"""``report``, ``explain``, ``formula`` and ``list``: one network, two conventions, the formulas, the bundled specs
and devices."""

from __future__ import annotations

from fractions import Fraction

import click

from costcalc.cli.app import guarded, main
from costcalc.cli.options import (
    WHOLE,
    Choice,
    counting_options,
    design_point,
    device_options,
    format_option,
    point_options,
    read_convention,
)
from costcalc.cli.layer_view import layer_view_options, read_layer_view
from costcalc.cli.output import show


@main.command("report")
@click.argument("spec", required=False, metavar="[SPEC]")
@point_options()
@counting_options()
@format_option()
@click.option("--symbolic", is_flag=True,
              help="Also give the totals as a closed form in alpha and rho, and d for a spec that scales depth "
                   "(ideal, no rounding).")
@click.option("--all-layers", is_flag=True, help="Table and Markdown: also list layers without cost (BN, ReLU).")
@device_options(device_help="Add a roofline latency estimate on a device profile (costcalc list --devices, or a "
                            "YAML file).")
@click.option("--depth", type=WHOLE, default=None,
              help="Table: levels of blocks to open (0: totals only, 1: top-level layers and blocks; "
                   "default: all).")
@layer_view_options
@guarded
def report_command(spec: str | None, alpha: Fraction | None, depth_multiplier: Fraction | None, rho: Fraction | None,
                   resolution: int | None, width_rule: str | None, convention: str, unit: str, output_format: str,
                   output: str | None, symbolic: bool, all_layers: bool, dtype: str, device: str | None,
                   depth: int | None, batch: int, columns: str | None, sort: str | None, top: int | None) -> None:
    """Per-layer and total Mult-Adds and parameters of SPEC (a YAML file or a bundled spec's name;
    default: mobilenet_v1)."""
    from costcalc.api import load

    layer_view = read_layer_view(batch, columns, sort, top, symbolic, depth)
    model = load(spec, width_rule)
    network = model.network(depth_multiplier)
    design_point(network, alpha, rho, resolution)  # --rho and --resolution: a usage error naming both
    report = model.report(alpha, rho, resolution, depth_multiplier, convention=convention, unit=unit, dtype=dtype,
                          device=device, symbolic=symbolic, depth=depth, all_layers=all_layers, batch=batch)
    show("report", report.analysis, report.view._replace(**layer_view), output_format, output,
         f"costcalc report {network.spec.name}")


@main.command("explain")
@click.argument("spec", required=False, metavar="[SPEC]")
@counting_options(default=None, required=True, convention_help="The convention to explain (fvcore, ptflops, thop, "
                  "torchinfo, ..., or a convention file).")
@click.option("--vs", "versus", metavar="NAME|FILE", default="paper", show_default=True,
              help="The convention to compare it with.")
@point_options(alpha_help="Width multiplier: 0.75 or 3/4.")
@click.option("--layers", "layers_shown", type=WHOLE, default=10, show_default=True,
              help="Text: how many of the layers that differ most to list.")
@format_option(("text", "markdown", "json"), default="text")
@guarded
def explain_command(spec: str | None, convention: str, unit: str, versus: str, alpha: Fraction | None,
                    depth_multiplier: Fraction | None, rho: Fraction | None, resolution: int | None,
                    width_rule: str | None, layers_shown: int, output_format: str, output: str | None) -> None:
    """Why two conventions count SPEC differently (default: mobilenet_v1): the difference of their totals
    split by what each counts, by layer kind and by layer; every split adds up to the difference."""
    from costcalc.analysis.explain import explain
    from costcalc.engine.exact import evaluate
    from costcalc.render.view import View
    from costcalc.source.bundled import DEFAULT_SPEC
    from costcalc.spec.loading import load_network

    first, second = read_convention(convention, unit), read_convention(versus, unit)
    network = load_network(spec, depth_multiplier, width_rule)
    point = design_point(network, alpha, rho, resolution)
    explanation = explain(evaluate(network, *point, first), evaluate(network, *point, second))
    show("explain", explanation, View(specs=(spec or DEFAULT_SPEC,), layers_shown=layers_shown), output_format,
         output)


@main.command("formula")
@format_option(("text", "latex", "json"), default="text", output=False)
@guarded
def formula_command(output_format: str) -> None:
    """The cost formula of each layer kind and the ratio of depthwise-separable to standard convolution
    (1/N + 1/D_K²), derived by sympy from the same code that counts, plain and with alpha and rho."""
    from costcalc.engine.symbolic import derive
    from costcalc.render.view import View

    show("formula", derive(), View(), output_format)


@main.command("list")
@click.option("--devices", is_flag=True, help="List the bundled device profiles (report --device NAME) instead.")
@click.option("--format", "output_format", type=Choice(["text", "json"]), default="text", show_default=True)
@guarded
def list_command(devices: bool, output_format: str) -> None:
    """The bundled specs, usable by name: `costcalc report mobilenet_v1_conv`, a family by its variants
    (`costcalc report efficientnet_b4`); or, with --devices, the device profiles for the roofline latency
    estimate."""
    from costcalc.render.sinks.json_text import dumps
    from costcalc.render.sinks.terminal import visible
    from costcalc.source.bundled import bundled_files
    from costcalc.spec import load_spec

    if devices:
        from costcalc.devices.profiles import bundled_devices, load_device

        profiles = {name: load_device(path) for name, path in bundled_devices().items()}
        if output_format == "json":
            click.echo(dumps([{"name": name, "description": device.description, "source": device.source,
                               "peak_mult_adds_per_s": device.peak_mult_adds_per_s,
                               "bandwidth_bytes_per_s": device.bandwidth_bytes_per_s}
                              for name, device in profiles.items()]))
            return
        width = max((len(visible(name)) for name in profiles), default=0)
        for name, device in profiles.items():
            click.echo(f"{visible(name):<{width}}  {visible(device.description)}")
        return
    entries: list[tuple[str, str, str, str | None]] = []  # (name, description, path, the family it is a variant of)
    for stem, path in bundled_files().items():
        spec = load_spec(path)
        if not spec.variants:
            entries.append((stem, spec.description, path, None))
        for name, variant in spec.variants.items():  # a family is listed as its variants
            entries.append((name, variant.description or spec.description, path, stem))
    entries.sort()
    if output_format == "json":
        click.echo(dumps([{"name": name, "description": description, "path": path,
                           **({"variant_of": family} if family else {})}
                          for name, description, path, family in entries]))
        return
    width = max((len(visible(name)) for name, *_rest in entries), default=0)
    for name, description, _path, _family in entries:
        click.echo(f"{visible(name):<{width}}  {visible(description)}")
