"""An ONNX file's structure, bounded and without its weights, read from the protobuf wire format before anything
parses it (docs/onnx.md, "Limits"; docs/security.md).

An ONNX model is one protobuf message (``ModelProto``). Its weights are most of its bytes: ``raw_data`` (and
the typed ``*_data`` fields) of each ``TensorProto`` in the graph's initializers and in ``Constant`` nodes'
attributes. costcalc needs their shapes (``dims``), never their values, except the few small integer tensors
that say a ``Reshape``'s target shape or a ``Slice``'s bounds. So this module walks the file's fields without
decoding them (a length-delimited field is skipped by its length, its bytes never touched: the file is
memory-mapped, so the pages of a 100 MB weight tensor are never read) and copies out the structure only:

- a tensor whose data is larger than ``SMALL_TENSOR_BYTES`` keeps its name, type and dims and loses its data;
- training information and local functions (``ModelProto`` fields 20 and 25) are left out: costcalc counts
  the inference graph, and a node that calls a local function is an op it does not know (docs/onnx.md);
- the walk counts what it visits and stops at the first bound passed: protobuf fields (``MAX_FIELDS``), nodes
  in all graphs (``MAX_NODES``), graphs nested in attributes (``MAX_GRAPH_DEPTH``) and the bytes of structure
  kept (``MAX_STRUCTURE_BYTES``), so a hostile file (a billion empty nodes, a graph nested a thousand deep,
  ten million unpacked floats) is refused in well under a second, before protobuf allocates anything for it.

The result is a valid serialized ``ModelProto``, a few hundred kilobytes for a real network, which
``costcalc.onnx.model`` parses. Field numbers are onnx/onnx.proto's (ONNX 1.17, IR version 10).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SMALL_TENSOR_BYTES = 4096  # data kept: shapes, axes, pads, clip bounds; a 64x3x3x3 conv weight is 6,912 bytes
MAX_FIELDS = 1_000_000  # protobuf fields visited (half a second); ResNet-152 has about 20,000 outside its weights
MAX_NODES = 100_000  # nodes in all graphs; ResNet-152 exports to about 1,000
MAX_GRAPH_DEPTH = 8  # graphs inside node attributes inside graphs (If, Loop, Scan bodies)
MAX_STRUCTURE_BYTES = 32 * 2**20  # bytes kept; a real network's structure is well under 1 MB

# Message types, by the field numbers whose values are messages of their own (walked), dropped, or tensor data.
_MODEL = "model"
_GRAPH = "graph"
_NODE = "node"
_ATTRIBUTE = "attribute"
_TENSOR = "tensor"
_SPARSE = "sparse"
_DROP = "drop"
_CHILDREN: dict[str, dict[int, str]] = {
    _MODEL: {7: _GRAPH, 20: _DROP, 25: _DROP},  # graph; training_info, functions
    _GRAPH: {1: _NODE, 5: _TENSOR, 15: _SPARSE},  # node, initializer, sparse_initializer
    _NODE: {5: _ATTRIBUTE},
    _ATTRIBUTE: {5: _TENSOR, 6: _GRAPH, 10: _TENSOR, 11: _GRAPH, 22: _SPARSE, 23: _SPARSE},  # t, g, tensors, graphs
    _SPARSE: {1: _TENSOR, 2: _TENSOR},  # values, indices
}
_TENSOR_DATA = frozenset({4, 5, 6, 7, 9, 10, 11})  # float, int32, string, int64, raw, double, uint64 data


class WireError(ValueError):
    """The bytes are not a protobuf message of ONNX's shape (``limit``: they pass a bound of this module)."""

    def __init__(self, message: str, limit: bool = False):
        super().__init__(message)
        self.limit = limit


def _too_large() -> WireError:
    return WireError(f"the model's structure (its graph without the weights) is larger than "
                     f"{MAX_STRUCTURE_BYTES // 2**20} MiB", limit=True)


