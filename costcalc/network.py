"""The network: a spec's entries resolved into a sequence of named layer nodes, and shape propagation.

Repeats are unrolled and sugar kinds (``separable``) expanded here, so everything downstream sees plain
layers in order. Each node keeps the source location of the spec entry it came from, so that a shape
problem found while propagating is reported at the right line, with the layer's name.
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple

from costcalc.arith import ShapeError
from costcalc.errors import Diagnostic, Location, SpecError
from costcalc.layers.base import Layer, Shape
from costcalc.spec.model import Entry, LayerEntry, Spec

MAX_LAYERS = 100_000


class Node(NamedTuple):
    name: str
    layer: Layer
    location: Location


class Network(NamedTuple):
    spec: Spec
    nodes: tuple[Node, ...]


def _count(entries: tuple[Entry, ...]) -> int:
    total = 0
    for entry in entries:
        if isinstance(entry, LayerEntry):
            total += len(entry.layer.expand())
        else:
            total += entry.count * _count(entry.body)
        if total > MAX_LAYERS:
            return total
    return total


def build_network(spec: Spec) -> Network:
    """Unroll repeats, expand sugar, and name every layer: given names are kept (inside a repeat they get
    ``_1``, ``_2``, ... suffixes), and generated ones never take a name the spec gives."""
    size = _count(spec.body)
    if size > MAX_LAYERS:
        raise SpecError(Diagnostic(Location(spec.path, 1, 1), f"the network expands to more than {MAX_LAYERS:,} layers"))
    flat: list[tuple[Layer, Location, str | None]] = []

    def unroll(entries: tuple[Entry, ...], suffix: str) -> None:
        for entry in entries:
            if isinstance(entry, LayerEntry):
                flat.extend((layer, entry.location, f"{layer.name}{suffix}" if layer.name else None)
                            for layer in entry.layer.expand())
            else:
                for index in range(1, entry.count + 1):
                    unroll(entry.body, f"{suffix}_{index}" if entry.count > 1 else suffix)

    unroll(spec.body, "")
    given: dict[str, Location] = {}
    problems = []
    for _layer, location, name in flat:
        if name is None:
            continue
        if name in given:
            problems.append(Diagnostic(location, f"duplicate layer name '{name}' (first at line {given[name].line})"))
        given.setdefault(name, location)
    if problems:
        raise SpecError(problems)

    nodes: list[Node] = []
    taken = set(given)
    counters: dict[str, int] = {}
    owner: str | None = None  # the last layer that batch norms and activations are named after
    for layer, location, name in flat:
        if name is None:
            name = _generated_name(layer, owner, counters, taken)
            taken.add(name)
        if not layer.follows_previous:
            owner = name
        nodes.append(Node(name=name, layer=layer, location=location))
    return Network(spec=spec, nodes=tuple(nodes))


def _generated_name(layer: Layer, owner: str | None, counters: dict[str, int], taken: set[str]) -> str:
    first = candidate = layer.default_name(owner, counters)
    attempt = 1
    while candidate in taken:
        attempt += 1
        retry = layer.default_name(owner, counters)  # counted names move on: conv_2 -> conv_3
        candidate = retry if retry != first else f"{first}_{attempt}"
    return candidate


def propagate(network: Network, input_shape: Shape, arith: Any) -> Iterator[tuple[Node, Shape, Shape, dict[str, Any]]]:
    """Yield each node with its input shape, output shape and cost components under ``arith``."""
    shape = input_shape
    for node in network.nodes:
        try:
            output = node.layer.output_shape(shape, arith)
            if arith.exact:
                arith.require(output.height >= 1 and output.width >= 1,
                              f"the output would be {output}: the feature map has shrunk to nothing")
            costs = node.layer.costs(shape, output, arith)
        except ShapeError as error:
            raise SpecError(Diagnostic(node.location, f"layer '{node.name}' (input {shape}): {error}")) from None
        yield node, shape, output, costs
        shape = output
