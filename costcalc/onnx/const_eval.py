"""More of the shape arithmetic PyTorch's exporter writes for dynamic sizes (costcalc.onnx.values.evaluate): the
padding of Swin's windows, ``F.pad``'s reversed pairs, a zero tensor of a computed shape. Each op works on
small constants only (``MAX_VALUES`` values), exactly, as ONNX defines it (onnx/defs/tensor/defs.cc); anything
else is None: the value is then not known, and a node that needs it is a located error.
"""

from __future__ import annotations

from typing import Any

from costcalc.onnx.model import MAX_VALUES

Known = tuple[tuple[int, ...], tuple[Any, ...]]  # dims, values


def _count(dims: tuple[int, ...]) -> int:
    total = 1
    for dim in dims:
        total *= dim
    return total


def evaluate_more(op: str, attrs: dict[str, Any], inputs: list[Known | None]) -> Known | None:
    """The value of ``op`` on known constants (dims and values in order), or None."""
    first = inputs[0] if inputs else None
    if op == "ConstantOfShape" and first is not None:
        dims = tuple(int(v) for v in first[1])
        if any(d < 0 for d in dims) or _count(dims) > MAX_VALUES:
            return None
        fill = attrs.get("value")
        filled = fill.values[0] if fill is not None and getattr(fill, "values", None) else 0
        return dims, (filled,) * _count(dims)
    if first is None:
        return None
    dims, values = first
    if op == "Shape":
        return (len(dims),), dims
    if op == "Reshape" and len(inputs) > 1 and inputs[1] is not None:
        shape = [dims[i] if v == 0 and i < len(dims) else int(v) for i, v in enumerate(inputs[1][1])]
        if shape.count(-1) > 1 or any(v < -1 for v in shape):
            return None
        if -1 in shape:
            rest = _count(tuple(v for v in shape if v != -1))
            if not rest or len(values) % rest:
                return None
            shape[shape.index(-1)] = len(values) // rest
        return (tuple(shape), values) if _count(tuple(shape)) == len(values) else None
    if op == "Transpose" and len(dims) == 2:
        perm = tuple(attrs.get("perm") or (1, 0))
        if perm == (0, 1):
            return first
        rows, columns = dims
        return (columns, rows), tuple(values[r * columns + c] for c in range(columns) for r in range(rows))
    if op == "Slice" and dims and all(value is not None for value in inputs[1:3]):
        return _slice(dims, values, inputs)
    return None


def _slice(dims: tuple[int, ...], values: tuple[Any, ...], inputs: list[Known | None]) -> Known | None:
    """A Slice along the first axis (the rows of a small table: F.pad's pairs reversed)."""
    bounds = [int(value[1][0]) if value is not None and len(value[1]) == 1 else None for value in inputs[1:5]]
    start, end = bounds[0], bounds[1]
    step = bounds[3] if len(bounds) > 3 and bounds[3] is not None else 1
    if start is None or end is None or step == 0 or len(bounds) > 2 and bounds[2] not in (None, 0, -len(dims)):
        return None
    width = _count(dims[1:])
    rows = tuple(values[i * width:(i + 1) * width] for i in range(dims[0]))
    picked = _pick(rows, start, end, step)
    return (len(picked), *dims[1:]), tuple(v for row in picked for v in row)


def _pick(values: tuple[Any, ...], start: int, end: int, step: int) -> tuple[Any, ...]:
    size = len(values)
    start, end = (v + size if v < 0 else v for v in (start, end))
    if step > 0:
        start, end = max(0, min(size, start)), max(0, min(size, end))
        picked = values[start:end:step]
    else:
        start, end = max(-1, min(size - 1, start)), max(-1, min(size - 1, end))
        picked = tuple(values[i] for i in range(start, end, step))
    return tuple(picked)