def _varint(data: Any, position: int, end: int) -> tuple[int, int]:
    """The varint at ``position`` and the position after it (at most 10 bytes, as protobuf's)."""
    value = shift = 0
    for index in range(position, min(position + 10, end)):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, index + 1
        shift += 7
    raise WireError("the file ends inside a number, or a number is longer than protobuf allows")


def _key(number: int, wire_type: int) -> bytes:
    return _encode_varint(number << 3 | wire_type)


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class _Walk:
    def __init__(self, data: Any):
        self.data = data
        self.fields = 0
        self.nodes = 0

    def fields_of(self, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
        """(field number, wire type, start of the field's key, end of the field) of each field in ``start:end``;
        for a length-delimited field the value runs from ``end - length`` to ``end``. A generator: a message of
        a million fields is never held as a list."""
        data = self.data
        position = start
        while position < end:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                raise WireError(f"the file holds more than {MAX_FIELDS:,} protobuf fields outside its weights",
                                limit=True)
            key_start = position
            key, position = _varint(data, position, end)
            number, wire_type = key >> 3, key & 7
            if number == 0:
                raise WireError("a protobuf field numbered 0: the file is not a protobuf message")
            if wire_type == 0:
                _, position = _varint(data, position, end)
            elif wire_type == 1:
                position += 8
            elif wire_type == 5:
                position += 4
            elif wire_type == 2:
                length, position = _varint(data, position, end)
                position += length
            else:  # groups (3, 4) are not in ONNX; 6 and 7 do not exist
                raise WireError(f"a protobuf field of wire type {wire_type}: the file is not an ONNX model")
            if position > end:
                raise WireError("the file ends inside a field: it is truncated")
            yield number, wire_type, key_start, position

    def _copy(self, start: int, end: int, kept: int) -> Any:
        if kept + end - start > MAX_STRUCTURE_BYTES:  # checked before anything is copied
            raise _too_large()
        return self.data[start:end]

    def value_start(self, key_start: int, end: int) -> int:
        """Where a length-delimited field's value starts (after its key and length)."""
        _, position = _varint(self.data, key_start, end)
        _, position = _varint(self.data, position, end)
        return position

    def message(self, kind: str, start: int, end: int, depth: int) -> bytes:
        """The structure of the message of type ``kind`` in ``start:end``, re-serialized."""
        if kind == _NODE:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise WireError(f"the graph has more than {MAX_NODES:,} nodes", limit=True)
        if kind == _GRAPH:
            depth += 1
            if depth > MAX_GRAPH_DEPTH:
                raise WireError(f"graphs are nested more than {MAX_GRAPH_DEPTH} deep in node attributes", limit=True)
        drop_data = False
        if kind == _TENSOR:  # a first pass: how large is its data?
            data_bytes = sum(field_end - key_start for number, _type, key_start, field_end
                             in self.fields_of(start, end) if number in _TENSOR_DATA)
            drop_data = data_bytes > SMALL_TENSOR_BYTES
        children = _CHILDREN.get(kind, {})
        out = bytearray()
        for number, wire_type, key_start, field_end in self.fields_of(start, end):
            child = children.get(number)
            if child == _DROP or (drop_data and number in _TENSOR_DATA):
                continue
            if child is not None and wire_type == 2:
                value_start = self.value_start(key_start, field_end)
                body = self.message(child, value_start, field_end, depth)
                out += _key(number, 2) + _encode_varint(len(body)) + body
            elif child is not None:
                raise WireError(f"field {number} of a {kind} message should be a message: the file is not an ONNX "
                                "model")
            else:
                out += self._copy(key_start, field_end, len(out))
            if len(out) > MAX_STRUCTURE_BYTES:
                raise _too_large()
        return bytes(out)


def structure(data: Any) -> bytes:
    """The serialized ``ModelProto`` in ``data`` (bytes or a memory map) without its large tensor data, training
    information and local functions; ``WireError`` when it is not one, or passes a bound of this module."""
    walk = _Walk(data)
    return walk.message(_MODEL, 0, len(data), 0)
