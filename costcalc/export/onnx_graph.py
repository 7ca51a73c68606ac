"""``costcalc export SPEC -o MODEL.onnx``: a network, evaluated at one alpha and rho, as an ONNX graph that ONNX
Runtime runs (docs/onnx.md, "Export"): each layer one node (or the few ONNX writes it as), named as the report
names it, with the channels and sizes of the evaluation, so that a design can be timed and trained elsewhere.

Weights are random (``weights="random"``: He-normal, from a fixed seed, so an export is the same file every
time) or left out (``"none"``: each weight is a graph input of its shape, a graph-only file of a few kilobytes
for ``costcalc import`` and budgets). Shape constants (a shuffle's reshape, clip bounds) are always written.
Opset 17. Tokens and Linear are written by ``onnx_tokens``, an attention's parts by ``onnx_attention``.

What a graph cannot say is noted in the nodes' ``doc_string`` (costcalc.onnx.notes), which ``costcalc import``
reads back, so that an export imports as the spec's own kinds: the kinds with no ONNX op of their own
(``costcalc: adaptive_avg_pool``, ``stochastic_depth``, ``implicit`` for a flatten added before a fully
connected layer, ``parameters``), a layer's ``call`` when it is not ``module``, the nodes of a params-only
branch, and on every node of an attention, a window attention or a patch merging the construct, its instance
and its fields (``_note``).
"""

from __future__ import annotations

import math
from typing import Any

from costcalc.engine.results import Evaluation, LayerCost
from costcalc.errors import Diagnostic, SpecError
from costcalc.layers.base import Layer
from costcalc.spec.build import Network
from costcalc.export.onnx_builder import Builder

OPSET = 17
IR_VERSION = 8


def _pads(padding: Any) -> dict[str, Any]:
    if padding == "same":
        return {"auto_pad": "SAME_UPPER"}
    if padding == "valid":
        return {"pads": [0, 0, 0, 0]}
    return {"pads": [padding[0], padding[1], padding[0], padding[1]]}


def _activation(b: Builder, function: str, x: str, name: str) -> str:
    rank = b.rank[x]
    simple = {"relu": "Relu", "elu": "Elu", "selu": "Selu", "sigmoid": "Sigmoid", "tanh": "Tanh",
              "hard_swish": "HardSwish"}
    if function in simple:
        return b.node(simple[function], [x], name, name, rank)
    if function == "leaky_relu":
        return b.node("LeakyRelu", [x], name, name, rank, alpha=0.01)
    if function == "hard_sigmoid":
        return b.node("HardSigmoid", [x], name, name, rank, alpha=1 / 6, beta=0.5)
    if function == "relu6":
        low, high = b.const(f"{name}/min", 0.0, "float32"), b.const(f"{name}/max", 6.0, "float32")
        return b.node("Clip", [x, low, high], name, name, rank)
    if function in ("silu", "swish"):
        gate = b.node("Sigmoid", [x], f"{name}/sigmoid", f"{name}/sigmoid", rank)
        return b.node("Mul", [x, gate], name, name, rank)
    if function == "mish":
        soft = b.node("Softplus", [x], f"{name}/softplus", f"{name}/softplus", rank)
        tanh = b.node("Tanh", [soft], f"{name}/tanh", f"{name}/tanh", rank)
        return b.node("Mul", [x, tanh], name, name, rank)
    if function == "gelu":  # exact GELU, as PyTorch exports it at opset 17: x * (erf(x / sqrt 2) + 1) * 0.5
        root, one, half = (b.const(f"{name}/{key}", value, "float32")
                           for key, value in (("sqrt2", math.sqrt(2.0)), ("one", 1.0), ("half", 0.5)))
        div = b.node("Div", [x, root], f"{name}/div", f"{name}/div", rank)
        erf = b.node("Erf", [div], f"{name}/erf", f"{name}/erf", rank)
        add = b.node("Add", [erf, one], f"{name}/add", f"{name}/add", rank)
        mul = b.node("Mul", [x, add], f"{name}/mul", f"{name}/mul", rank)
        return b.node("Mul", [mul, half], name, name, rank)
    raise ValueError(function)


