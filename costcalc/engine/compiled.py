"""Exact totals at many (alpha, rho) points without evaluating the network once per point.

A layer's Mult-Adds are a channel factor, which depends on alpha only (``k·k·(M/g)·N`` after the spec's
rounding), times its output area, which depends on rho only (``h·w`` after each layer's ceil/floor), plus,
for the components a convention counts per input element (a pool's input), a factor times its input area,
plus what does not depend on the resolution at all (a batch norm's 2·C under torchinfo). Its parameters
depend on alpha only, but for those a component says are proportional to the output's area (ViT's learned
position embeddings: one vector per token). So for a grid of A alphas and R resolutions, the network is
propagated at most A + R times (not A·R; alphas the width rule rounds alike share one propagation,
``_channel_key``) and every point is one exact integer dot product:

    mult_adds(alpha, rho) = Σ_l channel_l(alpha) · area_l(rho) + fixed(alpha)
    params(alpha, rho)    = Σ_l params_l(alpha) + Σ_p factor_p(alpha) · area_p(rho)

Attention's N² terms factor like the rest: its scores are a layer of their own whose output is tokens x keys
x heads (costcalc.layers.attention_parts), so Q·Kᵀ is a width factor times that layer's output area (N·N for
global attention, N·w² for windows of w x w) and A·V the same times its input area.

The layers whose areas are equal at every resolution of a grid (one feature-map size) share one area
vector, so a grid is a few groups (MobileNet v1's 28 terms are 6), and one alpha's row of resolutions is
``Σ_g coefficient_g(alpha) · vector_g``, computed a whole row at a time (``GridValues``).

This holds while no channel count depends on the resolution, which only ``flatten`` of a map whose size
follows the resolution breaks (a flatten right after a global or adaptive pool does not), and while the
layers are the same at every alpha (no ``if``/``when`` on the channels); other networks are evaluated point by
point (exactly, more slowly). A network is built at one depth multiplier (its repeat counts), so a grid over
depth multipliers is one ``CompiledCost`` per multiplier (costcalc.analysis.sweep). Tests pin both paths to
``costcalc.engine.exact`` at random points (tests/test_compiled.py, tests/test_transformer_kinds.py,
tests/test_sweep_structure.py).
"""

from __future__ import annotations

import sys
from array import array
from fractions import Fraction
from operator import add
from typing import Any, Iterator

from costcalc.conventions import Convention
from costcalc.engine.arith import ExactArith
from costcalc.engine.exact import evaluate, input_shape_at
from costcalc.engine.propagate import propagate
from costcalc.errors import ShapeError
from costcalc.layers.base import Layer, Shape
from costcalc.layers.components import component
from costcalc.layers.graph import Merge
from costcalc.layers.width import WidthRule
from costcalc.spec.build import Network, Node


def _channels_fixed(network: Network, node: Node) -> bool:
    """A layer whose channels follow its input's size (flatten) gives the same channels at every rho when its
    input's size is fixed: right after a global or adaptive pool."""
    if not node.layer.channels_follow_resolution:
        return True
    source = node.inputs[0]
    return source >= 0 and network.nodes[source].layer.fixed_output_size


