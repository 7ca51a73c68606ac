"""What each tensor of an ONNX graph is, found in one pass over its nodes in topological order.

- ``Data``: it depends on the image (the graph's one data input): its dimensions, evaluated concretely at the
  import size with a batch of 1, and its layout (``nchw``, ``nhwc`` after a channels-last transpose, ``flat``
  for ``[N, C]``, ``tokens`` for ``[N, T, C]``, ``nct`` for a map's positions before they are tokens, or
  ``other``);
- ``Const``: a small tensor whose values are known (a ``Constant`` node, an initializer with its data, or
  shape arithmetic such as ``Shape -> Gather -> Concat`` that PyTorch exports for dynamic sizes);
- ``Param``: anything else that does not depend on the image: weights, whose shapes (never their values) give
  the channel counts.

Topological order is Kahn's algorithm (linear); a cycle, a tensor produced twice or read but never produced is
a located error (E573). Shape arithmetic is evaluated on at most ``MAX_VALUES`` values a tensor.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

from costcalc.onnx.model import MAX_VALUES, MAX_WHOLE, Graph, Node, fail


class Data(NamedTuple):
    dims: tuple[int, ...]
    layout: str  # nchw, nhwc, flat, tokens (N x T x C), nct (N x C x T), other
    grid: tuple[int, int] | None = None  # tokens that are a map's h x w positions: (h, w)


class Const(NamedTuple):
    dims: tuple[int, ...]
    values: tuple[Any, ...]


class Param(NamedTuple):
    dims: tuple[int | str, ...] | None


Value = Data | Const | Param


def topological(graph: Graph) -> list[Node]:
    """The nodes in an order where each comes after the producers of its inputs."""
    producer: dict[str, Node] = {}
    for node in graph.nodes:
        for output in node.outputs:
            if output and output in producer:
                raise fail(graph.path, f"{node.where()} writes {output!r:.60}, which "
                           f"{producer[output].where()} writes too: a tensor has one producer", "E573")
            if output:
                producer[output] = node
    known = set(graph.initializers) | {tensor.name for tensor in graph.inputs} | {""}
    waiting: dict[int, int] = {}
    readers: dict[str, list[Node]] = {}
    ready: deque[Node] = deque()
    for node in graph.nodes:
        needed = {name for name in node.inputs if name not in known}
        for name in needed:
            if name not in producer:
                raise fail(graph.path, f"{node.where()} reads {name!r:.60}, which no node, initializer or graph "
                                       "input gives", "E573")
            readers.setdefault(name, []).append(node)
        waiting[node.position] = len(needed)
        if not needed:
            ready.append(node)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for output in node.outputs:
            for reader in readers.get(output, ()):
                waiting[reader.position] -= 1
                if waiting[reader.position] == 0:
                    ready.append(reader)
    if len(order) < len(graph.nodes):
        stuck = min((node for node in graph.nodes if waiting[node.position] > 0), key=lambda node: node.position)
        raise fail(graph.path, f"the graph has a cycle: {stuck.where()} depends on its own output", "E573")
    return order


def _size(dims: tuple[Any, ...]) -> int:
    count = 1
    for dim in dims:
        count *= int(dim)
    return count


INT64_MAX = 2**63 - 1


def const(dims: tuple[int, ...], values: tuple[Any, ...]) -> Const | None:
    """A known constant; a whole number past the bound is None, except int64's extremes, which PyTorch writes
    for "to the end" in a slice's bounds and which are kept as the bound itself (still past any axis)."""
    values = tuple(max(-MAX_WHOLE, min(MAX_WHOLE, v)) if isinstance(v, int) and abs(v) in (INT64_MAX, INT64_MAX + 1)
                   else v for v in values)
    if len(values) > MAX_VALUES or any(isinstance(v, int) and abs(v) > MAX_WHOLE for v in values):
        return None
    return Const(dims, values)


