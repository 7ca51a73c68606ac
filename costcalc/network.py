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
    """Unroll repeats, expand sugar, and name every layer (given names kept, others generated)."""
    size = _count(spec.body)
    if size > MAX_LAYERS:
        raise SpecError(Diagnostic(Location(spec.path, 1, 1), f"the network expands to more than {MAX_LAYERS:,} layers"))
    nodes: list[Node] = []
    counters: dict[str, int] = {}
    owner: list[str] = []  # the last node that batch norms and activations are named after
    named_at: dict[str, Location] = {}
    problems: list[Diagnostic] = []

    def add(entries: tuple[Entry, ...], suffix: str) -> None:
        for entry in entries:
            if not isinstance(entry, LayerEntry):
                for index in range(1, entry.count + 1):
                    add(entry.body, f"{suffix}_{index}" if entry.count > 1 else suffix)
                continue
            for layer in entry.layer.expand():
                previous = owner[-1] if owner else None
                if layer.name:
                    name = f"{layer.name}{suffix}"
                    if name in named_at:
                        first = named_at[name]
                        problems.append(Diagnostic(entry.location, f"duplicate layer name '{name}' (first at line {first.line})"))
                else:
                    name = layer.default_name(previous, counters)
                    while name in named_at:  # a generated name never takes a name given in the spec
                        name = f"{name}_"
                named_at[name] = entry.location
                if not layer.follows_previous:
                    owner.append(name)
                nodes.append(Node(name=name, layer=layer, location=entry.location))

    add(spec.body, "")
    if problems:
        raise SpecError(problems)
    return Network(spec=spec, nodes=tuple(nodes))


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
