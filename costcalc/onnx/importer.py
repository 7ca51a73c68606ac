"""``costcalc import MODEL.onnx``, and an ONNX file wherever a spec goes: the file's graph as a spec's text.

The steps, each its own module: read the structure without the weights (``wire``, ``model``), follow the image
through the graph at a concrete size (``trace``, ``lower``, ``values``), fold the patterns that are one layer
(``fuse``), recover the spec's branches (``structure``) and write the text (``emit``). The importer never
counts: ``costcalc.spec`` reads the text like any spec, so an imported network is counted by the same layer
kinds as a written one, and ``import`` then ``report`` equals ``report MODEL.onnx``.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from costcalc.errors import Diagnostic, Location, warn
from costcalc.onnx.lower import Op
from costcalc.onnx.model import OnnxError, read_graph
from costcalc.onnx.structure import Entry, LayerEntry, ParamsOnlyEntry, ResidualEntry

MAX_LAYERS = 20_000  # costcalc.spec.build's bound on a network's layers, checked before any text is written
WEIGHTED = frozenset({"conv", "pointwise", "fc", "depthwise"})
PASSING = frozenset({"softmax", "dropout", "activation", "flatten", "stochastic_depth"})


class Imported(NamedTuple):
    text: str  # the spec
    left_out: tuple[Op, ...]  # ops costcalc has no kind for, left out (W170)


def _classifier(entries: list[Entry]) -> set[int]:
    """id() of the last weighted layer when only shape-keeping layers follow it: the classes, which alpha keeps."""
    for entry in reversed(entries):
        if not isinstance(entry, LayerEntry):
            return set()
        if entry.op.kind in WEIGHTED:
            return {id(entry.op)} if entry.op.kind != "depthwise" else set()
        if entry.op.kind not in PASSING:
            return set()
    return set()


def _count(entries: list[Entry]) -> int:
    total = 0
    for entry in entries:
        if isinstance(entry, LayerEntry):
            total += 1
        elif isinstance(entry, ResidualEntry):
            total += 1 + _count(entry.main) + _count(entry.shortcut)
        elif isinstance(entry, ParamsOnlyEntry):
            total += 1 + _count(entry.layers)
        else:
            total += 1 + sum(_count(branch) for branch in entry.branches)
    return total


def left_out_message(left_out: tuple[Op, ...], strict: bool = False) -> list[str]:
    """One line per op type: how many nodes, and where the first few are."""
    by_type: dict[str, list[Op]] = {}
    for op in left_out:
        by_type.setdefault(op.node.op_type, []).append(op)
    lines = []
    for op_type, ops in sorted(by_type.items()):
        where = ", ".join(op.node.where() for op in ops[:3]) + (f" and {len(ops) - 3:,} more" if len(ops) > 3 else "")
        what = f"{len(ops):,} {op_type!r:.40} node{'s' if len(ops) > 1 else ''} with no costcalc kind"
        lines.append(f"{what}: {where}; --strict refuses ops costcalc cannot count (without it, they are left out "
                     "with a warning)" if strict else f"{what}, left out (counted as nothing): {where}")
    return lines


def import_onnx(path: str, strict: bool = False, size: int | None = None, comments: bool = True) -> Imported:
    """The spec text of the ONNX file at ``path``. Ops costcalc has no kind for that keep their input's shape are
    left out with a warning (W170), or refused with ``strict`` (E575); ``size``: the pixels for a symbolic
    height and width (default 224); ``comments``: name each layer's ONNX nodes (the text a user reads)."""
    from costcalc.onnx.emit import spec_text
    from costcalc.onnx.fuse import fuse
    from costcalc.onnx.structure import entries as to_entries
    from costcalc.onnx.trace import trace
    from costcalc.source.files import LIMITS, size_text

    graph = read_graph(path)
    traced = trace(graph, size)
    fused = fuse(traced.ops, traced.output, path)
    messages = left_out_message(fused.left_out)
    if strict and messages:
        raise OnnxError([Diagnostic(Location(path), message, "E575")
                         for message in left_out_message(fused.left_out, strict=True)])
    for message in messages:
        warn(Location(path), f"{message}; --strict makes this an error", "W170")
    entries = to_entries(fused.ops, traced.image.name, fused.output, path)
    if _count(entries) > MAX_LAYERS:
        raise OnnxError(Diagnostic(Location(path), f"the graph maps to more than {MAX_LAYERS:,} layers, the most a "
                                                   "spec expands to (docs/errors.md, \"Limits\")", "E572"))
    _, channels, height, width = traced.input_dims
    stem = os.path.splitext(os.path.basename(path))[0] or "model"
    header = [f"Imported by costcalc from {os.path.basename(path)!r:.80} (ONNX opset {graph.opset}, "
              f"{len(graph.nodes):,} nodes): {_count(entries):,} entries; each layer's comment names its ONNX "
              "node(s) and their index in the file.",
              f"Channel counts scale with --alpha (width rule: truncate); the input's {channels} channels"
              + (" and the classifier's outputs are fixed." if _classifier(entries) else " are fixed.")]
    if traced.symbolic:
        header.append(f"Height and width are symbolic in the file ({', '.join(repr(s)[:40] for s in traced.symbolic)}): "
                      f"{height}x{width} here (costcalc import --size N); --resolution N counts the network at N.")
    for message in messages:
        header.append(f"Left out: {message}.")
    name, description = json.dumps(stem), json.dumps(f"imported from the ONNX file {os.path.basename(path)}")
    text = spec_text(name, description, channels, (height, width), entries, _classifier(entries), header, comments)
    if comments and len(text.encode("utf-8")) > LIMITS["spec"]:  # a spec file costcalc can read back: no comments
        text = spec_text(name, description, channels, (height, width), entries, _classifier(entries), header, False)
        text = text.replace("\nlayers:\n", "\nlayers:  # the ONNX nodes of each layer are not named: with them, this "
                            "spec would be larger than a spec file may be\n", 1)  # the same lines as in memory
    if len(text.encode("utf-8")) > LIMITS["spec"]:
        raise OnnxError(Diagnostic(Location(path), f"the graph's spec would be {len(text.encode('utf-8')):,} bytes, "
                                   f"more than the {size_text(LIMITS['spec'])} of a spec file (docs/errors.md, "
                                   "\"Limits\"): its layers do not repeat enough to be written as one", "E572"))
    return Imported(text, fused.left_out)