class _NotingArith(ExactArith):
    """Exact arithmetic that notes each ``(count, fixed)`` its width rule is asked to scale, in order."""

    def __init__(self, alpha: Fraction, width: WidthRule):
        super().__init__(alpha, width)
        self.asked: dict[tuple[int, bool], None] = {}

    def channels(self, count: int, fixed: bool = False) -> int:
        self.asked[(count, fixed)] = None
        return super().channels(count, fixed)


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
        # the terms per channel key (_channel_key): alphas whose width rule gives every count alike share them
        self._by_channels: dict[tuple[int, ...], tuple[list[int], int, int]] = {}
        self._asked: tuple[tuple[int, bool], ...] | None = None  # the counts the width rule was asked to scale
        self._by_rho: dict[Fraction, list[int]] = {}  # the area of each slot
        self._slots: dict[tuple[int, bool], int] | None = None
        self._facts: dict[str, tuple[str, int, bool]] = {}  # per component name (_component_facts)
        self._memo_alpha: Fraction | None = None
        self._memo: dict[Any, Any] = {}

    @property
    def monotone(self) -> bool:
        """Whether the totals never fall as alpha or the resolution grows, so that a search may bisect
        (costcalc.analysis.solve). They are sums of products of channel counts and map sizes with non-negative
        coefficients (every formula of costcalc.layers.formulas), a map's size never falls as its input grows
        (ceil and floor of increasing functions, PyTorch's ceil_mode included) and a channel count is the width
        rule applied to ``alpha·n``. That holds unless the rule is not monotone (``WidthRule.monotone``), a
        count is an expression (which may fall as its inputs grow: ``64 / alpha``, ``head(n)``), or the
        structure follows the channels (``if``/``when``): then a search scans."""
        return (self.factored and self.network.spec.width.monotone
                and not any(node.deferred for node in self.network.nodes))

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
        key = None
        if found is None:
            key = self._channel_key(alpha)
            found = self._by_channels.get(key) if key is not None else None
        if found is None:
            spec = self.network.spec
            arith = _NotingArith(alpha, spec.width) if self._asked is None else ExactArith(alpha, spec.width)
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
            found = (factors, fixed, params)
            if isinstance(arith, _NotingArith) and self._shares_channels():
                self._asked = tuple(arith.asked)
                key = self._channel_key(alpha)
            if key is not None:
                self._by_channels[key] = found
        self._by_alpha[alpha] = found
        return found

    def _shares_channels(self) -> bool:
        """Whether alpha reaches the network only through the width rule's ``channels(count)``: every kind
        scales its counts through ``Arith.channels`` (costcalc.layers), and no channel expression reads
        ``alpha`` or calls a function of the width rule (``head``, ``expanded``), and no condition decides the
        structure. Then two alphas whose rule gives the same count for every count asked propagate alike, step
        by step: each step's counts are the same, so are the counts it asks to scale, and so are their values."""
        return self.factored and not any(
            "alpha" in bound.expr.variables or bound.expr.scaled
            for node in self.network.nodes for bound in (getattr(node.layer, name) for name in node.deferred))

    def _channel_key(self, alpha: Fraction) -> tuple[int, ...] | None:
        """What the width rule makes, at ``alpha``, of every count it was asked to scale at the first alpha
        (``_NotingArith``), or None when alphas share nothing (``_shares_channels``) or a count is refused
        at ``alpha`` (then propagating reports it, where it is). Round-filter rules give many alphas of a fine
        sweep the same key: efficientnet_b0's 1,001 alphas from 0.25 to 1.25 are propagated far fewer times."""
        if self._asked is None:
            return None
        arith = ExactArith(alpha, self.network.spec.width)
        try:
            return tuple(arith.channels(count, fixed) for count, fixed in self._asked)
        except ShapeError:
            return None

    def _layer_terms(self, layer: Layer, given: Any, output: Shape,
                     components: dict[str, int]) -> tuple[tuple[tuple[int, bool, bool], ...], int, int]:
        """One layer's ``(factor, by its input area, a parameter count)`` terms, and its Mult-Adds and params
        that do not depend on the resolution. A component is proportional to what its ``per`` says
        (costcalc.layers.components): the output's height x width, the input's, or neither."""
        totals: dict[tuple[str, bool], int] = {}
        for name, amount in components.items():
            per, weight, param = self._facts.get(name) or self._component_facts(layer, name)
            if weight:
                totals[(per, False)] = totals.get((per, False), 0) + weight * amount
            if param:
                totals[(per, True)] = totals.get((per, True), 0) + amount
        terms = []
        fixed = [0, 0]  # Mult-Adds, params that do not follow the resolution
        for (per, param), total in totals.items():
            if per in ("none", "once"):
                fixed[param] += total
            else:
                shape = (given[0] if isinstance(layer, Merge) else given) if per == "input" else output
                terms.append((total // (shape.height * shape.width), per == "input", param))
        return tuple(terms), fixed[0], fixed[1]

    def _component_facts(self, layer: Layer, name: str) -> tuple[str, int, bool]:
        """What a component is proportional to, its weight in the convention's Mult-Adds, and whether the
        convention counts it as parameters: looked up once per name (a sweep asks for them at every alpha)."""
        facts = component(name)
        if facts is None:
            raise ValueError(f"layer kind '{layer.kind}' reports {name!r}, which is no cost component")
        found = self._facts[name] = (facts.per, self.convention.weight_of(name),
                                     facts.param and self.convention.counts_param(name))
        return found

    def _arith_at(self, alpha: Fraction) -> ExactArith:
        """The arithmetic the areas are propagated in, and a memo of (layer, input) shared by those
        propagations while alpha stays the same (propagate's ``memo``)."""
        if self._memo_alpha != alpha:
            self._memo_alpha, self._memo = alpha, {}
        return ExactArith(alpha, self.network.spec.width)

    def _slot_of(self) -> dict[tuple[int, bool], int]:
        """Each (layer index, by its input area) that some term is proportional to: its slot."""
        slots: dict[tuple[int, bool], int] = {}
        for index, by_input, _param in self._terms or ():
            slots.setdefault((index, by_input), len(slots))
        return slots

    def _areas(self, rho: Fraction, alpha: Fraction) -> list[int]:
        """The output (or input) height x width of each slot at ``rho`` (found by propagating at (alpha, rho))."""
        areas = self._by_rho.get(rho)
        if areas is None:
            if self._terms is None:
                self._alpha_terms(alpha, rho)
            if self._slots is None:
                self._slots = self._slot_of()
            spec = self.network.spec
            every = [((given[0] if isinstance(layer, Merge) else given), output)
                     for _node, layer, given, output, _components in
                     propagate(self.network, input_shape_at(spec, rho), self._arith_at(alpha), self._memo)]
            areas = self._by_rho[rho] = [every[index][0 if by_input else 1].height * every[index][0 if by_input else 1].width
                                         for index, by_input in self._slots]
        return areas

    def totals(self, alpha: Fraction, rho: Fraction) -> tuple[int, int]:
        """Exact ``(mult_adds, params)`` at one point."""
        if not self.factored:
            evaluation = evaluate(self.network, alpha, rho, self.convention)
            return evaluation.mult_adds, evaluation.params
        factors, fixed, params = self._alpha_terms(alpha, rho)
        areas = self._areas(rho, alpha)
        slots = self._slots or {}
        mult_adds = 0
        for factor, (index, by_input, param) in zip(factors, self._terms or ()):
            if param:
                params += factor * areas[slots[index, by_input]]
            else:
                mult_adds += factor * areas[slots[index, by_input]]
        return mult_adds + fixed, params

    def grid_values(self, alphas: list[Fraction], rhos: list[Fraction]) -> GridValues:
        """Every point of ``alphas`` x ``rhos``, worked out before any is returned (a point that is no network
        fails here, as ``evaluate`` fails there) and combined one alpha at a time (``GridValues.row``).

        The slots (layers) whose areas are equal at every rho of the grid form one group, and a term's factor
        is added to its group's coefficient: MobileNet v1's 28 per-point terms are 6 groups. The groups are
        found by refining a partition rho after rho, so no slot's whole area vector is ever held."""
        if not alphas or not rhos:
            return GridValues(len(rhos), [], [], [])
        if not self.factored:  # point by point (the CLI bounds such grids to MAX_EVALUATED_POINTS)
            points = [[self.totals(alpha, rho) for rho in rhos] for alpha in alphas]
            return GridValues(len(rhos), [], [], [([m for m, _p in row], [p for _m, p in row]) for row in points])
        self._alpha_terms(alphas[0], rhos[0])
        self._slots = self._slots or self._slot_of()
        group = [0] * len(self._slots)
        vectors: list[list[int]] = [[]] if group else []  # every slot in one group, split as areas differ
        for rho in rhos:
            taken: dict[int, int] = {}  # the area each group has at this rho (its first slot's)
            split: dict[tuple[int, int], int] = {}  # a group's slots with another area: a new group
            for slot, area in enumerate(self._areas(rho, alphas[0])):
                old = group[slot]
                first = taken.get(old)
                if first is None:
                    taken[old] = area
                    vectors[old].append(area)
                elif first != area:
                    new = split.get((old, area))
                    if new is None:
                        new = split[old, area] = len(vectors)
                        vectors.append(vectors[old][:-1] + [area])
                    group[slot] = new
        term_group = [group[self._slots[index, by_input]] for index, by_input, _param in self._terms or ()]
        coefficients = []
        combined: dict[int, tuple[int, int, list[tuple[int, int]]]] = {}  # per terms (alphas may share them)
        for alpha in alphas:
            terms = self._alpha_terms(alpha, rhos[0])
            known = combined.get(id(terms))
            if known is None:
                factors, fixed, params = terms
                per_group = [[0, 0] for _ in vectors]
                for factor, g, (_index, _by_input, param) in zip(factors, term_group, self._terms or ()):
                    per_group[g][param] += factor
                known = combined[id(terms)] = (fixed, params, [(m, p) for m, p in per_group])
            coefficients.append(known)
        return GridValues(len(rhos), vectors, coefficients, [])

    def grid(self, alphas: list[Fraction], rhos: list[Fraction]) -> Iterator[tuple[Fraction, Fraction, int, int]]:
        """``(alpha, rho, mult_adds, params)`` for every alpha (outer) and rho (inner), in order."""
        values = self.grid_values(alphas, rhos)
        for i, alpha in enumerate(alphas if rhos else []):
            mult_adds, params = values.row(i)
            yield from zip([alpha] * len(rhos), rhos, mult_adds, params)


class GridValues:
    """The exact totals of a grid, one alpha (a row over the rhos) at a time: from each group's area vector
    and the row's coefficient per group (a compiled grid), or from totals evaluated point by point."""

    def __init__(self, width: int, vectors: list[list[int]],
                 coefficients: list[tuple[int, int, list[tuple[int, int]]]],
                 evaluated: list[tuple[list[int], list[int]]]):
        self.width = width
        self.vectors = vectors
        self.coefficients = coefficients  # per alpha: fixed Mult-Adds, fixed params, (Mult-Adds, params) per group
        self.evaluated = evaluated
        # each vector as one integer of 64-bit slots, when every area fits one (_packed_row)
        self._packed = ([int.from_bytes(array("Q", vector).tobytes(), sys.byteorder) for vector in vectors]
                        if SLOT_BYTES == 8 and all(max(vector) < WORD for vector in vectors) else None)
        self._largest = [max(vector) for vector in vectors]

    @property
    def rows(self) -> int:
        return len(self.evaluated or self.coefficients)

    def row(self, i: int) -> tuple[list[int], list[int]]:
        """The Mult-Adds and the params at alpha number ``i`` and every rho, in order."""
        if self.evaluated:
            return self.evaluated[i]
        fixed, params, per_group = self.coefficients[i]
        return (self._row(fixed, [m for m, _p in per_group]), self._row(params, [p for _m, p in per_group]))

    def _row(self, constant: int, coefficients: list[int]) -> list[int]:
        """``constant + Σ coefficient · vector``, elementwise over the rhos."""
        if not any(coefficients):
            return [constant] * self.width
        largest = constant + sum(c * top for c, top in zip(coefficients, self._largest))
        if self._packed is not None and largest < WORD and constant >= 0 and min(coefficients) >= 0:
            return _packed_row(constant, coefficients, self._packed, self.width)
        return _combine(constant, [(c, v) for c, v in zip(coefficients, self.vectors) if c], self.width)


WORD = 1 << 64
SLOT_BYTES = array("Q").itemsize  # 8 wherever C's unsigned long long is 64 bits (else the maps of _combine)


def _packed_row(constant: int, coefficients: list[int], packed: list[int], width: int) -> list[int]:
    """The row computed on whole vectors at once: a vector packed as ``Σ_j area_j · 2^(64·j)`` times a
    coefficient is every ``coefficient · area_j`` in its own slot, and sums of such stay slot by slot, with no
    carry from one slot into the next, while every total is non-negative and below 2^64 (the caller checks
    that with each group's largest area). A few big-integer products per alpha instead of one Python step per
    point; exact, like every integer here, and read back 64 bits at a time."""
    total = constant * int.from_bytes(array("Q", [1] * width).tobytes(), sys.byteorder) if constant else 0
    for coefficient, vector in zip(coefficients, packed):
        if coefficient:
            total += coefficient * vector
    return memoryview(total.to_bytes(8 * width, sys.byteorder)).cast("Q").tolist()


def _combine(constant: int, terms: list[tuple[int, list[int]]], width: int) -> list[int]:
    """``constant + Σ coefficient · vector`` elementwise, a whole row per step (``map`` over ints: exact, and no
    Python-level loop per point): for totals that a 64-bit slot cannot hold."""
    coefficient, vector = terms[0]
    row = list(map(coefficient.__mul__, vector))
    for coefficient, vector in terms[1:]:
        row = list(map(add, row, map(coefficient.__mul__, vector)))
    return list(map(constant.__add__, row)) if constant else row
