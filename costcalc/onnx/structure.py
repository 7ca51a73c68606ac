"""The imported ops as a spec's entries: a chain of layers with ``residual`` and ``concat`` where the graph
branches and joins again (docs/spec-format.md, "Graphs").

Where a tensor is read by more than one op, its branches are followed until they all meet in one op (a sweep
in topological order over the ops reachable from the fork: the first op that every open path leads into).
That op must join them as a spec can: an ``Add`` of two branches (``residual``; an empty branch is the
identity shortcut) or a ``Concat`` of two or more (``concat``; a branch that is the fork's tensor itself is
``[]``). A split's parts join in a concat, in order (``concat: {split: true}``). A chain of ops noted
``params_only`` by ``costcalc export`` that reads a tensor and leads nowhere is a ``params_only`` branch there. Anything else — branches that
share an op, a fork whose branches never meet, nesting deeper than a spec allows — is a located error (E576),
never an approximation.
"""

from __future__ import annotations

import heapq
from typing import NamedTuple, Union

from costcalc.onnx.constructs import params_only
from costcalc.onnx.lower import Op
from costcalc.onnx.model import fail

MAX_DEPTH = 64  # branches inside branches, as a spec's entries may nest (docs/errors.md, "Limits")


class LayerEntry(NamedTuple):
    op: Op


class ResidualEntry(NamedTuple):
    main: list[Entry]
    shortcut: list[Entry]
    op: Op


class ConcatEntry(NamedTuple):
    branches: list[list[Entry]]
    split: bool
    op: Op
    split_op: Op | None = None


class ParamsOnlyEntry(NamedTuple):
    layers: list[Entry]


Entry = Union[LayerEntry, ResidualEntry, ConcatEntry, ParamsOnlyEntry]


