"""Memory: bytes of activations and weights, and the peak of activations alive at once.

Assumptions (the docs and every report state them): each layer's output is a new tensor, except the kinds that
work in place (their ``in_place`` trait: batch norm, activations, dropout, stochastic depth, layer scale,
flatten, channel shuffle and channel split), fused into the layer before, as inference engines run them, which
allocate nothing, and the layers of a params-only branch, which never run (their weights are stored). An
attention's scores (heads x N x N for N tokens) are a layer's output like any other, so they count in the
peak while they are alive. A tensor is alive
from the layer that makes it until the last layer that reads it, or one of its in-place views; the network's
input is alive until its last use and the output at the end. Layers run in the spec's order (a topological
order of the graph), one at a time. The peak is the largest total of tensors alive while a layer runs: its
inputs, its output, and whatever a later layer still needs (a residual's shortcut, a concat's branches).
"""

from typing import NamedTuple

from costcalc.engine.results import Evaluation


class LayerMemory(NamedTuple):
    activation_bytes: int  # the output tensor it allocates (0 in place)
    input_bytes: int  # the tensors it reads (all of them, for a merge)
    weight_bytes: int  # its parameters under the report's convention
    alive_bytes: int  # everything alive while it runs


class Memory(NamedTuple):
    dtype: str
    layers: tuple[LayerMemory, ...]
    weight_bytes: int
    peak_activation_bytes: int
    peak_layer: int  # index of the layer at the peak (-1 when the network is empty)


def _elements(shape: tuple[int, int, int]) -> int:
    return shape[0] * shape[1] * shape[2]


def memory(evaluation: Evaluation, dtype: str = "fp32", batch: int = 1) -> Memory:
    """``batch``: images at once; activations are per batch, weights once (costcalc.analysis.batch)."""
    from costcalc.devices import DTYPES

    size = DTYPES[dtype]
    weight_size, size = size, size * batch
    nodes = evaluation.network.nodes
    rows = evaluation.layers
    # Which tensor each node's output is: its own (an allocating layer) or its input's (in place). Tensor -1 is
    # the network's input.
    tensor_of: list[int] = []
    tensor_bytes: dict[int, int] = {-1: _elements(evaluation.input_shape) * size}
    for index, (node, row) in enumerate(zip(nodes, rows)):
        if row.idle:  # never runs: no tensor, and it keeps none alive
            tensor_of.append(index)
            tensor_bytes[index] = 0
        elif row.layer.in_place:
            source = node.inputs[0]
            tensor_of.append(-1 if source < 0 else tensor_of[source])
        else:
            tensor_of.append(index)
            tensor_bytes[index] = _elements(row.output_shape) * size
    last_use: dict[int, int] = {tensor: -1 for tensor in tensor_bytes}
    for index, node in enumerate(nodes):
        if node.idle:
            continue
        for source in node.inputs:
            tensor = -1 if source < 0 else tensor_of[source]
            last_use[tensor] = max(last_use[tensor], index)
    if nodes:
        last_use[tensor_of[-1]] = len(nodes)  # the network's output is kept
    # Sweep the schedule: a tensor is alive from its creation (or the start, for the input) to its last use.
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for tensor, bytes_ in tensor_bytes.items():
        start = max(tensor, 0)
        starts.setdefault(start, []).append(bytes_)
        ends.setdefault(max(last_use[tensor], start), []).append(bytes_)
    alive = 0
    layers = []
    peak, peak_layer = 0, -1
    for index, (node, row) in enumerate(zip(nodes, rows)):
        alive += sum(starts.get(index, ()))
        inputs = set() if row.idle else {(-1 if source < 0 else tensor_of[source]) for source in node.inputs}
        layers.append(LayerMemory(
            activation_bytes=0 if row.layer.in_place or row.idle else tensor_bytes[index],
            input_bytes=sum(tensor_bytes[tensor] for tensor in inputs),
            weight_bytes=row.params * weight_size,
            alive_bytes=alive,
        ))
        if alive > peak:
            peak, peak_layer = alive, index
        alive -= sum(ends.get(index, ()))
    return Memory(dtype, tuple(layers), evaluation.params * weight_size, peak, peak_layer)