def evaluate(node: Node, inputs: list[Value | None]) -> Value | None:
    """The value of a shape-arithmetic node whose inputs are all ``Const`` (None: not one costcalc evaluates)."""
    op = node.op_type
    attrs = node.attributes
    if op == "Constant":
        value = attrs.get("value")
        if value is not None and hasattr(value, "values") and value.values is not None:
            return const(tuple(int(d) for d in value.dims), value.values)
        for key in ("value_int", "value_float"):
            if key in attrs:
                return Const((), (attrs[key],))
        for key in ("value_ints", "value_floats"):
            if key in attrs:
                return Const((len(attrs[key]),), tuple(attrs[key]))
        return Param(tuple(value.dims) if value is not None and hasattr(value, "dims") else None)
    if not inputs or any(not isinstance(value, Const) for value in inputs if value is not None):
        return None
    values = [value for value in inputs]
    first = values[0]
    if not isinstance(first, Const):
        return None
    if op in ("Identity", "Cast"):
        return first
    if op == "Gather" and len(values) == 2 and isinstance(values[1], Const) and len(first.dims) <= 1:
        picked = []
        for index in values[1].values:
            index = int(index)
            if not -len(first.values) <= index < len(first.values):
                return None
            picked.append(first.values[index])
        return const(values[1].dims, tuple(picked))
    if op in ("Unsqueeze", "Squeeze"):
        return Const((len(first.values),) if op == "Unsqueeze" or len(first.values) != 1 else (), first.values)
    if op == "Concat":
        parts: list[Any] = []
        for value in values:
            if not isinstance(value, Const):
                return None
            parts.extend(value.values)
        return const((len(parts),), tuple(parts))
    if op == "Reshape" and len(values) == 2 and isinstance(values[1], Const) and len(first.values) <= 1 \
            and len(values[1].values) <= 1:  # a scalar as a one-element list, or back (PyTorch's shape arithmetic)
        return Const((1,) if values[1].values else (), first.values)
    if op in ("Add", "Sub", "Mul", "Div", "Mod") and len(values) == 2 and isinstance(values[1], Const):
        return _arithmetic(op, first, values[1])
    from costcalc.onnx.const_eval import evaluate_more

    known = evaluate_more(op, attrs, [(tuple(v.dims), tuple(v.values)) if isinstance(v, Const) else None
                                      for v in values])
    return const(*known) if known is not None else None


def _arithmetic(op: str, a: Const, b: Const) -> Const | None:
    left, right = a.values, b.values
    if len(left) != len(right):
        if len(right) == 1:
            right = right * len(left)
        elif len(left) == 1:
            left = left * len(right)
        else:
            return None
    out = []
    for x, y in zip(left, right):
        if op == "Add":
            out.append(x + y)
        elif op == "Sub":
            out.append(x - y)
        elif op == "Mul":
            out.append(x * y)
        elif op == "Mod":
            if not (isinstance(x, int) and isinstance(y, int) and y):
                return None
            out.append(x % y)
        elif y == 0:
            return None
        else:
            out.append(x // y if isinstance(x, int) and isinstance(y, int) else x / y)
    dims = a.dims if len(a.values) >= len(b.values) else b.dims
    return const(dims, tuple(out))


def param_of(node: Node, inputs: list[Value | None]) -> Param:
    """A value that does not depend on the image and is not evaluated: its shape where it is plain to see."""
    first = inputs[0] if inputs else None
    if node.op_type in ("Identity", "Cast") and isinstance(first, (Param, Const)):
        return Param(first.dims)
    if node.op_type == "Expand" and isinstance(first, (Param, Const)) and first.dims is not None and len(inputs) > 1:
        shape = inputs[1]  # a learned token repeated over the batch (ViT's class_token.expand(n, -1, -1))
        if isinstance(shape, Const) and all(isinstance(d, int) for d in first.dims) and len(shape.values) <= 8:
            target = tuple(int(v) for v in shape.values)
            dims = tuple(int(d) for d in first.dims)
            rank = max(len(dims), len(target))
            padded, wanted = (1,) * (rank - len(dims)) + dims, (1,) * (rank - len(target)) + target
            if all(a == b or a == 1 or b == 1 for a, b in zip(padded, wanted)):
                return Param(tuple(max(a, b) for a, b in zip(padded, wanted)))
        elif not isinstance(shape, Const):  # repeated over a batch computed at run time: one copy's shape
            return Param(first.dims)
    if node.op_type == "Transpose" and isinstance(first, (Param, Const)) and first.dims is not None:
        perm = node.attributes.get("perm") or tuple(reversed(range(len(first.dims))))
        if sorted(perm) == list(range(len(first.dims))):
            return Param(tuple(first.dims[i] for i in perm))
    return Param(None)


def initial_values(graph: Graph, image: str, size: tuple[int, int] | None) -> dict[str, Value]:
    """The values of initializers and graph inputs; the image's dimensions made concrete: batch 1, and the
    import size for symbolic height and width (``size``, or 224)."""
    values: dict[str, Value] = {}
    for name, tensor in graph.initializers.items():
        if tensor.values is not None and tensor.dims is not None:
            dims = tuple(int(d) for d in tensor.dims)
            values[name] = Const(dims, tensor.values) if _size(dims) == len(tensor.values) else Param(tensor.dims)
        else:
            values[name] = Param(tensor.dims)
    for tensor in graph.inputs:
        if tensor.name != image:
            values[tensor.name] = Param(tensor.dims)
    return values
