"""The ONNX ops that compute (docs/onnx.md, "What maps to what"): matrix products and elementwise arithmetic.

- ``Gemm`` on ``N x C``, or ``MatMul`` of the image's data by a 2-d weight on the channels of ``N x C``,
  ``N x H x W x C`` or ``N x T x C`` (tokens): a ``linear`` op, which ``costcalc.onnx.fuse`` writes as ``fc``
  (a flat input) or ``linear`` (positions or tokens: PyTorch's ``nn.Linear``);
- ``Add``/``Mul`` of two branches of one shape: a join (``add``, ``mul``); a map scaled per channel:
  squeeze-and-excitation's ``mul``;
- a weight added or multiplied: one value per channel is a ``bias`` or a ``layer_scale``, one per token and
  channel added to tokens a ``position_embedding`` (ViT eq. 1), one value a ``scalar``;
- a product of two activations (``MatMul``, ``Einsum``: an attention's ``Q·Kᵀ`` and ``A·V``) and any other
  broadcast are structure that only a pattern takes (E574 when none does), never a silent zero.
"""

from __future__ import annotations

from costcalc.onnx.lower_layout import broadcast
from costcalc.onnx.model import Node
from costcalc.onnx.ops import Maker, Op, channels, param_dims, product, scalar, structural
from costcalc.onnx.values import Data, Value

MAX_EINSUM = 64  # characters of an Einsum equation costcalc reads


def matmul(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    a = node.attributes
    if sum(isinstance(value, Data) for value in inputs[:2]) == 2:
        first, second = inputs[0], inputs[1]
        assert isinstance(first, Data) and isinstance(second, Data)
        if node.op_type != "MatMul" or len(first.dims) < 2 or len(second.dims) < 2 or first.dims[-1] != second.dims[-2]:
            raise ValueError(f"it multiplies a {list(first.dims)} and a {list(second.dims)} tensor, which do not fit")
        batch = broadcast(first.dims[:-2], second.dims[:-2])
        out = Data((*batch, first.dims[-2], second.dims[-1]), "other")
        return structural(make, "matmul", "it multiplies two activations (an attention's product) outside any "
                          "pattern costcalc knows", out, reads=tuple(n for n in node.inputs[:2]))
    if not isinstance(inputs[0], Data):
        raise ValueError("its data is its second operand, which costcalc does not read")
    weight = param_dims(inputs[1] if len(inputs) > 1 else None)
    if weight is None or len(weight) != 2:
        raise ValueError("the shape of its weight is not given (a 2-d tensor in the file)")
    if node.op_type == "Gemm" and a.get("transA", 0):
        raise ValueError("it transposes its input (transA)")
    k, m = (weight[1], weight[0]) if node.op_type == "Gemm" and a.get("transB", 0) else weight
    if x.layout == "other" and x.dims[-1] == k:  # on a tensor costcalc does not know as positions or tokens
        return structural(make, "matmul", f"it multiplies a {list(x.dims)!s:.60} tensor that is neither N x C, a "
                          "map's positions nor tokens by a weight", Data(x.dims[:-1] + (m,), "other"))
    if x.layout not in ("flat", "nhwc", "tokens") or x.dims[-1] != k:
        raise ValueError(f"its weight {list(weight)} does not fit its input {list(x.dims)} (a fully connected layer "
                         "reads N x C, or the channels of N x H x W x C or of N x T x C tokens)")
    bias = node.op_type == "Gemm" and len(node.inputs) > 2 and bool(node.inputs[2])
    return make("linear", {"units": m, "bias": bias}, Data(x.dims[:-1] + (m,), x.layout, x.grid))


def einsum(node: Node, inputs: list[Value | None], names: tuple[str, ...], data: list[Data], make: Maker) -> Op:
    """A product of activations written as an equation (MaxViT's ``torch.einsum``): its output's shape, for a
    pattern to take."""
    equation = str(node.attributes.get("equation", "")).replace(" ", "")
    left, arrow, right = equation.partition("->")
    terms = left.split(",")
    if (len(equation) > MAX_EINSUM or not arrow or len(terms) != len(inputs) or "." in equation
            or not all(isinstance(value, Data) for value in inputs)):
        raise ValueError(f"costcalc reads an Einsum of activations with an explicit output ({equation!r:.60})")
    sizes: dict[str, int] = {}
    for term, value in zip(terms, inputs):
        assert isinstance(value, Data)
        if len(term) != len(value.dims):
            raise ValueError(f"its term {term!r:.20} does not fit a {len(value.dims)}-d input")
        for letter, dim in zip(term, value.dims):
            if sizes.setdefault(letter, dim) != dim:
                raise ValueError(f"its index {letter!r} has two sizes")
    if any(letter not in sizes for letter in right):
        raise ValueError(f"its output {right!r:.20} has an index no input has")
    return structural(make, "matmul", "it multiplies activations (an Einsum) outside any pattern costcalc knows",
                      Data(tuple(sizes[letter] for letter in right), "other"), reads=names)


def binary(node: Node, inputs: list[Value | None], names: tuple[str, ...], data: list[Data], make: Maker) -> Op:
    op = node.op_type
    x = data[0]
    if len(data) == 2:
        big, small = sorted(data, key=lambda d: -product(d.dims))
        if op == "Mul" and big.layout == small.layout == "nchw" and small.dims == big.dims[:2] + (1, 1):
            return make("mul", {}, big, reads=names)  # a map scaled per channel: squeeze-and-excitation
        if data[0].dims == data[1].dims and op in ("Add", "Mul"):  # the layout of the operand that has one
            known = next((d for d in data if d.layout != "other"), x)
            return make("add" if op == "Add" else "mul", {}, known, reads=names)
        joined = broadcast(data[0].dims, data[1].dims)
        layout = x.layout if joined == x.dims else "other"
        return structural(make, "elementwise2", f"it combines a {list(data[0].dims)} and a {list(data[1].dims)} "
                          "tensor, which costcalc has no kind for", Data(joined, layout), reads=names)
    other = next(value for value in inputs if not isinstance(value, Data))
    dims = param_dims(other)
    if dims is not None and op in ("Add", "Mul") and product(dims) > 1:
        if product(dims) == channels(x) and dims[-1] in (channels(x), 1):
            return make("bias" if op == "Add" else "layer_scale", {}, x)
        if op == "Add" and x.layout == "tokens" and dims[-2:] == x.dims[1:] and product(dims) == product(x.dims[1:]):
            return make("position_embedding", {}, x)  # one learned vector per token (ViT eq. 1)
    if dims is not None and product(dims) == 1 or scalar(other) is not None:
        return make("scalar", {"value": scalar(other)}, x)
    out = broadcast(x.dims, dims) if dims is not None else x.dims
    return structural(make, "const_op", f"it combines its input with a constant of shape {list(dims or ())!r:.60} "
                      "that is neither one value, one per channel nor one per token", Data(out, x.layout if out == x.dims
                                                                                             else "other"))
