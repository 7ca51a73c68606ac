"""Exact totals at many (alpha, rho) points without evaluating the network once per point.

A layer's Mult-Adds are a channel factor, which depends on alpha only (``k·k·(M/g)·N`` after the spec's
rounding), times its output area, which depends on rho only (``h·w`` after each layer's ceil/floor), plus,
for the components a convention counts per input element (a pool's input), a factor times its input area,
plus what does not depend on the resolution at all (a batch norm's 2·C under torchinfo). Its parameters
depend on alpha only, but for those a component says are proportional to the output's area (ViT's learned
position embeddings: one vector per token). So for a grid of A alphas and R resolutions, the network is
propagated A + R times (not A·R) and every point is one exact integer dot product:

    mult_adds(alpha, rho) = Σ_l channel_l(alpha) · area_l(rho) + fixed(alpha)
    params(alpha, rho)    = Σ_l params_l(alpha) + Σ_p factor_p(alpha) · area_p(rho)

Attention's N² terms factor like the rest: its scores are a layer of their own whose output is tokens x keys
x heads (costcalc.layers.attention_parts), so Q·Kᵀ is a width factor times that layer's output area (N·N for
global attention, N·w² for windows of w x w) and A·V the same times its input area.

This holds while no channel count depends on the resolution, which only ``flatten`` of a map whose size
This holds while no channel count depends on the resolution, which only ``flatten`` of a map whose size
follows the resolution breaks (a flatten right after a global or adaptive pool does not), and while the
layers are the same at every alpha (no ``if``/``when`` on the channels); other networks are evaluated point by
point (exactly, more slowly). A network is built at one depth multiplier (its repeat counts), so a grid over
depth multipliers is one ``CompiledCost`` per multiplier (costcalc.analysis.sweep). Tests pin both paths to
``costcalc.engine.exact`` at random points (tests/test_compiled.py, tests/test_transformer_kinds.py).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterator

from costcalc.conventions import Convention
from costcalc.engine.arith import ExactArith
from costcalc.engine.exact import evaluate, input_shape_at
from costcalc.engine.propagate import propagate
from costcalc.layers.base import Layer, Shape
from costcalc.layers.components import component
from costcalc.layers.graph import Merge
from costcalc.spec.build import Network, Node


def _channels_fixed(network: Network, node: Node) -> bool:
    """A layer whose channels follow its input's size (flatten) gives the same channels at every rho when its
    input's size is fixed: right after a global or adaptive pool."""
    if not node.layer.channels_follow_resolution:
        return True
    source = node.inputs[0]
    return source >= 0 and network.nodes[source].layer.fixed_output_size


