"""The imported entries as a spec's text (docs/spec-format.md), with a comment naming the ONNX node(s) of each
layer, and repeated entries written once under ``repeat`` (the graph's repeating blocks).

Names of nodes come from the file: they are written only inside comments, as ``printable`` text cut to a
bounded length, so that no name can end a comment or add a line to the spec.
"""

from __future__ import annotations

from typing import Any

from costcalc.onnx.lower import Op
from costcalc.onnx.model import Node
from costcalc.onnx.structure import Entry, LayerEntry, ParamsOnlyEntry, ResidualEntry

INDENT = "  "
MAX_NAMES = 4  # node names a comment lists; the rest are counted
ALPHA_FIXED_KINDS = frozenset({"conv", "pointwise", "fc"})


def _name(node: Node) -> str:
    text = node.name or "(unnamed)"
    safe = "".join(ch if ch.isprintable() and ch not in "\r\n\x85\u2028\u2029" else "?" for ch in text[:80])
    return f"{safe}{'...' if len(text) > 80 else ''} (#{node.position})"


def comment(nodes: list[Node]) -> str:
    shown = ", ".join(_name(node) for node in nodes[:MAX_NAMES])
    more = f" and {len(nodes) - MAX_NAMES:,} more" if len(nodes) > MAX_NAMES else ""
    return f"# onnx: {shown}{more}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def layer_text(op: Op, fixed: bool) -> str:
    """``conv: {kernel: 3, filters: 64}``, ``relu``, ``batch_norm``: the entry of one op."""
    fields = dict(op.fields)
    if fixed and op.kind in ALPHA_FIXED_KINDS:
        fields["fixed"] = True
    if op.kind == "activation" and set(fields) == {"function"}:
        return str(fields["function"])
    if not fields:
        return op.kind
    return f"{op.kind}: {{{', '.join(f'{key}: {_value(value)}' for key, value in fields.items())}}}"


class Writer:
    def __init__(self, fixed: set[int]):
        self.fixed = fixed  # id() of the ops alpha does not scale (the classifier)

    def lines(self, entries: list[Entry], depth: int) -> list[tuple[str, list[Node]]]:
        """(text, nodes) per line at ``depth`` of indentation; a run of equal groups of entries (a block the
        graph repeats: ResNet's residual and its ReLU) written once under ``repeat``."""
        rendered = [self.entry(entry, depth + 1) for entry in entries]
        keys = [_plain(lines) for lines in rendered]
        out: list[tuple[str, list[Node]]] = []
        index = 0
        while index < len(rendered):
            width, run = _best_run(keys, index)
            if run < 2:
                out.extend(rendered[index])
                index += 1
                continue
            pad = INDENT * depth
            out.append((f"{pad}- repeat: {run}", []))
            out.append((f"{pad}  layers:", []))
            for offset in range(width):
                copies = [rendered[index + offset + width * k] for k in range(run)]
                out.extend((INDENT + text, [node for copy in copies for node in copy[line][1]])
                           for line, (text, _nodes) in enumerate(copies[0]))
            index += width * run
        return out

    def entry(self, entry: Entry, depth: int) -> list[tuple[str, list[Node]]]:
        pad = INDENT * (depth - 1)
        if isinstance(entry, LayerEntry):
            op = entry.op
            return [(f"{pad}- {layer_text(op, id(op) in self.fixed)}", [op.node, *op.folded])]
        if isinstance(entry, ResidualEntry):
            out = [(f"{pad}- residual:", [entry.op.node]), (f"{pad}    layers:", [])]
            out += self.lines(entry.main, depth + 2)
            if entry.shortcut:
                out.append((f"{pad}    shortcut:", []))
                out += self.lines(entry.shortcut, depth + 2)
            return out
        if isinstance(entry, ParamsOnlyEntry):
            return [(f"{pad}- params_only:", []), (f"{pad}    layers:", []), *self.lines(entry.layers, depth + 2)]
        nodes = [entry.op.node] + ([entry.split_op.node, *entry.split_op.folded] if entry.split_op else [])
        out = [(f"{pad}- concat:", nodes)]
        if entry.split:
            out.append((f"{pad}    split: true", []))
        out.append((f"{pad}    branches:", []))
        for branch in entry.branches:
            if not branch:
                out.append((f"{pad}      - []", []))
                continue
            out.append((f"{pad}      -", []))
            out.extend(self.lines(branch, depth + 3))
        return out


MAX_BLOCK = 4  # entries in a repeated group


def _best_run(keys: list[tuple[str, ...]], index: int) -> tuple[int, int]:
    """(entries in the group, repetitions) of the longest run of equal groups from ``index``."""
    best = (1, 1)
    for width in range(1, MAX_BLOCK + 1):
        group = keys[index:index + width]
        if len(group) < width:
            break
        run = 1
        while keys[index + width * run:index + width * (run + 1)] == group:
            run += 1
        if run > 1 and width * run > best[0] * best[1]:
            best = (width, run)
    return best


def _plain(lines: list[tuple[str, list[Node]]]) -> tuple[str, ...]:
    return tuple(text for text, _nodes in lines)


def spec_text(name: str, description: str, channels: int, size: tuple[int, int], entries: list[Entry],
              fixed: set[int], header: list[str], comments: bool = True) -> str:
    """The whole spec: a header of comments, its keys, and its layers; with ``comments``, each layer's ONNX
    nodes at the end of its line (without, the lines are the same: a message's line number is the line of
    ``costcalc import``'s output, and the YAML to read is a third as long)."""
    height, width = size
    shape = f"size: {height}" if height == width else f"height: {height}, width: {width}"
    out = [f"# {line}" for line in header]
    out += ["version: 1", f"name: {name}", f"description: {description}", f"input: {{channels: {channels}, {shape}}}",
            "layers:"]
    for text, nodes in Writer(fixed).lines(entries, 1):
        out.append(f"{text}  {comment(nodes)}" if nodes and comments else text)
    return "\n".join(out) + "\n"
