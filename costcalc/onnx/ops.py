"""The record of one lowered ONNX node (``Op``) and the small facts about tensors that every lowering rule and
pattern reads (costcalc.onnx.lower, lower_layout, lower_arith, fuse, constructs).

An ``Op`` is a spec kind with its fields (``conv``, ``attention``, ...), or a structural kind for the patterns
to assemble: ``noop``, ``add``, ``mul``, ``concat``, ``split``, ``slice``, ``bias``, ``scalar``, ``linear``,
``unmapped``, and the rearrangements and products that only a pattern makes sense of (``REFUSED_IF_LEFT``:
each carries, in ``fields["refusal"]``, why it cannot be a layer of its own, the message of E574 when no
pattern takes it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from costcalc.onnx.model import Node
from costcalc.onnx.values import Const, Data, Param, Value

# Structural ops that a pattern (costcalc.onnx.fuse, costcalc.onnx.constructs) must take, or E574.
REFUSED_IF_LEFT = frozenset({"reshape", "transpose", "gather", "slice_any", "concat_any", "pad", "expand", "matmul",
                             "softmax_any", "const_op", "broadcast", "elementwise2", "reduce"})
# Of those, the ones that only move values around (no arithmetic): layout.
REARRANGING = frozenset({"reshape", "transpose", "gather", "slice_any", "concat_any", "pad", "expand", "noop",
                         "slice", "split"})


class Op(NamedTuple):
    """One step of the imported network, reading and writing data tensors."""

    kind: str
    fields: dict[str, Any]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    node: Node
    out: tuple[Data, ...]
    folded: tuple[Node, ...] = ()  # other ONNX nodes this op stands for (costcalc.onnx.fuse)

    @property
    def nodes(self) -> tuple[Node, ...]:
        return (self.node, *self.folded)


Maker = Callable[..., Op]


def channel_axis(data: Data) -> int | None:
    return {"nchw": 1, "nhwc": 3, "flat": 1, "tokens": 2}.get(data.layout)


def channels(data: Data) -> int:
    axis = channel_axis(data)
    return data.dims[axis] if axis is not None else 0


def positions(data: Data) -> tuple[int, int] | None:
    """The height and width of a map, or None."""
    if data.layout == "nchw":
        return data.dims[2], data.dims[3]
    if data.layout == "nhwc":
        return data.dims[1], data.dims[2]
    return None


def product(dims: tuple[int, ...]) -> int:
    total = 1
    for dim in dims:
        total *= dim
    return total


def param_dims(value: Value | None) -> tuple[int, ...] | None:
    if isinstance(value, (Param, Const)) and value.dims is not None and all(isinstance(d, int) for d in value.dims):
        return tuple(int(d) for d in value.dims)
    return None


def scalar(value: Value | None) -> Any:
    if isinstance(value, Const) and len(value.values) == 1:
        return value.values[0]
    return None


def const_ints(value: Value | None) -> tuple[int, ...] | None:
    """The whole numbers of a small constant (axes, pads, a shape), or None."""
    if isinstance(value, Const) and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values):
        return tuple(int(v) for v in value.values)
    return None


def structural(make: Maker, kind: str, refusal: str, *out: Data, reads: tuple[str, ...] | None = None,
               **fields: Any) -> Op:
    """A rearrangement or product that only a pattern makes sense of; ``refusal`` says why when none does."""
    if reads is None:
        return make(kind, {**fields, "refusal": refusal}, *out)
    return make(kind, {**fields, "refusal": refusal}, *out, reads=reads)
