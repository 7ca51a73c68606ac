"""Exact evaluation: every layer's Mult-Adds and params as Python ints at a given alpha and rho.

This is the hot path of ``costcalc report``: plain integer arithmetic through the formulas of
``costcalc.layers.formulas``; sympy is not imported. The closed form in alpha and rho is ``costcalc.engine.symbolic``.
"""

from __future__ import annotations

from fractions import Fraction

from costcalc.conventions import PAPER, Convention
from costcalc.engine.arith import ExactArith, scale_resolution
from costcalc.engine.propagate import MAX_SHAPE_BITS, kept_network, propagate, shown_shape, within_bounds
from costcalc.engine.results import Evaluation, LayerCost
from costcalc.errors import Diagnostic, Location, SpecError, warn
from costcalc.layers.base import Shape
from costcalc.layers.graph import Merge
from costcalc.quantities import format_fraction
from costcalc.spec.build import Network, build_network
from costcalc.spec.model import Spec


def rho_for_resolution(spec: Spec, resolution: int) -> Fraction:
    """``--resolution 192`` on a 224 spec is ``rho = 192/224`` (on the input height)."""
    return Fraction(resolution, spec.input.height)


def input_shape_at(spec: Spec, rho: Fraction) -> Shape:
    """The spec's input scaled by rho (to the nearest pixel); an error if nothing is left of it."""
    shape = Shape(scale_resolution(spec.input.height, rho), scale_resolution(spec.input.width, rho),
                  spec.input.channels)
    if min(shape.height, shape.width) < 1:
        raise SpecError(Diagnostic(Location(spec.path), f"rho = {format_fraction(rho)} scales the "
                                   f"{spec.input.height}×{spec.input.width} input to nothing "
                                   f"({shape.height}×{shape.width} pixels)", "E407"))
    if not within_bounds(shape):
        raise SpecError(Diagnostic(Location(spec.path), f"rho = {format_fraction(rho)} scales the input to "
                                   f"{shown_shape(shape)}; a feature map's height, width and channels stay below "
                                   f"2^{MAX_SHAPE_BITS} (about 3.4e38)", "E408"))
    return shape


def evaluate(network: Network | Spec, alpha: Fraction = Fraction(1), rho: Fraction = Fraction(1),
             convention: Convention = PAPER) -> Evaluation:
    """Evaluate a network (or a spec) exactly."""
    if isinstance(network, Spec):
        network = build_network(network)
    spec = network.spec
    arith = ExactArith(Fraction(alpha), spec.width)
    input_shape = input_shape_at(spec, Fraction(rho))
    rows = []
    index_of = {id(node): index for index, node in enumerate(network.nodes)} if network.conditional else {}
    kept: list[int] = []
    for node, layer, given, layer_output, components in propagate(network, input_shape, arith):
        if index_of:
            kept.append(index_of[id(node)])
        merge = isinstance(layer, Merge)
        layer_input = given[0] if merge else given
        rows.append(LayerCost(
            name=node.name, kind=layer.kind, group=layer.group(),
            filter=layer.merge_label(given, layer_output) if merge else layer.filter_label(given, layer_output),  # type: ignore[attr-defined]
            stride=layer.stride_label(),
            input_shape=layer_input, output_shape=layer_output,
            mult_adds=convention.mult_adds_of(components), params=convention.params_of(components),
            components=components, layer=layer, location=node.location, path=node.path, idle=node.idle,
        ))
    if alpha != 1:
        _warn_if_classifier_scales(rows)
    return Evaluation(
        spec=spec, network=kept_network(network, kept) if index_of else network, convention=convention,
        alpha=Fraction(alpha), rho=Fraction(rho),
        input_shape=input_shape, layers=tuple(rows),
        mult_adds=sum(row.mult_adds for row in rows), params=sum(row.params for row in rows),
    )


MANY_UNITS = 100  # a layer this wide at the end of a network is its classes, not a width to scale


def _warn_if_classifier_scales(rows: list[LayerCost]) -> None:
    """W104 when the network's last layer with weights declares ``units`` (an ``fc`` or ``linear``: the
    classifier), has many of them and is not ``fixed``: alpha then scales the number of classes too, which no
    paper's figure does (MobileNets keeps its 1000 classes at every alpha, Table 6)."""
    weighted = [row for row in rows if row.params or any(field.name == "units" for field in getattr(row.layer, "fields", ()))]
    if not weighted:
        return
    last = weighted[-1]
    units = getattr(last.layer, "units", None)
    if getattr(last.layer, "fixed", True) or not isinstance(units, int) or units < MANY_UNITS:
        return
    # one text at every alpha, so that a sweep or a solve, which evaluates many, says it once
    warn(last.location, f"layer '{last.name}': the classifier's {units} units scale with alpha, as it is not "
                         "marked fixed: write `fixed: true` to keep the classes", "W104")