class _Structure:
    def __init__(self, ops: tuple[Op, ...], output: str, path: str):
        self.ops = ops
        self.output = output
        self.path = path
        self.producer = {name: index for index, op in enumerate(ops) for name in op.outputs}
        self.readers: dict[str, list[int]] = {}
        self.idle: dict[str, list[int]] = {}  # the params-only ops that read a tensor
        for index, op in enumerate(ops):
            for name in dict.fromkeys(op.inputs):
                (self.idle if params_only(op) else self.readers).setdefault(name, []).append(index)

    def refuse(self, op: Op, message: str) -> Exception:
        return fail(self.path, f"{op.node.where()}: {message}", "E576")

    def chain(self, start: str, end: str, region: set[int] | None, depth: int) -> list[Entry]:
        if depth > MAX_DEPTH:
            raise fail(self.path, f"the graph's branches nest more than {MAX_DEPTH} deep", "E576")
        entries: list[Entry] = []
        tensor = start
        while tensor != end:
            entries.extend(self.params_only(tensor))
            users = [i for i in self.readers.get(tensor, ()) if region is None or i in region]
            if not users:
                raise fail(self.path, f"the tensor {tensor!r:.60} leads nowhere on the way to the output", "E576")
            op = self.ops[users[0]]
            if len(users) == 1 and op.kind == "split":
                entry, tensor = self.split(op, users[0], region, depth)
                entries.append(entry)
            elif len(users) == 1 and len(op.inputs) == 1:
                entries.append(LayerEntry(op))
                tensor = op.outputs[0]
            elif len(users) == 1:
                raise self.refuse(op, "it joins branches that do not start from one tensor, which a spec cannot "
                                     "write")
            else:
                entry, tensor = self.fork([tensor], users, region, depth)
                entries.append(entry)
        return entries

    def params_only(self, tensor: str) -> list[Entry]:
        """The params-only branches that read ``tensor``: chains of noted ops that lead nowhere."""
        found: list[Entry] = []
        for index in self.idle.pop(tensor, ()):  # written once, where the tensor is first reached
            layers: list[Entry] = []
            op = self.ops[index]
            while True:
                if len(op.inputs) != 1 or len(op.outputs) != 1 or len(layers) > len(self.ops):
                    raise self.refuse(op, "a params-only branch is a chain of layers, one after another")
                layers.append(LayerEntry(op))
                after = self.idle.get(op.outputs[0], [])
                if self.readers.get(op.outputs[0]) or len(after) > 1:
                    raise self.refuse(op, "a params-only branch leads nowhere and does not fork")
                if not after:
                    break
                op = self.ops[after[0]]
            found.append(ParamsOnlyEntry(layers))
        return found

    def join(self, starts: list[str], users: list[int], region: set[int] | None) -> tuple[int, set[int]]:
        """The op where every path from ``starts`` meets, and the ops on the way (exclusive)."""
        pending = set(users)
        queue = sorted(pending)  # a heap of the pending ops, earliest first: linear in the ops swept
        inside: set[int] = set()
        while len(pending) > 1:
            index = heapq.heappop(queue)
            pending.discard(index)
            inside.add(index)
            op = self.ops[index]
            if self.output in op.outputs:
                raise self.refuse(op, "the graph's branches from one tensor never meet again before the output")
            for name in op.outputs:
                for reader in self.readers.get(name, ()):
                    if (region is None or reader in region) and reader not in pending:
                        pending.add(reader)
                        heapq.heappush(queue, reader)
            if not pending:
                raise self.refuse(op, "a branch leads nowhere")
        (join,) = pending
        return join, inside

    def branch(self, start: str, end: str, inside: set[int], depth: int) -> tuple[list[Entry], set[int]]:
        if end == start:
            return [], set()
        region: set[int] = set()
        stack = [self.producer[end]] if end in self.producer else []
        while stack:
            index = stack.pop()
            if index in region or index not in inside:
                continue
            region.add(index)
            stack.extend(self.producer[name] for name in self.ops[index].inputs if name in self.producer)
        return self.chain(start, end, region, depth + 1), region

    def fork(self, starts: list[str], users: list[int], region: set[int] | None, depth: int,
             split: Op | None = None) -> tuple[Entry, str]:
        join_index, inside = self.join(starts, users, region)
        join = self.ops[join_index]
        sources = starts if split else starts * len(join.inputs)
        if join.kind not in ("add", "concat") or len(sources) != len(join.inputs):
            raise self.refuse(join, "branches meet here, but a spec joins branches only by adding two of them "
                                   "(residual) or stacking their channels (concat)" if not split else
                                   "a split's parts meet here, but a spec joins them only in a concat of all "
                                   "the parts, in order")
        branches: list[list[Entry]] = []
        covered: set[int] = set()
        for source, end in zip(sources, join.inputs):
            entries, region_of = self.branch(source, end, inside, depth)
            if covered & region_of:
                raise self.refuse(self.ops[min(covered & region_of)], "two branches share this op, which a spec "
                                                                      "cannot write")
            covered |= region_of
            branches.append(entries)
        if covered != inside:
            raise self.refuse(self.ops[min(inside - covered)], "this op is on a branch that does not reach the "
                                                              "join of its fork")
        if join.kind == "concat":
            return ConcatEntry(branches, split is not None, join, split), join.outputs[0]
        if len(branches) != 2 or join.inputs[0] == join.inputs[1]:
            raise self.refuse(join, "a spec's residual adds two different branches")
        main, shortcut = branches
        if not main:
            main, shortcut = shortcut, main
        return ResidualEntry(main, shortcut, join), join.outputs[0]

    def split(self, op: Op, index: int, region: set[int] | None, depth: int) -> tuple[Entry, str]:
        users = sorted({i for name in op.outputs for i in self.readers.get(name, ())
                        if region is None or i in region})
        if not users:
            raise self.refuse(op, "its parts lead nowhere")
        return self.fork(list(op.outputs), users, region, depth, split=op)


def entries(ops: tuple[Op, ...], image: str, output: str, path: str) -> list[Entry]:
    """The spec's entries for ``ops``, from the image's tensor to ``output``."""
    if image == output:
        raise fail(path, "the graph's output is its input: there is no layer to count", "E573")
    return _Structure(ops, output, path).chain(image, output, None, 0)
