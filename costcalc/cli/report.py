"""``report``, ``formula`` and ``list``: one network, the formulas, the bundled specs."""

from __future__ import annotations

from fractions import Fraction

import click

from costcalc.cli.app import (
    FORMATS,
    MULTIPLIER,
    RESOLUTION,
    WHOLE,
    Choice,
    convention_option,
    emit,
    guarded,
    load_network,
    main,
    output_option,
    show_rich,
)


@main.command("report")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("--alpha", type=MULTIPLIER, default="1", show_default=True,
              help="Width multiplier: 0.75 or 3/4. Scales every channel count the spec does not mark fixed.")
@click.option("--rho", type=MULTIPLIER, default=None, help="Resolution multiplier: 0.857 or 192/224.")
@click.option("--resolution", type=RESOLUTION, default=None,
              help="Input resolution in pixels (sets rho = N / the spec's input size).")
@convention_option
@click.option("--format", "output_format", type=Choice(FORMATS), default="table", show_default=True)
@click.option("--symbolic", is_flag=True,
              help="Also give the totals as a closed form in alpha and rho (ideal, no rounding).")
@click.option("--all-layers", is_flag=True, help="Table and Markdown: also list layers without cost (BN, ReLU).")
@click.option("--dtype", type=Choice(["fp32", "fp16", "bf16", "int8"]), default="fp32", show_default=True,
              help="Data type of activations and weights, for memory and latency.")
@click.option("--device", metavar="NAME|FILE", default=None,
              help="Add a roofline latency estimate on a device profile (costcalc list --devices, or a YAML file).")
@click.option("--depth", type=WHOLE, default=None,
              help="Table: levels of blocks to open (0: totals only, 1: top-level layers and blocks; "
                   "default: all).")
@output_option
@guarded
def report_command(spec: str | None, alpha: Fraction, rho: Fraction | None, resolution: int | None,
                   convention: str, unit: str, output_format: str, symbolic: bool, all_layers: bool, dtype: str,
                   device: str | None, depth: int | None, output: str | None) -> None:
    """Per-layer and total Mult-Adds and parameters of SPEC (a YAML file or a bundled spec's name;
    default: mobilenet_v1)."""
    from costcalc.analysis.report import build_report
    from costcalc.conventions.files import resolve_convention
    from costcalc.engine.exact import evaluate, rho_for_resolution
    from costcalc.source.bundled import DEFAULT_SPEC

    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    network = load_network(spec)
    if resolution is not None:
        rho = rho_for_resolution(network.spec, resolution)
    evaluation = evaluate(network, alpha, rho or Fraction(1), resolve_convention(convention, unit))
    profile = None
    if device is not None:
        from costcalc.devices.profiles import resolve_device

        profile = resolve_device(device)
    report = build_report(evaluation, symbolic=symbolic, depth=depth, dtype=dtype, device=profile)
    if output_format == "json":
        from costcalc.render.json_report import to_json

        emit(to_json(report, spec or DEFAULT_SPEC), output)
    elif output_format == "csv":
        from costcalc.render.csv_report import to_csv

        emit(to_csv(report), output)
    elif output_format == "markdown":
        from costcalc.render.markdown import to_markdown

        emit(to_markdown(report, all_layers), output)
    else:
        from costcalc.render.table import render

        show_rich(lambda width: render(report, all_layers, width), output_format, output,
                   f"costcalc report {network.spec.name}")


@main.command("formula")
@click.option("--format", "output_format", type=Choice(["text", "latex", "json"]), default="text",
              show_default=True)
@guarded
def formula_command(output_format: str) -> None:
    """The cost formula of each layer kind and the ratio of depthwise-separable to standard convolution
    (1/N + 1/D_K²), derived by sympy from the same code that counts, plain and with alpha and rho."""
    from costcalc.engine.symbolic import derive
    from costcalc.render import formula

    derivation = derive()
    render = {"text": formula.to_text, "latex": formula.to_latex, "json": formula.to_json}[output_format]
    click.echo(render(derivation))


@main.command("list")
@click.option("--devices", is_flag=True, help="List the bundled device profiles (report --device NAME) instead.")
@click.option("--format", "output_format", type=Choice(["text", "json"]), default="text", show_default=True)
@guarded
def list_command(devices: bool, output_format: str) -> None:
    """The bundled specs, usable by name: `costcalc report mobilenet_v1_conv`; or, with --devices, the device
    profiles for the roofline latency estimate."""
    from costcalc.render.sinks.json_text import dumps
    from costcalc.render.sinks.terminal import visible
    from costcalc.source.bundled import bundled_specs
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
    specs = {name: load_spec(str(path)) for name, path in bundled_specs().items()}
    if output_format == "json":
        click.echo(dumps([{"name": name, "description": spec.description, "path": spec.path}
                          for name, spec in specs.items()]))
        return
    width = max((len(visible(name)) for name in specs), default=0)
    for name, spec in specs.items():
        click.echo(f"{visible(name):<{width}}  {visible(spec.description)}")



@main.command("explain")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("--convention", metavar="NAME|FILE", required=True,
              help="The convention to explain (fvcore, ptflops, thop, torchinfo, ..., or a convention file).")
@click.option("--vs", "versus", metavar="NAME|FILE", default="paper", show_default=True,
              help="The convention to compare it with.")
@click.option("--unit", type=Choice(["mult-adds", "flops"]), default="mult-adds", show_default=True,
              help="mult-adds, or flops: 2 per multiply-accumulate, 1 per other operation.")
@click.option("--alpha", type=MULTIPLIER, default="1", show_default=True, help="Width multiplier: 0.75 or 3/4.")
@click.option("--rho", type=MULTIPLIER, default=None, help="Resolution multiplier: 0.857 or 192/224.")
@click.option("--resolution", type=RESOLUTION, default=None,
              help="Input resolution in pixels (sets rho = N / the spec's input size).")
@click.option("--layers", "layers_shown", type=WHOLE, default=10, show_default=True,
              help="Text: how many of the layers that differ most to list.")
@click.option("--format", "output_format", type=Choice(["text", "markdown", "json"]), default="text",
              show_default=True)
@output_option
@guarded
def explain_command(spec: str | None, convention: str, versus: str, unit: str, alpha: Fraction, rho: Fraction | None,
                    resolution: int | None, layers_shown: int, output_format: str, output: str | None) -> None:
    """Why two conventions count SPEC differently (default: mobilenet_v1): the difference of their totals
    split by what each counts, by layer kind and by layer; every split adds up to the difference."""
    from costcalc.analysis.explain import explain
    from costcalc.conventions.files import resolve_convention
    from costcalc.engine.exact import evaluate, rho_for_resolution
    from costcalc.render import explain_formats
    from costcalc.source.bundled import DEFAULT_SPEC

    if rho is not None and resolution is not None:
        raise click.UsageError("give --rho or --resolution, not both")
    first, second = resolve_convention(convention, unit), resolve_convention(versus, unit)
    network = load_network(spec)
    if resolution is not None:
        rho = rho_for_resolution(network.spec, resolution)
    point = (alpha, rho or Fraction(1))
    explanation = explain(evaluate(network, *point, first), evaluate(network, *point, second))
    if output_format == "json":
        emit(explain_formats.to_json(explanation, spec or DEFAULT_SPEC), output)
    elif output_format == "markdown":
        emit(explain_formats.to_markdown(explanation, layers_shown), output)
    else:
        emit(explain_formats.to_text(explanation, layers_shown), output)
