"""``import`` and ``export``: an ONNX model to a spec, and a spec to an ONNX model (docs/onnx.md). Both need the
optional ``onnx`` package (``pip install 'costcalc[onnx]'``); without it they say so and exit 2."""

from __future__ import annotations

from fractions import Fraction

import click

from costcalc.cli.app import guarded, main
from costcalc.cli.options import WHOLE, Choice, design_point, point_options


@main.command("import")
@click.argument("model", metavar="MODEL.onnx")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the spec to this file (atomically) instead of stdout.")
@click.option("--strict", is_flag=True, help="Refuse ops costcalc has no kind for (exit 2) instead of leaving them "
                                             "out with a warning.")
@click.option("--size", type=WHOLE, default=None,
              help="Pixels for a symbolic height and width (default 224); --resolution still scales it.")
@guarded
def import_command(model: str, output: str | None, strict: bool, size: int | None) -> None:
    """The spec of an ONNX model: its layers as costcalc kinds, its branches as residual and concat, each
    layer's comment naming its ONNX node (docs/onnx.md)."""
    from costcalc.cli.output import emit
    from costcalc.onnx.importer import import_onnx
    from costcalc.source.positioned_yaml import parse_yaml
    from costcalc.spec.build import build_network
    from costcalc.spec.schema import parse_spec

    if size is not None and size < 1:
        raise click.BadParameter("expected a whole number of pixels of at least 1", param_hint="'--size'")
    imported = import_onnx(model, strict=strict, size=size)
    build_network(parse_spec(parse_yaml(imported.text, model), model))  # what it wrote reads back as a spec
    emit(imported.text.rstrip("\n"), output)


@main.command("export")
@click.argument("spec", required=False, metavar="[SPEC]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The ONNX file to write (atomically).")
@point_options()
@click.option("--weights", type=Choice(["random", "none"]), default="random", show_default=True,
              help="random: He-normal from a fixed seed (ONNX Runtime runs the file); none: each weight a graph "
                   "input of its shape (a graph-only file for import and budgets).")
@guarded
def export_command(spec: str | None, output: str, alpha: Fraction | None, depth_multiplier: Fraction | None,
                   rho: Fraction | None, resolution: int | None, width_rule: str | None, weights: str) -> None:
    """Write SPEC (default: mobilenet_v1) at one width, depth and resolution as an ONNX model (opset 17) that ONNX
    Runtime runs; its output has the shape the report gives."""
    from costcalc.cli.output import write_atomic
    from costcalc.engine.exact import evaluate
    from costcalc.export.onnx_graph import to_onnx
    from costcalc.onnx.model import require_onnx
    from costcalc.spec.loading import load_network

    require_onnx(output, "exporting to ONNX")  # before any work: the file it would write is the one named
    network = load_network(spec, depth_multiplier, width_rule)
    model = to_onnx(evaluate(network, *design_point(network, alpha, rho, resolution)), weights)
    write_atomic(output, model.SerializeToString())
