"""Symbolic derivations with sympy: the per-kind formulas, the separable/standard ratio, and a network's
total as a closed form in ``alpha`` and ``rho`` (and ``d``, the depth multiplier, for a spec that scales depth:
each repeat of ``round_repeats(n)`` copies counts ``d·n`` times, which is exact when its copies are alike: each
keeps its input's shape and reads no index).

Nothing here is typed in as a formula string: each expression comes from calling the layer kinds (and so
``costcalc.layers.formulas``) with the paper's symbols. Only ``formula`` and ``report --symbolic`` import this.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from costcalc.conventions import PAPER, Convention
from costcalc.engine import symbols as s
from costcalc.engine.arith import IdealArith
from costcalc.engine.propagate import propagate
from costcalc.layers.base import Shape
from costcalc.layers.conv import Conv, Depthwise, Pointwise
from costcalc.errors import Diagnostic, Location, SpecError
from costcalc.layers.dense import FullyConnected
from costcalc.spec.build import Network, build_network


@dataclass(frozen=True)
class KindFormula:
    kind: str
    title: str
    source: str
    mult_adds: Any
    params: Any


@dataclass(frozen=True)
class Derivation:
    """The paper's §3 equations, derived."""

    kinds: list[KindFormula]
    separable: Any  # depthwise + pointwise Mult-Adds (eq. 5)
    ratio: Any  # separable / standard, reduced: 1/N + 1/D_K**2
    separable_alpha: Any  # eq. 6
    separable_alpha_rho: Any  # eq. 7
    ratio_alpha_rho: Any


def _weights_and_macs(layer: Any, m: Any, output: Shape) -> tuple[Any, Any]:
    costs = layer.costs(Shape(None, None, m), output, None)
    return costs["weight_macs"], costs["weights"]


def derive() -> Derivation:
    """Per-kind formulas from the layer kinds themselves, and the ratio reduced by ``expand``."""
    k, m, n, d = s.D_K, s.M, s.N, s.D_F
    standard = _weights_and_macs(Conv(kernel=(k, k), filters=n), m, Shape(d, d, n))
    depthwise = _weights_and_macs(Depthwise(kernel=(k, k)), m, Shape(d, d, m))
    pointwise = _weights_and_macs(Pointwise(filters=n), m, Shape(d, d, n))
    dense = _weights_and_macs(FullyConnected(units=n), m, Shape(1, 1, n))
    kinds = [
        KindFormula("conv", "standard convolution", "eq. 2", *standard),
        KindFormula("depthwise", "depthwise convolution", "eq. 4", *depthwise),
        KindFormula("pointwise", "pointwise (1x1) convolution", "eq. 5, 2nd term", *pointwise),
        KindFormula("separable", "depthwise separable convolution", "eq. 5",
                    sympy.Add(depthwise[0], pointwise[0]), sympy.Add(depthwise[1], pointwise[1])),
        KindFormula("fc", "fully connected", "1x1 conv on a 1x1 map", *dense),
    ]
    separable = kinds[3].mult_adds
    ratio = sympy.expand(separable / standard[0])
    widths = {m: s.alpha * m, n: s.alpha * n}
    with_alpha = separable.subs(widths)
    with_alpha_rho = with_alpha.subs(d, s.rho * d)
    ratio_alpha_rho = sympy.expand(with_alpha_rho / standard[0].subs(widths).subs(d, s.rho * d))
    return Derivation(kinds, separable, ratio, with_alpha, with_alpha_rho, ratio_alpha_rho)


@dataclass(frozen=True)
class ClosedForm:
    mult_adds: Any
    params: Any

    def at(self, alpha: Fraction, rho: Fraction, depth: Fraction = Fraction(1)) -> tuple[Any, Any]:
        values = {symbol: sympy.Rational(value.numerator, value.denominator)
                  for symbol, value in ((s.alpha, alpha), (s.rho, rho), (s.depth, Fraction(depth)))}
        return self.mult_adds.subs(values), self.params.subs(values)


def _collected(total: Any) -> Any:
    """``rho**2*(a*alpha**2 + b*alpha) + c*alpha``: grouped by powers of rho, then of alpha."""
    expanded = sympy.expand(total)
    by_rho = sympy.collect(expanded, s.rho, evaluate=False)
    return sympy.Add(*(power * sympy.collect(coefficient, s.alpha) for power, coefficient in by_rho.items()))


def _undefined(value: Any) -> bool:
    """A cost that is no number: a division by a channel count of 0 (sympy's nan or complex infinity)."""
    return isinstance(value, sympy.Basic) and value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)


def closed_form(network: Network, convention: Convention = PAPER) -> ClosedForm:
    """The network's total Mult-Adds and params in ``alpha`` and ``rho`` (and ``d``), with no rounding: channels
    ``alpha·n``, sizes ``rho·size / stride`` (the ideal form of the paper's eq. 6 and 7) and ``d·n`` repeats."""
    spec = network.spec
    if network.decided:
        raise SpecError(Diagnostic(Location(spec.path), "no closed form: an 'if' or 'when' decides the structure from the "
                                   "channels, which the closed form keeps as symbols", "E421"))
    if spec.scales_depth:
        network = build_network(spec, depth_symbol=s.depth)
    arith = IdealArith()
    input_shape = Shape(s.rho * spec.input.height, s.rho * spec.input.width, spec.input.channels)
    mult_adds, params, outputs = [], [], []
    try:
        for node, _layer, _input, output, components in propagate(network, input_shape, arith):
            outputs.append(output)
            layer_mult_adds, layer_params = convention.mult_adds_of(components), convention.params_of(components)
            if _undefined(layer_mult_adds) or _undefined(layer_params):
                raise SpecError(Diagnostic(node.location, f"no closed form: without rounding, layer '{node.name}' "
                                           "has no defined cost (a channel count that comes to 0 in the closed "
                                           "form, which the exact count rounds up); without --symbolic the exact totals are reported",
                                           "E421"))
            mult_adds.append(node.multiplicity * layer_mult_adds)
            params.append(node.multiplicity * layer_params)
    except SpecError as error:  # a condition on the channels: the structure is no polynomial's
        raise SpecError([diagnostic._replace(code=diagnostic.code or "E421") for diagnostic in error.diagnostics]) from None
    for start, end, location in network.scaled_repeats:
        before, after = (input_shape if start < 0 else outputs[start]), (input_shape if end < 0 else outputs[end])
        if any(sympy.expand(a - b) != 0 for a, b in zip(before, after)):
            raise SpecError(Diagnostic(location, "no closed form in the depth multiplier: this repeat of "
                                       f"round_repeats copies changes the shape ({before} to {after}), so its copies "
                                       "differ", "E421"))
    return ClosedForm(_collected(sympy.Add(*mult_adds)), _collected(sympy.Add(*params)))
