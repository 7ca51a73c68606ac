"""What each ONNX op that reads the image becomes: a costcalc layer kind with its fields, or a piece of structure
(a join, a split, a layout change) for ``costcalc.onnx.fuse`` and ``costcalc.onnx.structure`` to assemble. This
table is docs/onnx.md's "What maps to what"; the counts come from costcalc's own kinds, never from here.

Each rule gets the node and the values of its inputs (``costcalc.onnx.values``) and returns an ``Op`` with
the output's concrete dimensions. An op costcalc has no kind for either keeps its input's shape (an
elementwise op: it is left out, and listed, W170) or is a located error (E574), never a silent zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from costcalc.onnx.model import Node, fail
from costcalc.onnx.values import Const, Data, Param, Value

# Elementwise ops costcalc has no kind for: their output has their input's shape, so they are left out (W170).
ELEMENTWISE = frozenset({
    "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos", "Softsign",
    "Softplus", "Erf", "Sign", "ThresholdedRelu", "Celu", "PRelu", "Shrink", "LRN", "InstanceNormalization",
    "LogSoftmax", "Hardmax", "Not", "IsNaN", "IsInf", "Relu6", "Pow", "Sub", "Div", "Min", "Max", "Mean",
    "Sum", "Where", "Equal", "Less", "Greater",
})
ACTIVATIONS = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Elu": "elu", "Selu": "selu", "Sigmoid": "sigmoid",
               "Tanh": "tanh", "HardSwish": "hard_swish", "HardSigmoid": "hard_sigmoid", "Gelu": "gelu",
               "Mish": "mish"}
NOOPS = frozenset({"Identity", "Cast"})
HINT = "costcalc:"  # a node's doc_string from `costcalc export` (docs/onnx.md, "Export")


class Op(NamedTuple):
    """One step of the imported network: a spec kind (``conv``, ``batch_norm``, ...) or a structural kind
    (``noop``, ``add``, ``mul``, ``concat``, ``split``, ``slice``, ``reshape``, ``transpose``, ``bias``,
    ``scalar``, ``linear``, ``unmapped``), reading and writing data tensors."""

    kind: str
    fields: dict[str, Any]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    node: Node
    out: tuple[Data, ...]
    folded: tuple[Node, ...] = ()  # other ONNX nodes this op stands for (costcalc.onnx.fuse)


Maker = Callable[..., Op]


def channel_axis(data: Data) -> int | None:
    return {"nchw": 1, "nhwc": 3, "flat": 1}.get(data.layout)


def channels(data: Data) -> int:
    axis = channel_axis(data)
    return data.dims[axis] if axis is not None else 0


def _pair(values: Any, default: int) -> tuple[int, int]:
    values = tuple(values) if values else (default, default)
    if len(values) != 2 or any(not isinstance(v, int) or v < 1 for v in values):
        raise ValueError(f"expected two whole numbers of at least 1, got {values!r:.60}")
    return values[0], values[1]


def _window(node: Node, x: Data, kernel: tuple[int, int], ceil: bool = False,
            pool: bool = False) -> tuple[dict[str, Any], int, int]:
    """The stride, padding and dilation fields of a convolution or pool, and its output height and width
    (ONNX's formulas: onnx/defs/nn/defs.cc, convPoolShapeInference)."""
    a = node.attributes
    stride = _pair(a.get("strides"), 1)
    dilation = _pair(a.get("dilations"), 1)
    auto = str(a.get("auto_pad", "NOTSET"))
    size = x.dims[2:4]
    fields: dict[str, Any] = {} if stride == (1, 1) and not pool else {"stride": _compact(stride)}
    if dilation != (1, 1):
        fields["dilation"] = _compact(dilation)
    span = [dilation[i] * (kernel[i] - 1) + 1 for i in range(2)]
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        fields["padding"] = "same"
        return fields, -(-size[0] // stride[0]), -(-size[1] // stride[1])
    pads = tuple(a.get("pads") or (0, 0, 0, 0)) if auto != "VALID" else (0, 0, 0, 0)
    if len(pads) != 4 or any(not isinstance(p, int) or p < 0 for p in pads):
        raise ValueError(f"'pads' must be four whole numbers, got {pads!r:.60}")
    out = []
    for i in range(2):
        room = size[i] + pads[i] + pads[i + 2] - span[i]
        if room < 0:
            raise ValueError(f"its window ({span[i]}) is larger than its padded input ({size[i]})")
        out.append((-(-room // stride[i]) if ceil else room // stride[i]) + 1)
    if pads[0] == pads[2] and pads[1] == pads[3]:
        fields["padding"] = _compact((pads[0], pads[1]))
    elif not ceil and out == [-(-size[0] // stride[0]), -(-size[1] // stride[1])]:
        fields["padding"] = "same"  # asymmetric, as TensorFlow's SAME pads: the same output size at this size
    else:
        raise ValueError(f"its padding {pads!r:.60} is not the same on both sides, which a spec cannot write")
    return fields, out[0], out[1]


def _compact(pair: tuple[int, int]) -> Any:
    return pair[0] if pair[0] == pair[1] else [pair[0], pair[1]]


def _param_dims(value: Value | None) -> tuple[int, ...] | None:
    if isinstance(value, (Param, Const)) and value.dims is not None and all(isinstance(d, int) for d in value.dims):
        return tuple(int(d) for d in value.dims)
    return None


def _scalar(value: Value | None) -> Any:
    if isinstance(value, Const) and len(value.values) == 1:
        return value.values[0]
    return None


def lower(node: Node, inputs: list[Value | None], path: str) -> Op:
    """The op ``node`` is: its first data input is ``inputs``' first ``Data`` (a located error, E574, when it
    cannot be followed)."""
    try:
        return _lower(node, inputs)
    except (ValueError, TypeError, IndexError, ZeroDivisionError) as error:
        raise fail(path, f"{node.where()}: {error}", "E574") from None


def _data_inputs(node: Node, inputs: list[Value | None]) -> tuple[tuple[str, ...], list[Data]]:
    names = tuple(name for name, value in zip(node.inputs, inputs) if isinstance(value, Data))
    return names, [value for value in inputs if isinstance(value, Data)]


def _lower(node: Node, inputs: list[Value | None]) -> Op:  # noqa: C901 - one table, one branch per op
    op, a = node.op_type, node.attributes
    names, data = _data_inputs(node, inputs)
    x = data[0]
    first = names[0]
    hint = node.doc.strip()[len(HINT):].strip() if node.doc.strip().startswith(HINT) else ""

    def make(kind: str, fields: dict[str, Any], *out: Data, reads: tuple[str, ...] = (first,)) -> Op:
        return Op(kind, fields, reads, tuple(node.outputs[:len(out)]), node, out)

    if node.domain not in ("", "ai.onnx"):
        raise ValueError(f"it is an op of the domain {node.domain!r:.40}, which costcalc does not know")
    if op in NOOPS:
        if op == "Identity" and hint.startswith("stochastic_depth"):
            return make("stochastic_depth", {}, x)
        return make("noop", {}, x)
    if op in ("Conv", "ConvTranspose") and x.layout != "nchw":
        raise ValueError(f"it reads a {len(x.dims)}-d tensor; costcalc counts 2-d convolutions of N x C x H x W maps")
    if op == "Conv":
        weight = _param_dims(inputs[1] if len(inputs) > 1 else None)
        if weight is None or len(weight) != 4:
            raise ValueError("the shape of its weight is not given (a 4-d tensor in the file)")
        groups = a.get("group", 1)
        m, per_group = weight[0], weight[1]
        if not isinstance(groups, int) or groups < 1 or per_group * groups != x.dims[1] or m % groups or m < 1:
            raise ValueError(f"its weight {list(weight)} and group {groups} do not fit its {x.dims[1]} input channels")
        kernel = _pair(a.get("kernel_shape") or weight[2:], 1)
        fields, h, w = _window(node, x, kernel)
        bias = len(node.inputs) > 2 and bool(node.inputs[2])
        if groups == x.dims[1] and groups > 1 or (groups == 1 == x.dims[1] and m == 1):
            fields = {"kernel": _compact(kernel), **fields}
            if m != x.dims[1]:
                fields["depth_multiplier"] = m // x.dims[1]
            kind = "depthwise"
        else:
            fields = {"kernel": _compact(kernel), "filters": m, **fields}
            if groups > 1:
                fields["groups"] = groups
            kind = "conv"
        if bias:
            fields["bias"] = True
        return make(kind, fields, Data((x.dims[0], m, h, w), "nchw"))
    if op == "BatchNormalization":
        return make("batch_norm", {}, x)
    if op in ACTIVATIONS:
        return make("activation", {"function": ACTIVATIONS[op]}, x)
    if op == "Clip":
        low = _scalar(inputs[1]) if len(inputs) > 1 else a.get("min")
        high = _scalar(inputs[2]) if len(inputs) > 2 else a.get("max")
        if low == 0 and high == 6:
            return make("activation", {"function": "relu6"}, x)
        if low == 0 and (high is None or high == float("inf")):
            return make("activation", {"function": "relu"}, x)
        return make("unmapped", {}, x)
    if op in ("MaxPool", "AveragePool"):
        if x.layout != "nchw":
            raise ValueError("it pools a tensor that is not N x C x H x W")
        kernel = _pair(a.get("kernel_shape"), 1)
        if op == "MaxPool" and tuple(a.get("dilations") or (1, 1)) != (1, 1):
            raise ValueError("a dilated max pool has no costcalc kind")
        ceil = bool(a.get("ceil_mode", 0))
        fields, h, w = _window(node, x, kernel, ceil, pool=True)  # a pool's stride defaults to its window
        if hint == "adaptive_avg_pool" and op == "AveragePool":
            return make("adaptive_avg_pool", {"size": _compact((h, w))}, Data((x.dims[0], x.dims[1], h, w), "nchw"))
        fields = {"kernel": _compact(kernel), **fields}
        if ceil and fields.get("padding") != "same":
            fields["ceil_mode"] = True
        return make("max_pool" if op == "MaxPool" else "avg_pool", fields, Data((x.dims[0], x.dims[1], h, w), "nchw"))
    if op in ("GlobalAveragePool", "GlobalMaxPool") and x.layout == "nchw":
        kind = "global_avg_pool" if op == "GlobalAveragePool" else "global_max_pool"
        return make(kind, {}, Data((x.dims[0], x.dims[1], 1, 1), "nchw"))
    if op in ("ReduceMean", "ReduceMax") and x.layout == "nchw":
        axes = a.get("axes") or (tuple(inputs[1].values) if len(inputs) > 1 and isinstance(inputs[1], Const) else ())
        if sorted(int(v) % 4 for v in axes) == [2, 3]:
            kind = "global_avg_pool" if op == "ReduceMean" else "global_max_pool"
            keep = a.get("keepdims", 1)
            out = Data((x.dims[0], x.dims[1], 1, 1), "nchw") if keep else Data((x.dims[0], x.dims[1]), "flat")
            return make(kind, {}, out)
        raise ValueError(f"it reduces over the axes {list(axes)!r:.60}; costcalc pools over height and width only")
    if op in ("Flatten", "Reshape", "Squeeze", "Unsqueeze"):
        return _reshape(node, inputs, x, make)
    if op == "Transpose":
        perm = tuple(a.get("perm") or ())
        if (x.layout, perm) == ("nchw", (0, 2, 3, 1)):
            return make("noop", {}, Data(tuple(x.dims[i] for i in perm), "nhwc"))
        if (x.layout, perm) == ("nhwc", (0, 3, 1, 2)):
            return make("noop", {}, Data(tuple(x.dims[i] for i in perm), "nchw"))
        if len(perm) == len(x.dims) and sorted(perm) == list(range(len(x.dims))):
            layout = "flat" if x.layout == "flat" and perm == (0, 1) else "other"
            return make("transpose", {"perm": perm}, Data(tuple(x.dims[i] for i in perm), layout))
        raise ValueError(f"its permutation {list(perm)!r:.60} does not fit its {len(x.dims)}-d input")
    if op in ("Gemm", "MatMul"):
        return _linear(node, inputs, x, make)
    if op in ("Add", "Mul", "Sub", "Div"):
        return _binary(node, inputs, names, data, make)
    if op == "Concat":
        axis = a.get("axis", 1) % len(x.dims)
        if axis != channel_axis(x) or any(d.layout != x.layout for d in data):
            raise ValueError("it concatenates along an axis that is not the channels")
        total = sum(d.dims[axis] for d in data)
        return make("concat", {}, Data(x.dims[:axis] + (total,) + x.dims[axis + 1:], x.layout), reads=names)
    if op == "Split":
        return _split(node, inputs, x, make)
    if op == "Slice":
        return _slice(node, inputs, x, make)
    if op == "Softmax":
        axis = a.get("axis", -1) % len(x.dims)
        if axis != channel_axis(x) or x.layout == "nchw" and x.dims[2:] != (1, 1) and a.get("axis", -1) == -1:
            raise ValueError("it takes the softmax along an axis that is not the channels")
        return make("softmax", {}, x)
    if op == "Dropout":
        return make("dropout", {}, x)
    if op == "LayerNormalization":
        axis = a.get("axis", -1) % len(x.dims)
        if axis == len(x.dims) - 1 and axis == channel_axis(x):
            return make("layer_norm", {}, x)
        raise ValueError("it normalises over more than the channels; costcalc's layer_norm normalises each "
                         "position over its channels")
    if op in ELEMENTWISE:
        return make("unmapped", {}, x)
    raise ValueError(f"costcalc has no kind for {op!r:.40} and cannot tell the shape it gives")


def _reshape(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    op = node.op_type
    if op == "Flatten":
        axis = node.attributes.get("axis", 1) % max(len(x.dims), 1)
        if axis != 1:
            raise ValueError("it flattens from an axis other than 1")
        target: tuple[int, ...] = (x.dims[0], _product(x.dims[1:]))
    elif op == "Reshape":
        shape = inputs[1] if len(inputs) > 1 else None
        if not isinstance(shape, Const):
            raise ValueError("its target shape is not known (it is neither a constant nor shape arithmetic)")
        target = _target(x.dims, tuple(int(v) for v in shape.values))
    else:
        axes_value = node.attributes.get("axes") or (
            tuple(inputs[1].values) if len(inputs) > 1 and isinstance(inputs[1], Const) else ())
        target = _squeezed(x.dims, tuple(int(v) for v in axes_value), op == "Unsqueeze")
    if _product(target) != _product(x.dims):
        raise ValueError(f"it reshapes {list(x.dims)} to {list(target)!r:.80}, which holds a different number of "
                         "values")
    if target == x.dims:
        return make("noop", {}, x)
    if len(x.dims) == 4 and x.layout == "nchw" and len(target) == 2:
        if x.dims[2:] == (1, 1):
            return make("noop", {}, Data(target, "flat"))
        return make("flatten", {}, Data(target, "flat"))
    if len(x.dims) == 2 and len(target) == 4 and target[2:] == (1, 1):
        return make("noop", {}, Data(target, "nchw"))
    layout = {4: "nchw", 2: "flat"}.get(len(target), "other")  # a shuffle's way back to N x C x H x W
    return make("reshape", {"dims": target}, Data(target, layout))


def _product(dims: tuple[int, ...]) -> int:
    total = 1
    for dim in dims:
        total *= dim
    return total


def _target(dims: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    out = [dims[i] if v == 0 and i < len(dims) else v for i, v in enumerate(shape)]
    if out.count(-1) > 1 or any(v < -1 for v in out):
        raise ValueError(f"its target shape {list(shape)!r:.60} is not one ONNX allows")
    if -1 in out:
        known = _product(tuple(v for v in out if v != -1))
        if known == 0 or _product(dims) % known:
            raise ValueError(f"its target shape {list(shape)!r:.60} does not divide its input {list(dims)}")
        out[out.index(-1)] = _product(dims) // known
    return tuple(out)


def _squeezed(dims: tuple[int, ...], axes: tuple[int, ...], unsqueeze: bool) -> tuple[int, ...]:
    out = list(dims)
    if unsqueeze:
        rank = len(dims) + len(axes)
        for axis in sorted(a % rank for a in axes):
            out.insert(axis, 1)
        return tuple(out)
    chosen = {a % len(dims) for a in axes} if axes else {i for i, d in enumerate(dims) if d == 1}
    return tuple(d for i, d in enumerate(dims) if i not in chosen or d != 1)


def _linear(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    a = node.attributes
    if sum(isinstance(value, Data) for value in inputs[:2]) == 2:
        raise ValueError("it multiplies two activations (attention); costcalc has no kind for that yet")
    if not isinstance(inputs[0], Data):
        raise ValueError("its data is its second operand, which costcalc does not read")
    weight = _param_dims(inputs[1] if len(inputs) > 1 else None)
    if weight is None or len(weight) != 2:
        raise ValueError("the shape of its weight is not given (a 2-d tensor in the file)")
    if node.op_type == "Gemm" and a.get("transA", 0):
        raise ValueError("it transposes its input (transA)")
    k, m = (weight[1], weight[0]) if node.op_type == "Gemm" and a.get("transB", 0) else weight
    if x.layout not in ("flat", "nhwc") or x.dims[-1] != k:
        raise ValueError(f"its weight {list(weight)} does not fit its input {list(x.dims)} (a fully connected layer "
                         "reads N x C, or the channels of N x H x W x C)")
    bias = node.op_type == "Gemm" and len(node.inputs) > 2 and bool(node.inputs[2])
    return make("linear", {"units": m, "bias": bias}, Data(x.dims[:-1] + (m,), x.layout))


def _binary(node: Node, inputs: list[Value | None], names: tuple[str, ...], data: list[Data], make: Maker) -> Op:
    op = node.op_type
    x = data[0]
    if len(data) == 2:
        big, small = sorted(data, key=lambda d: -_product(d.dims))
        if op == "Mul" and big.layout == small.layout == "nchw" and small.dims == big.dims[:2] + (1, 1):
            return make("mul", {}, big, reads=names)  # a map scaled per channel: squeeze-and-excitation
        if data[0].dims != data[1].dims:
            raise ValueError(f"it combines a {list(data[0].dims)} and a {list(data[1].dims)} tensor by broadcasting")
        if op in ("Add", "Mul"):
            return make("add" if op == "Add" else "mul", {}, x, reads=names)
        raise ValueError(f"costcalc has no kind for {op} of two branches")
    other = next(value for value in inputs if not isinstance(value, Data))
    dims = _param_dims(other)
    if dims is not None and _product(dims) > 1 and _product(dims) == channels(x) and op in ("Add", "Mul"):
        return make("bias" if op == "Add" else "layer_scale", {}, x)
    if dims is not None and _product(dims) == 1 or _scalar(other) is not None:
        return make("scalar", {"value": _scalar(other)}, x)
    raise ValueError(f"it combines its input with a constant of shape {list(dims or ())!r:.60} that is neither "
                     "one value nor one per channel")


def _split(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    axis = node.attributes.get("axis", 0) % len(x.dims)
    if axis != channel_axis(x):
        raise ValueError("it splits along an axis that is not the channels")
    parts = len(node.outputs)
    sizes = node.attributes.get("split") or (
        tuple(inputs[1].values) if len(inputs) > 1 and isinstance(inputs[1], Const) else ())
    if sizes and len(set(sizes)) != 1 or x.dims[axis] % parts:
        raise ValueError(f"it splits {x.dims[axis]} channels into parts that are not equal")
    each = x.dims[axis] // parts
    out = Data(x.dims[:axis] + (each,) + x.dims[axis + 1:], x.layout)
    return make("split", {"parts": parts}, *([out] * parts))


def _slice(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    known = [tuple(value.values) if isinstance(value, Const) else () for value in inputs[1:5]]
    starts, ends = known[0] if known else (), known[1] if len(known) > 1 else ()
    axes = known[2] if len(known) > 2 else tuple(range(len(starts)))
    steps = known[3] if len(known) > 3 and known[3] else (1,) * len(starts)
    axis = channel_axis(x)
    if len(starts) != 1 or len(ends) != 1 or len(axes) != 1 or tuple(steps) != (1,) or axis is None \
            or int(axes[0]) % len(x.dims) != axis:
        raise ValueError("it slices along something other than one stretch of the channels (or its bounds are not "
                         "known)")
    size = channels(x)
    start, end = (max(0, min(size, int(v) + size if int(v) < 0 else int(v))) for v in (starts[0], ends[0]))
    return make("slice", {"start": start, "end": end}, Data(x.dims[:axis] + (end - start,) + x.dims[axis + 1:],
                                                            x.layout))

