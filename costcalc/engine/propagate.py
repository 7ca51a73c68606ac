"""Shape propagation: a built network's nodes in order, each with its layer, input and output shapes and cost
components under an arithmetic (exact integers at one alpha, or sympy symbols).

Channel counts written as expressions of ``in``, ``block_in`` or ``alpha`` (or calling ``head`` and
``expanded``, which read the width rule) are filled in here, when their inputs are known
(costcalc.spec.values.Bound). So are the conditions that read the channels (costcalc.spec.build.Condition): a
node whose condition fails passes its input through, costs nothing and is not yielded. A layer in a
params-only branch (``node.idle``) reports its parameters only, as ``<component>.idle``
(costcalc.layers.components.idle): it never runs. Tokens reach only the kinds that take them
(``takes_tokens``); any other kind refuses them here, whatever it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from costcalc.engine.arith import ExactArith, IdleArith
from costcalc.errors import Diagnostic, ShapeError, SpecError
from costcalc.layers.base import Arith, Layer, Shape, Tokens
from costcalc.layers.components import idle
from costcalc.layers.graph import Merge
from costcalc.source.problems import describe
from costcalc.spec.build import Network, Node

MAX_SHAPE_BITS = 128  # a feature map's height, width and channels stay below 2**128 (docs/spec-format.md, "Numbers")


SCALED_FIELDS = frozenset({"filters", "units", "squeeze"})  # the channel counts alpha scales (unless fixed)


def within_bounds(shape: Shape) -> bool:
    """Whether a feature map's sizes are below ``2**MAX_SHAPE_BITS``: repeated concats or depth multipliers
    can grow channels layer after layer past anything that prints (every count is bounded by its shapes)."""
    return all(size.bit_length() <= MAX_SHAPE_BITS for size in shape)


def shown_shape(shape: Shape) -> str:
    """``h×w×c`` for a message, a huge size as its number of digits: ``8×8×(39 digits)``."""
    from costcalc.quantities import shown_integer

    return "×".join(str(size) if size.bit_length() <= 100 else f"({shown_integer(size).removeprefix('a number of ')})"
                    for size in shape)


def _resolve(layer: Layer, fields: tuple[str, ...], channels_in: Any, block_in: Any, arith: Arith,
             scaling: Any) -> Layer:
    """``layer`` with its runtime channel counts computed from the channels flowing in, alpha and the width rule."""
    from costcalc.spec.expressions import ExprError

    env = {"in": channels_in, "block_in": block_in, "alpha": arith.alpha}
    changes: dict[str, Any] = {}
    for name in fields:
        bound = getattr(layer, name)
        try:
            value = bound.expr.evaluate({**bound.args, **env}, ideal=not arith.exact, scaling=scaling)
        except ExprError as error:
            raise ShapeError(f"'{name}': {error.message} (in '{bound.expr.text}')", error.code) from None
        if arith.exact and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ShapeError(f"'{name}: {bound.expr.text}' gives {describe(value)} with in = {channels_in}, "
                             f"block_in = {block_in}; a channel count must be a whole number of at least 1 "
                             "(round it with floor, ceil, round or make_divisible)", "E405")
        changes[name] = value
    if SCALED_FIELDS.intersection(fields):
        changes["fixed"] = True  # alpha is already in the channels the expression reads
    return layer.replace(**changes)


def _kept(node: Node, shapes: list[Shape], input_shape: Shape, arith: Arith,
          decided: dict[tuple[int, int], bool]) -> bool:
    """Whether every condition of ``node`` holds (each decided once per propagation)."""
    from costcalc.spec.expressions import ExprError

    for condition in node.conditions:
        key = (id(condition.args), condition.source)  # one per if/when built: then and else share its args
        known = decided.get(key)
        if known is None:
            if not arith.exact:
                raise ShapeError(f"no closed form: '{condition.expr.text}' decides the structure from the channels, "
                                 "which the closed form keeps as symbols", "E421")
            channels = (input_shape if condition.source < 0 else shapes[condition.source]).channels
            block_in = (input_shape if condition.block_input < 0 else shapes[condition.block_input]).channels
            try:
                value = condition.expr.evaluate({**condition.args, "in": channels, "block_in": block_in,
                                                 "alpha": arith.alpha})
            except ExprError as error:
                raise ShapeError(f"'{condition.expr.text}': {error.message}", error.code) from None
            if not isinstance(value, bool):
                raise ShapeError(f"'{condition.expr.text}' gives {describe(value)} with in = {channels}, block_in = "
                                 f"{block_in}; a condition is true or false", "E204")
            known = decided[key] = value
        if known != condition.keep:
            return False
    return True


def propagate(network: Network, input_shape: Shape, arith: Arith,
              memo: dict[Any, Any] | None = None) -> Iterator[tuple[Node, Layer, Shape, Shape, dict[str, Any]]]:
    """Yield each node with its layer (runtime channel counts filled in), input shape (a tuple of shapes for
    a merge), output shape and cost components under ``arith``.

    A layer object shared by many nodes (every copy of a ``repeat``, every use of a block) that meets the
    same input shape again gives the same output and costs, so those are computed once per (layer, input
    shape), exact or symbolic (sympy's expressions hash by structure): a network of 20,000 repeated layers
    costs a few distinct ones per alpha; a layer equal to the one just before it that meets the same input (a
    written-out list of 1,000 relus, each its own object) takes that one's. So are the channel counts of a
    layer written with expressions, per (layer, channels in, block_in): expressions are pure functions of those
    and alpha. The nodes then share one costs mapping, which nothing mutates.
    ``memo`` carries those across propagations of ``network`` under the same ``arith`` (a sweep's resolutions at
    one alpha, whose deeper maps meet the same sizes again)."""
    from costcalc.engine.arith import WidthScaling

    shapes: list[Shape] = []
    # (layer, input, its type, idle) -> (output, costs), and ("resolved", layer, channels in, block_in, idle) ->
    # (layer, the layer with its channel counts): the layers it holds keep their ids from being reused
    seen: dict[Any, Any] = {} if memo is None else memo
    decided: dict[tuple[int, int], bool] = {}
    scaling = WidthScaling(arith, network.spec.width)  # type: ignore[arg-type]
    last: tuple[Layer, Any, bool, tuple[Shape, Any]] | None = None  # the node before: its layer, input, idle, result
    for node in network.nodes:
        first = input_shape if node.inputs[0] < 0 else shapes[node.inputs[0]]
        layer = node.layer
        here = IdleArith(arith) if node.idle and isinstance(arith, ExactArith) else arith
        try:
            if node.conditions and not _kept(node, shapes, input_shape, arith, decided):
                shapes.append(first)  # passed through: its own layers are not there at this alpha
                continue
            if node.deferred:  # its channel counts, once per (layer, channels in): the copies of a repeat share it
                block_in = input_shape if node.block_input < 0 else shapes[node.block_input]
                resolution = ("resolved", id(layer), first.channels, block_in.channels, node.idle)
                resolved = seen.get(resolution)
                if resolved is None:
                    resolved = seen[resolution] = (layer, _resolve(layer, node.deferred, first.channels,
                                                                   block_in.channels, here, scaling))
                layer = resolved[1]
            merge = isinstance(layer, Merge)
            given: Any = tuple(input_shape if i < 0 else shapes[i] for i in node.inputs) if merge else first
            if not layer.takes_tokens:
                _refuse_tokens(layer, given if merge else (given,))
            key = (id(layer), given, type(given) if not merge else tuple(map(type, given)), node.idle)
            known = seen.get(key)
            if known is None and last is not None and type(layer) is type(last[0]) and last[2] == node.idle \
                    and type(given) is type(last[1]) and given == last[1] and layer == last[0]:
                known = seen[key] = last[3]  # an equal layer just met this input (a list of 1,000 relus)
            if known is not None:
                output, costs = known
            else:
                output = layer.merge_shape(given, here) if merge else layer.output_shape(given, here)  # type: ignore[attr-defined]
                if here is not arith:  # a params-only branch: no map of its shrinks to nothing (IdleArith)
                    output = output._replace(height=max(1, output.height), width=max(1, output.width))
                if arith.exact:
                    arith.require(output.height >= 1 and output.width >= 1,
                                  lambda: f"the output would be {output}: the feature map has shrunk "
                                                        "to nothing", "E404")
                    arith.require(within_bounds(output), lambda: f"the output would be "
                                  f"{shown_shape(output)}; a feature map's height, width and channels stay below "
                                  f"2^{MAX_SHAPE_BITS} (about 3.4e38)", "E408")
                costs = layer.merge_costs(given, output, here) if merge else layer.costs(given, output, here)  # type: ignore[attr-defined]
                known = seen[key] = (output, costs)
            last = (layer, given, node.idle, known)
        except ShapeError as error:
            raise SpecError(Diagnostic(node.location, f"layer '{node.name}' (input {first}): {error}",
                                       error.code)) from None
        shapes.append(output)
        yield node, layer, given, output, idle(costs) if node.idle else costs


def _refuse_tokens(layer: Layer, inputs: tuple[Shape, ...]) -> None:
    for shape in inputs:
        if isinstance(shape, Tokens):
            raise ShapeError(f"'{layer.kind}' works on feature maps, not on tokens ({shape}); take them back to "
                             "a map first (`to_map`), or use a kind that takes tokens (docs/kinds.md)", "E410")


def kept_network(network: Network, kept: list[int]) -> Network:
    """``network`` without the nodes its conditions left out (``kept``: the indices of the others, in order),
    each reference to a left-out node replaced by what it passed through: the network an evaluation describes,
    node for node with its rows (memory, blocks and the roofline read them side by side)."""
    new_index: dict[int, int] = {-1: -1}
    kept_set = set(kept)
    for old, node in enumerate(network.nodes):
        new_index[old] = kept.index(old) if old in kept_set else new_index[node.inputs[0]]
    nodes = tuple(node._replace(inputs=tuple(new_index[i] for i in node.inputs), block_input=new_index[node.block_input],
                                conditions=())
                  for old, node in enumerate(network.nodes) if old in kept_set)
    return network._replace(nodes=nodes, decided=True)
