"""The image's way through an ONNX graph: which input is the image, and the op (``costcalc.onnx.lower``) of every
node on its way, in topological order, with concrete shapes at the import size.

The image is the graph input that a node reads as its data (the first input of a convolution, a pool, a
norm...); every other graph input is a weight given as an input (a graph exported without initializers).
A node that reads the image's data through any input is on its way, except ``Shape`` and ``Size``, whose
outputs are shape arithmetic (``costcalc.onnx.values``).
"""

from __future__ import annotations

from typing import NamedTuple

from costcalc.onnx.constructs import Layouts
from costcalc.onnx.lower import Op, lower
from costcalc.onnx.model import Graph, Tensor, fail
from costcalc.onnx.values import Const, Data, Value, evaluate, initial_values, param_of, topological

DEFAULT_SIZE = 224  # pixels, for a symbolic height or width (docs/onnx.md, "Sizes and α")
# Ops whose first input is their data and whose other inputs are weights or settings: a graph input read there
# first is the image.
READS_DATA_FIRST = frozenset({"Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool",
                              "GlobalMaxPool", "Relu", "Clip", "Gemm", "Flatten", "Reshape", "Transpose",
                              "LayerNormalization", "Sigmoid", "HardSwish", "Pad", "Resize", "Slice", "Split"})


class Trace(NamedTuple):
    ops: tuple[Op, ...]
    image: Tensor
    input_dims: tuple[int, ...]  # N, C, H, W as evaluated
    symbolic: tuple[str, ...]  # the names of a symbolic height and width
    output: str  # the data tensor the network gives
    declared_output: tuple[int | str, ...] | None


def find_image(graph: Graph) -> Tensor:
    """The graph input that is the image (E573 when there is none, or more than one)."""
    candidates = [tensor for tensor in graph.inputs if tensor.name]
    if len(candidates) > 1:  # weights given as inputs: the image is read as data, or has a symbolic size
        read_first = {name for node in graph.nodes if node.op_type in READS_DATA_FIRST for name in node.inputs[:1]}
        as_data = [tensor for tensor in candidates if tensor.name in read_first  # an image is 4-d; a weight
                   and len(tensor.dims or (0,) * 4) == 4]                      # clamped first (Swin V2's) is not
        symbolic = [tensor for tensor in candidates if any(not isinstance(dim, int) for dim in tensor.dims or ())]
        candidates = as_data if len(as_data) == 1 or len(symbolic) != 1 else symbolic
    if len(candidates) != 1:
        what = "no graph input" if not candidates else f"{len(candidates)} graph inputs that nodes read as data"
        raise fail(graph.path, f"the graph has {what}; costcalc counts a network with one image input", "E573")
    image = candidates[0]
    if image.dims is None or len(image.dims) != 4 or not isinstance(image.dims[1], int) or image.dims[1] < 1:
        raise fail(graph.path, f"the image input {image.name!r:.60} is not N x C x H x W with a known number of "
                               f"channels (its shape: {list(image.dims) if image.dims else 'not given'!s:.80})",
                   "E573")
    return image


def trace(graph: Graph, size: int | None = None) -> Trace:
    image = find_image(graph)
    assert image.dims is not None
    symbolic = tuple(str(dim) for dim in image.dims[2:] if not isinstance(dim, int) or dim < 1)
    height, width = (dim if isinstance(dim, int) and dim >= 1 else (size or DEFAULT_SIZE) for dim in image.dims[2:])
    dims = (1, int(image.dims[1]), int(height), int(width))
    values: dict[str, Value] = initial_values(graph, image.name, None)
    values[image.name] = Data(dims, "nchw")
    ops = []
    layouts = Layouts()
    for node in topological(graph):
        inputs = [values.get(name) if name else None for name in node.inputs]
        if node.op_type in ("Shape", "Size") and inputs and isinstance(inputs[0], Data):
            shape = inputs[0].dims
            result: Value = Const((len(shape),), shape) if node.op_type == "Shape" else Const((), (_count(shape),))
            values[node.outputs[0]] = result
            continue
        if any(isinstance(value, Data) for value in inputs):
            op = layouts.settle(lower(node, inputs, graph.path), inputs)
            ops.append(op)
            for name, out in zip(op.outputs, op.out):
                values[name] = out
            continue
        known = evaluate(node, inputs)
        for name in node.outputs:
            if name:
                values[name] = known if known is not None and len(node.outputs) == 1 else param_of(node, inputs)
    outputs = [tensor for tensor in graph.outputs if isinstance(values.get(tensor.name), Data)]
    if len(outputs) != 1:
        raise fail(graph.path, f"the graph has {len(outputs)} outputs that depend on the image; costcalc counts a "
                               "network with one output", "E573")
    return Trace(tuple(ops), image, dims, symbolic, outputs[0].name, outputs[0].dims)


def _count(shape: tuple[int, ...]) -> int:
    total = 1
    for dim in shape:
        total *= dim
    return total