class CompiledCost:
    """Exact ``(mult_adds, params)`` of one network under one convention at any alpha and rho."""

    def __init__(self, network: Network, convention: Convention):
        self.network = network
        self.convention = convention
        # a structure that follows alpha (conditions on the channels) is evaluated point by point too
        self.factored = all(_channels_fixed(network, node) for node in network.nodes) and not network.conditional
        # (layer index, by its input area, a parameter count) of each term, the same at every alpha
        self._terms: list[tuple[int, bool, bool]] | None = None
        self._by_alpha: dict[Fraction, tuple[list[int], int, int]] = {}
        self._by_rho: dict[Fraction, list[int]] = {}

    def params_follow_resolution(self, alpha: Fraction) -> bool:
        """Whether the params change with rho at ``alpha``: through channels that follow it (flatten), or
        parameters proportional to an area (position embeddings)."""
        if not self.factored:
            return True
        self._alpha_terms(alpha, Fraction(1))
        return any(param for _index, _by_input, param in self._terms or ())

    def _alpha_terms(self, alpha: Fraction, rho: Fraction) -> tuple[list[int], int, int]:
        """Mult-Adds (or params) per output (or input) position of each term, and the Mult-Adds and params that
        do not depend on the resolution, at ``alpha``. They are found by propagating at (alpha, rho), a point
        asked for: a channel count that the spec forbids at some alpha (groups that do not divide it) or a
        window that does not fit at some resolution fails exactly where ``evaluate`` fails."""
        found = self._by_alpha.get(alpha)
        if found is None:
            spec = self.network.spec
            arith = ExactArith(alpha, spec.width)
            factors: list[int] = []
            terms: list[tuple[int, bool, bool]] = []
            fixed = params = 0
            # propagate shares one costs mapping among the nodes of a layer that meets the same input again
            # (the copies of a repeat): their terms are worked out once. The mapping is kept in the entry, so
            # its id is not reused while the loop runs.
            done: dict[int, tuple[dict[str, int], tuple[tuple[int, bool, bool], ...], int, int]] = {}
            layers = propagate(self.network, input_shape_at(spec, rho), arith)
            for index, (_node, layer, given, output, components) in enumerate(layers):
                known = done.get(id(components))
                if known is None or known[0] is not components:
                    known = done[id(components)] = (components, *self._layer_terms(layer, given, output, components))
                for factor, by_input, param in known[1]:
                    factors.append(factor)
                    terms.append((index, by_input, param))
                fixed += known[2]
                params += known[3]
            self._terms = terms
            found = self._by_alpha[alpha] = (factors, fixed, params)
        return found

    def _layer_terms(self, layer: Layer, given: Any, output: Shape,
                     components: dict[str, int]) -> tuple[tuple[tuple[int, bool, bool], ...], int, int]:
        """One layer's ``(factor, by its input area, a parameter count)`` terms, and its Mult-Adds and params
        that do not depend on the resolution. A component is proportional to what its ``per`` says
        (costcalc.layers.components): the output's height x width, the input's, or neither."""
        convention = self.convention
        totals: dict[tuple[str, bool], int] = {}
        for name, amount in components.items():
            facts = component(name)
            if facts is None:
                raise ValueError(f"layer kind '{layer.kind}' reports {name!r}, which is no cost component")
            weight = convention.weight_of(name)
            if weight:
                totals[(facts.per, False)] = totals.get((facts.per, False), 0) + weight * amount
            if facts.param and convention.counts_param(name):
                totals[(facts.per, True)] = totals.get((facts.per, True), 0) + amount
        terms = []
        fixed = [0, 0]  # Mult-Adds, params that do not follow the resolution
        for (per, param), total in totals.items():
            if per in ("none", "once"):
                fixed[param] += total
            else:
                shape = (given[0] if isinstance(layer, Merge) else given) if per == "input" else output
                terms.append((total // (shape.height * shape.width), per == "input", param))
        return tuple(terms), fixed[0], fixed[1]

    def _areas(self, rho: Fraction, alpha: Fraction) -> list[int]:
        """The output (or input) height x width of each term's layer at ``rho`` (found by propagating at
        (alpha, rho))."""
        areas = self._by_rho.get(rho)
        if areas is None:
            if self._terms is None:
                self._alpha_terms(alpha, rho)
            spec = self.network.spec
            arith = ExactArith(alpha, spec.width)
            every = [((given[0] if isinstance(layer, Merge) else given), output)
                     for _node, layer, given, output, _components in propagate(self.network, input_shape_at(spec, rho), arith)]
            areas = self._by_rho[rho] = [every[index][0 if by_input else 1].height * every[index][0 if by_input else 1].width
                                         for index, by_input, _param in self._terms]  # type: ignore[union-attr]
        return areas

    def _sums(self, factors: list[int], areas: list[int]) -> tuple[int, int]:
        """The Mult-Adds and the params of the terms that follow the resolution."""
        mult_adds = params = 0
        for factor, area, (_index, _by_input, param) in zip(factors, areas, self._terms):  # type: ignore[arg-type]
            if param:
                params += factor * area
            else:
                mult_adds += factor * area
        return mult_adds, params

    def totals(self, alpha: Fraction, rho: Fraction) -> tuple[int, int]:
        """Exact ``(mult_adds, params)`` at one point."""
        if not self.factored:
            evaluation = evaluate(self.network, alpha, rho, self.convention)
            return evaluation.mult_adds, evaluation.params
        factors, fixed, params = self._alpha_terms(alpha, rho)
        mult_adds, area_params = self._sums(factors, self._areas(rho, alpha))
        return mult_adds + fixed, params + area_params

    def grid(self, alphas: list[Fraction], rhos: list[Fraction]) -> Iterator[tuple[Fraction, Fraction, int, int]]:
        """``(alpha, rho, mult_adds, params)`` for every alpha (outer) and rho (inner), in order."""
        if not self.factored:
            for alpha in alphas:
                for rho in rhos:
                    yield (alpha, rho, *self.totals(alpha, rho))
            return
        areas = [self._areas(rho, alphas[0]) for rho in rhos] if alphas else []
        for alpha in alphas:
            factors, fixed, params = self._alpha_terms(alpha, rhos[0]) if rhos else ([], 0, 0)
            for rho, area in zip(rhos, areas):
                mult_adds, area_params = self._sums(factors, area)
                yield alpha, rho, mult_adds + fixed, params + area_params
