"""The ONNX ops that move values without arithmetic (docs/onnx.md, "What maps to what"): reshapes, transposes,
gathers, slices, splits, concatenations and padding. Where one of them is a costcalc kind on its own, it becomes
that kind: a flatten, the channels cut into a split, a map's positions taken as tokens (``Reshape`` to
``N x C x (H·W)`` then ``Transpose(0, 2, 1)``), tokens taken back to their map, a class token joined in front,
the first token read (``x[:, 0]``). Any other rearrangement is structure for a pattern (an attention's heads,
Swin's windows and shifts, patch merging's 2 x 2 gather), refused with E574 when no pattern takes it.
"""

from __future__ import annotations

from costcalc.onnx.model import Node
from costcalc.onnx.ops import Maker, Op, channel_axis, channels, const_ints, param_dims, product, structural
from costcalc.onnx.values import Const, Data, Param, Value


def rearrange(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    """``Flatten``, ``Reshape``, ``Squeeze``, ``Unsqueeze``, ``Expand`` and ``Transpose``."""
    op = node.op_type
    if op == "Transpose":
        return _transpose(node, x, make)
    if op == "Flatten":
        axis = node.attributes.get("axis", 1) % max(len(x.dims), 1)
        if axis != 1:
            raise ValueError("it flattens from an axis other than 1")
        target: tuple[int, ...] = (x.dims[0], product(x.dims[1:]))
    elif op == "Reshape":
        shape = inputs[1] if len(inputs) > 1 else None
        if not isinstance(shape, Const):
            raise ValueError("its target shape is not known (it is neither a constant nor shape arithmetic)")
        target = _target(x.dims, tuple(int(v) for v in shape.values))
    elif op == "Expand":
        repeat = const_ints(inputs[1] if len(inputs) > 1 else None)
        if repeat is None:
            raise ValueError("its target shape is not known (it is neither a constant nor shape arithmetic)")
        target = broadcast(x.dims, repeat)
        if target == x.dims:
            return make("noop", {}, x)
        return structural(make, "expand", f"it repeats its input to {list(target)!r:.80}", Data(target, "other"))
    else:
        axes_value = node.attributes.get("axes") or const_ints(inputs[1] if len(inputs) > 1 else None) or ()
        target = _squeezed(x.dims, tuple(int(v) for v in axes_value), op == "Unsqueeze")
    if product(target) != product(x.dims):
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
    if x.layout == "nchw" and target == (x.dims[0], x.dims[1], x.dims[2] * x.dims[3]):
        return make("noop", {}, Data(target, "nct", (x.dims[2], x.dims[3])))  # positions in a row: tokens next
    if x.layout == "nct" and x.grid is not None and target == (x.dims[0], x.dims[1], *x.grid):
        return make("to_map", {}, Data(target, "nchw"))  # grid tokens back to their map
    layout = {4: "nchw", 2: "flat"}.get(len(target), "other")  # a shuffle's way back to N x C x H x W
    return structural(make, "reshape", f"it rearranges the tensor in a way costcalc has no kind for "
                      f"({list(target)!s:.60})", Data(target, layout))


def _transpose(node: Node, x: Data, make: Maker) -> Op:
    perm = tuple(node.attributes.get("perm") or tuple(reversed(range(len(x.dims)))))
    dims = tuple(x.dims[i] for i in perm) if sorted(perm) == list(range(len(x.dims))) else ()
    if not dims:
        raise ValueError(f"its permutation {list(perm)!r:.60} does not fit its {len(x.dims)}-d input")
    if (x.layout, perm) == ("nchw", (0, 2, 3, 1)):
        return make("noop", {}, Data(dims, "nhwc"))
    if (x.layout, perm) == ("nhwc", (0, 3, 1, 2)):
        return make("noop", {}, Data(dims, "nchw"))
    if (x.layout, perm) == ("nct", (0, 2, 1)):
        return make("tokens", {}, Data(dims, "tokens", x.grid))  # ViT: x.reshape(n, c, h * w).permute(0, 2, 1)
    if (x.layout, perm) == ("tokens", (1, 0, 2)):  # batch first or sequence first: the same tokens
        return make("noop", {}, Data(dims, "tokens", x.grid))
    if (x.layout, perm) == ("tokens", (0, 2, 1)):
        return make("noop", {}, Data(dims, "nct", x.grid))
    layout = "flat" if x.layout == "flat" and perm == (0, 1) else "other"
    return structural(make, "transpose", f"it rearranges the tensor in a way costcalc has no kind for ({dims!s:.60})",
                      Data(dims, layout), perm=perm)


def _target(dims: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    out = [dims[i] if v == 0 and i < len(dims) else v for i, v in enumerate(shape)]
    if out.count(-1) > 1 or any(v < -1 for v in out):
        raise ValueError(f"its target shape {list(shape)!r:.60} is not one ONNX allows")
    if -1 in out:
        known = product(tuple(v for v in out if v != -1))
        if known == 0 or product(dims) % known:
            raise ValueError(f"its target shape {list(shape)!r:.60} does not divide its input {list(dims)}")
        out[out.index(-1)] = product(dims) // known
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


def broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy's broadcast of two shapes (ValueError when they do not broadcast)."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x, y = (a[-i] if i <= len(a) else 1), (b[-i] if i <= len(b) else 1)
        if x != y and 1 not in (x, y):
            raise ValueError(f"the shapes {list(a)!r:.60} and {list(b)!r:.60} do not broadcast")
        out.append(max(x, y) if 0 not in (x, y) else 0)
    return tuple(reversed(out))


def gather(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    """``x[:, 0]`` of tokens is ``select_token``; any other gather from data only a pattern takes (an
    attention's queries, keys and values from their packed projection)."""
    if not isinstance(inputs[0], Data):
        raise ValueError("it gathers from a tensor by indices that depend on the image")
    index = inputs[1] if len(inputs) > 1 else None
    if not isinstance(index, Const) or const_ints(index) is None:
        raise ValueError("its indices are not known")
    axis = node.attributes.get("axis", 0) % len(x.dims)
    size = x.dims[axis]
    picked = tuple(int(i) + size if int(i) < 0 else int(i) for i in index.values)
    if any(not 0 <= i < size for i in picked):
        raise ValueError(f"its indices {list(index.values)!r:.60} are outside the {size} of axis {axis}")
    dims = x.dims[:axis] + tuple(index.dims) + x.dims[axis + 1:]
    if x.layout == "tokens" and axis == 1 and index.dims == () and picked == (0,):
        return make("select_token", {}, Data(dims, "flat"))  # the class token, which the classifier reads
    return structural(make, "gather", f"it picks {len(picked)} of the {size} entries of axis {axis}, which costcalc "
                      "has no kind for", Data(dims, "other"), axis=axis, index=picked)


def _bounds(inputs: list[Value | None], x: Data) -> list[tuple[int, int, int, int]]:
    """A Slice's (axis, start, end, step) per axis it cuts, clamped as ONNX says (onnx/defs/tensor/defs.cc)."""
    known = [const_ints(value) for value in inputs[1:5]]
    starts, ends = (known[0] or ()), (known[1] if len(known) > 1 and known[1] is not None else ())
    axes = known[2] if len(known) > 2 and known[2] else tuple(range(len(starts)))
    steps = known[3] if len(known) > 3 and known[3] else (1,) * len(starts)
    if not starts or not (len(starts) == len(ends) == len(axes) == len(steps)) or 0 in steps:
        raise ValueError("its bounds are not known")
    out = []
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis %= len(x.dims)
        size = x.dims[axis]
        start, end = (v + size if v < 0 else v for v in (start, end))
        if step > 0:
            start, end = max(0, min(size, start)), max(0, min(size, end))
        else:
            start, end = max(-1, min(size - 1, start)), max(-1, min(size - 1, end))
        out.append((axis, start, end, step))
    return out


def slice_op(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    """One stretch of the channels is a ``slice`` (a split's part); any other cut only a pattern takes (Swin's
    shifts and crops, patch merging's 2 x 2 gather)."""
    cuts = _bounds(inputs, x)
    dims = list(x.dims)
    for axis, start, end, step in cuts:
        dims[axis] = max(0, -(-(end - start) // step))
    if tuple(dims) == x.dims and all(step == 1 for *_rest, step in cuts):
        return make("noop", {}, x)
    channel = channel_axis(x)
    if len(cuts) == 1 and cuts[0][0] == channel and cuts[0][3] == 1:
        start, end = cuts[0][1], cuts[0][2]
        return make("slice", {"start": start, "end": end}, Data(tuple(dims), x.layout))
    return structural(make, "slice_any", "it slices along something other than one stretch of the channels",
                      Data(tuple(dims), x.layout if x.layout in ("nchw", "nhwc") else "other"), cuts=tuple(cuts))


def split(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    axis = node.attributes.get("axis", 0) % len(x.dims)
    if axis != channel_axis(x):
        raise ValueError("it splits along an axis that is not the channels")
    parts = len(node.outputs)
    sizes = node.attributes.get("split") or const_ints(inputs[1] if len(inputs) > 1 else None) or ()
    if sizes and len(set(sizes)) != 1 or x.dims[axis] % parts:
        raise ValueError(f"it splits {x.dims[axis]} channels into parts that are not equal")
    each = x.dims[axis] // parts
    out = Data(x.dims[:axis] + (each,) + x.dims[axis + 1:], x.layout)
    return make("split", {"parts": parts}, *([out] * parts))


def concat(node: Node, inputs: list[Value | None], names: tuple[str, ...], data: list[Data], make: Maker) -> Op:
    """Along the channels, a ``concat``; a learned token joined in front of tokens, ``class_token``; along
    another axis, only a pattern (Swin's shift, a roll of the map)."""
    x = data[0]
    axis = node.attributes.get("axis", 1) % len(x.dims)
    others = [value for value in inputs if not isinstance(value, Data)]
    if others:
        dims = param_dims(others[0]) if len(others) == 1 else None
        if (x.layout == "tokens" and axis == 1 and len(data) == 1 and isinstance(others[0], Param)
                and not isinstance(inputs[0], Data) and dims is not None and product(dims) == channels(x)):
            return make("class_token", {}, Data((x.dims[0], x.dims[1] + 1, x.dims[2]), "tokens"))
        raise ValueError("it joins the image's data to a constant in a way costcalc has no kind for")
    if any(len(d.dims) != len(x.dims) or d.dims[:axis] + d.dims[axis + 1:] != x.dims[:axis] + x.dims[axis + 1:]
           for d in data):
        raise ValueError("it concatenates tensors whose other dimensions differ")
    total = sum(d.dims[axis] for d in data)
    dims = x.dims[:axis] + (total,) + x.dims[axis + 1:]
    if axis == channel_axis(x) and all(d.layout == x.layout for d in data):
        return make("concat", {}, Data(dims, x.layout), reads=names)
    return structural(make, "concat_any", "it concatenates along an axis that is not the channels",
                      Data(dims, x.layout if x.layout in ("nchw", "nhwc") else "other"), reads=names, axis=axis)


def pad(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    """Zero padding that pads nothing is nothing; other padding only a pattern takes (Swin's windows, patch
    merging); padding before a convolution a spec writes as the convolution's ``padding``."""
    mode = node.attributes.get("mode", "constant")
    if mode != "constant" or len(inputs) > 3 and inputs[3] is not None:
        raise ValueError(f"costcalc has no kind for 'Pad' in the mode {mode!r:.20} (or with axes)")
    pads = node.attributes.get("pads") or const_ints(inputs[1] if len(inputs) > 1 else None)
    if pads is None or len(pads) != 2 * len(x.dims) or any(p < 0 for p in pads):
        raise ValueError("costcalc has no kind for 'Pad' with these pads (a spec pads inside a convolution)")
    if not any(pads):
        return make("noop", {}, x)
    dims = tuple(d + pads[i] + pads[i + len(x.dims)] for i, d in enumerate(x.dims))
    return structural(make, "pad", "costcalc has no kind for 'Pad' on its own (a spec pads inside a convolution "
                      "or a pool)", Data(dims, x.layout if x.layout in ("nchw", "nhwc") else "other"),
                      pads=tuple(pads))