def _layer(b: Builder, row: LayerCost, inputs: list[str], construct: Layer | None = None) -> str:  # noqa: C901
    layer, name, kind = row.layer, row.name, row.kind
    x = inputs[0]
    m, n = row.input_shape.channels, row.output_shape.channels
    if kind in ("conv", "pointwise", "depthwise"):
        x = b.four_d(x, name)
        kernel = (1, 1) if kind == "pointwise" else layer.kernel  # type: ignore[attr-defined]
        groups = m if kind == "depthwise" else layer.groups  # type: ignore[attr-defined]
        padding = "valid" if kind == "pointwise" else layer.padding  # type: ignore[attr-defined]
        dilation = (1, 1) if kind == "pointwise" else layer.dilation  # type: ignore[attr-defined]
        weight = b.param(f"{name}.weight", (n, m // groups, *kernel), fan_in=m // groups * kernel[0] * kernel[1])
        operands = [x, weight] + ([b.param(f"{name}.bias", (n,), "zero")] if layer.bias else [])  # type: ignore[attr-defined]
        return b.node("Conv", operands, name, name, 4, kernel_shape=list(kernel), strides=list(layer.stride),  # type: ignore[attr-defined]
                      dilations=list(dilation), group=groups, **_pads(padding))
    if kind == "fc":
        x = b.flat(x, name)
        operands = [x, b.param(f"{name}.weight", (n, m), fan_in=m)]
        if layer.bias:  # type: ignore[attr-defined]
            operands.append(b.param(f"{name}.bias", (n,), "zero"))
        return b.node("Gemm", operands, name, name, 2, transB=1)
    rank = b.rank[x]
    if kind == "batch_norm":
        params = [b.param(f"{name}.{key}", (n,), fill) for key, fill in
                  (("weight", "one"), ("bias", "zero"), ("running_mean", "zero"), ("running_var", "one"))]
        return b.node("BatchNormalization", [x, *params], name, name, rank)
    if kind == "activation":
        return _activation(b, layer.function, x, name)  # type: ignore[attr-defined]
    if kind in ("max_pool", "avg_pool"):
        op = "MaxPool" if kind == "max_pool" else "AveragePool"
        options: dict[str, Any] = {"ceil_mode": 1} if layer.ceil_mode else {}  # type: ignore[attr-defined]
        return b.node(op, [b.four_d(x, name)], name, name, 4, kernel_shape=list(layer.kernel),  # type: ignore[attr-defined]
                      strides=list(layer.step), **_pads(layer.padding), **options)  # type: ignore[attr-defined]
    if kind in ("global_avg_pool", "global_max_pool"):
        op = "GlobalAveragePool" if kind == "global_avg_pool" else "GlobalMaxPool"
        return b.node(op, [b.four_d(x, name)], name, name, 4)
    if kind == "adaptive_avg_pool":
        sizes = (row.input_shape.height, row.input_shape.width, row.output_shape.height, row.output_shape.width)
        if sizes[0] % sizes[2] or sizes[1] % sizes[3]:
            raise SpecError(Diagnostic(row.location, f"layer '{name}': an adaptive average pool from "
                                       f"{sizes[0]}×{sizes[1]} to {sizes[2]}×{sizes[3]} has no ONNX op (only whole "
                                       "multiples are an AveragePool); export at another resolution", "E577"))
        window = [sizes[0] // sizes[2], sizes[1] // sizes[3]]
        return b.node("AveragePool", [b.four_d(x, name)], name, name, 4, "costcalc: adaptive_avg_pool",
                      kernel_shape=window, strides=window)
    if kind == "flatten":
        return b.node("Flatten", [x], name, name, 2, axis=1)
    if kind == "dropout":
        return b.node("Dropout", [x], name, name, rank)
    if kind == "stochastic_depth":
        return b.node("Identity", [x], name, name, rank, "costcalc: stochastic_depth")
    if kind == "softmax":
        return b.node("Softmax", [x], name, name, rank, axis=1)
    if kind == "layer_norm":
        scale, shift = b.param(f"{name}.weight", (n,), "one"), b.param(f"{name}.bias", (n,), "zero")
        if rank in (2, 3):
            return b.node("LayerNormalization", [x, scale, shift], name, name, rank, axis=-1)
        last = b.node("Transpose", [x], f"{name}/nhwc", f"{name}/nhwc", 4, perm=[0, 2, 3, 1])
        norm = b.node("LayerNormalization", [last, scale, shift], f"{name}/ln", f"{name}/ln", 4, axis=-1)
        return b.node("Transpose", [norm], name, name, 4, perm=[0, 3, 1, 2])
    if kind == "layer_scale":
        gamma = b.param(f"{name}.gamma", (n, 1, 1) if rank == 4 else (n,), "one")
        return b.node("Mul", [x, gamma], name, name, rank)
    if kind == "channel_shuffle":
        groups, h, w = layer.groups, row.input_shape.height, row.input_shape.width  # type: ignore[attr-defined]
        five = b.const(f"{name}/shape5", [0, groups, m // groups, h, w])
        four = b.const(f"{name}/shape4", [0, m, h, w])
        grouped = b.node("Reshape", [b.four_d(x, name), five], f"{name}/grouped", f"{name}/grouped", 5)
        swapped = b.node("Transpose", [grouped], f"{name}/swapped", f"{name}/swapped", 5, perm=[0, 2, 1, 3, 4])
        return b.node("Reshape", [swapped, four], name, name, 4)
    if kind == "split":
        start = (layer.index - 1) * n  # type: ignore[attr-defined]
        starts, ends, axes = (b.const(f"{name}/{key}", [value]) for key, value in
                              (("starts", start), ("ends", start + n), ("axes", 1)))
        return b.node("Slice", [x, starts, ends, axes], name, name, rank)
    if kind in ("add", "concat", "scale"):
        ranks = {b.rank[tensor] for tensor in inputs}
        if len(ranks) > 1:
            inputs = [b.four_d(tensor, f"{name}/{i}") for i, tensor in enumerate(inputs)]
        op = {"add": "Add", "concat": "Concat", "scale": "Mul"}[kind]
        axis: dict[str, Any] = {"axis": 1} if kind == "concat" else {}
        return b.node(op, inputs, name, name, b.rank[inputs[0]], **axis)
    from costcalc.export.onnx_tokens import token_layer

    written = token_layer(b, row, inputs)
    if written is None:
        from costcalc.export.onnx_attention import attention_part

        written = attention_part(b, row, inputs, construct)
    if written is None:
        raise SpecError(Diagnostic(row.location, f"layer '{name}': costcalc has no ONNX op for the kind '{kind}'",
                                   "E577"))
    return written


def _construct_of(network: Network, path: tuple[str, ...]) -> tuple[tuple[str, ...], Layer] | None:
    """The innermost construct that costcalc import reads back whole (an attention, a patch merging) whose
    parts a row is, with its instance path."""
    from costcalc.onnx.notes import CONSTRUCTS

    for end in range(len(path), 0, -1):
        if network.groups.get(path[:end]) in CONSTRUCTS and path[:end] in network.constructs:
            return path[:end], network.constructs[path[:end]]
    return None


def _note(b: Builder, since: int, row: LayerCost, found: tuple[tuple[str, ...], Layer] | None,
          instances: dict[tuple[str, ...], int]) -> None:
    """The note (costcalc.onnx.notes) of every node written for ``row`` since ``since``: a construct's kind,
    instance and fields, a layer's ``call`` when it is not ``module``, a params-only branch, a tensor's size."""
    from costcalc.onnx.constructs import CONSTRUCT_FIELDS
    from costcalc.onnx.notes import PREFIX, write_note

    tags: list[str] = ["params_only"] if row.idle else []
    fields: dict[str, Any] = {}
    if found is not None:
        path, construct = found
        tags.append(construct.kind)
        fields["instance"] = instances.setdefault(path, len(instances) + 1)
        fields.update({key: getattr(construct, key) for key in CONSTRUCT_FIELDS[construct.kind]
                       if getattr(construct, key, None) is not None})
    elif getattr(row.layer, "call", "module") != "module":
        fields["call"] = getattr(row.layer, "call")
    if row.kind == "parameters":
        tags.append("parameters")
        fields["count"] = getattr(row.layer, "count")
    if not tags and not fields:
        return
    for node in b.nodes[since:]:
        own = node.doc_string[len(PREFIX):].split() if node.doc_string.startswith(PREFIX) else []
        node.doc_string = write_note((*own, *tags), fields)


def to_onnx(evaluation: Evaluation, weights: str = "random") -> Any:
    """The evaluated network as an ONNX ``ModelProto``."""
    from costcalc.onnx.model import require_onnx

    onnx = require_onnx(evaluation.spec.path, "exporting to ONNX")
    import numpy

    b = Builder(onnx, numpy, weights)
    shape = evaluation.input_shape
    image = onnx.helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT,
                                               ["batch", shape.channels, shape.height, shape.width])
    b.rank["input"] = 4
    outputs: list[str] = []
    instances: dict[tuple[str, ...], int] = {}
    for node, row in zip(evaluation.network.nodes, evaluation.layers):
        inputs = ["input" if i < 0 else outputs[i] for i in node.inputs]
        since = len(b.nodes)
        found = _construct_of(evaluation.network, row.path)
        outputs.append(_layer(b, row, inputs, found[1] if found else None))
        _note(b, since, row, found, instances)
    last, final = outputs[-1], evaluation.layers[-1].output_shape
    dims: list[Any] = ["batch", final.channels] + ([final.height, final.width] if b.rank[last] == 4 else [])
    if b.rank[last] == 3:
        dims = ["batch", final.height * final.width, final.channels]
    b.nodes.append(onnx.helper.make_node("Identity", [last], ["output"], name="output"))
    result = onnx.helper.make_tensor_value_info("output", onnx.TensorProto.FLOAT, dims)
    graph = onnx.helper.make_graph(b.nodes, evaluation.spec.name, [image, *b.inputs], [result], b.initializers)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)],
                                   producer_name="costcalc")
    model.ir_version = IR_VERSION
    model.doc_string = (f"{evaluation.spec.name} at alpha {evaluation.alpha}, {shape.height}x{shape.width}: "
                        f"{evaluation.mult_adds} Mult-Adds, {evaluation.params} params under {evaluation.convention.name}")
    return model

