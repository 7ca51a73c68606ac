"""An ONNX file as plain records: its nodes, its tensors' shapes and the few small values costcalc needs.

The file is memory-mapped and its structure copied out without the weights (``costcalc.onnx.wire``), then
parsed by the ``onnx`` package (the optional extra ``costcalc[onnx]``: without it, costcalc says how to install
it, E570). Nothing else in costcalc sees an ONNX protobuf: the records below are what the importer reads.
Every number read from the file is bounded here: a dimension or an attribute's integer above 2^53 − 1 (the
bound of every whole number in a spec, docs/spec-format.md "Numbers") or a negative dimension is refused (E572).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from costcalc.errors import CostcalcError, Diagnostic, Location, quoted

MAX_WHOLE = 2**53 - 1
MAX_VALUES = 4096  # elements of a small tensor decoded (a shape, axes, pads; costcalc.onnx.wire keeps such data)
INSTALL = "pip install 'costcalc[onnx]'"


class OnnxError(CostcalcError):
    """An ONNX file that cannot be read, is not a model costcalc can count, or passes a bound."""


class Tensor(NamedTuple):
    """A named tensor the file declares: an initializer, a graph input or output, or a value_info entry."""

    name: str
    dims: tuple[int | str, ...] | None  # None: its shape is not declared; a str is a symbolic dimension
    values: tuple[Any, ...] | None = None  # its data when small and present (costcalc.onnx.wire)


class Node(NamedTuple):
    position: int  # its place in the file's node list, counted from 0 (the "#i" of messages)
    name: str
    op_type: str
    domain: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict[str, Any]  # ints, floats, strings, lists of them, a Tensor, or "graph" for a subgraph
    doc: str

    def where(self) -> str:
        """How a message names the node: ``node 'conv1' (#3, Conv)``."""
        name = quoted(self.name) if self.name else "(unnamed)"
        return f"node {name} (#{self.position}, {quoted(self.op_type, 40)[1:-1]})"


class Graph(NamedTuple):
    path: str
    nodes: tuple[Node, ...]
    initializers: dict[str, Tensor]
    inputs: tuple[Tensor, ...]  # graph inputs that are not initializers
    outputs: tuple[Tensor, ...]
    value_info: dict[str, Tensor]
    opset: int


def fail(path: str, message: str, code: str) -> OnnxError:
    return OnnxError(Diagnostic(Location(path), message, code))


def require_onnx(path: str, what: str = "reading an ONNX file") -> Any:
    """The ``onnx`` module, or an error that says how to install it."""
    try:
        import onnx
    except ImportError:
        raise fail(path, f"{what} needs the onnx package, which is not installed: {INSTALL}", "E570") from None
    return onnx


def onnx_schema(path: str) -> Any:
    """The classes of ONNX's protobuf schema (``onnx/onnx-ml.proto``) from the onnx package: its generated module
    ``onnx.onnx_ml_pb2`` alone, loaded without the package's ``__init__``, which imports numpy and ml_dtypes
    (0.8 s of CPU, more than everything else an import does). A later ``import onnx`` (``costcalc export``)
    finds the module loaded and uses it, so the schema is registered with protobuf once."""
    import importlib.util
    import sys

    loaded = sys.modules.get("onnx.onnx_ml_pb2")
    if loaded is not None:
        return loaded
    try:
        package = importlib.util.find_spec("onnx")
    except (ImportError, ValueError):
        package = None
    if package is None or not package.submodule_search_locations:
        raise fail(path, f"reading an ONNX file needs the onnx package, which is not installed: {INSTALL}", "E570")
    location = os.path.join(list(package.submodule_search_locations)[0], "onnx_ml_pb2.py")
    spec = importlib.util.spec_from_file_location("onnx.onnx_ml_pb2", location)
    if spec is None or spec.loader is None or not os.path.exists(location):
        return require_onnx(path).onnx_ml_pb2  # a build of onnx laid out otherwise: the package, as it comes
    module = importlib.util.module_from_spec(spec)
    sys.modules["onnx.onnx_ml_pb2"] = module
    try:
        spec.loader.exec_module(module)
    except ImportError:  # protobuf itself is missing
        del sys.modules["onnx.onnx_ml_pb2"]
        raise fail(path, f"reading an ONNX file needs the onnx package and protobuf: {INSTALL}", "E570") from None
    return module


def read_graph(path: str) -> Graph:
    """The graph of the ONNX file at ``path``, bounded (costcalc.onnx.wire) and checked."""
    import mmap

    from costcalc.onnx.wire import WireError, structure
    from costcalc.source.files import LIMITS, InputError, size_text

    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > LIMITS["onnx"]:
                raise fail(path, f"the file is larger than {size_text(LIMITS['onnx'])}, the most costcalc reads of an "
                                 "ONNX file (docs/errors.md, \"Limits\")", "E100")
            if size == 0:
                raise fail(path, "the file is empty, not an ONNX model", "E571")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                kept = structure(mapped)
    except WireError as error:
        raise fail(path, f"not a readable ONNX model: {error}" if not error.limit else str(error),
                   "E572" if error.limit else "E571") from None
    except IsADirectoryError:
        raise InputError(Diagnostic(Location(path), "is a directory, not an ONNX file", "E100")) from None
    except FileNotFoundError:
        raise InputError(Diagnostic(Location(path), "no such file", "E100")) from None
    except OSError as error:
        raise InputError(Diagnostic(Location(path), f"cannot read: {error.strerror or 'error'}", "E100")) from None
    schema = onnx_schema(path)
    try:
        model = schema.ModelProto.FromString(kept)
    except Exception:  # protobuf's DecodeError, or a string field that is not UTF-8
        raise fail(path, "not a readable ONNX model: protobuf cannot parse it", "E571") from None
    if not model.HasField("graph") or not model.graph.node:
        raise fail(path, "not an ONNX model: it has no graph, or a graph without nodes", "E571")
    return _graph(path, model, schema)


def _opset(model: Any) -> int:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    return 0


def _dims(path: str, name: str, dims: Any) -> tuple[int | str, ...]:
    found: list[int | str] = []
    for dim in dims:
        if isinstance(dim, int):
            value: int | str = dim
        elif dim.HasField("dim_value"):
            value = dim.dim_value
        else:
            value = dim.dim_param or "?"
        if isinstance(value, int) and not 0 <= value <= MAX_WHOLE:
            raise fail(path, f"tensor {quoted(name)} has the dimension {value:,}; costcalc reads dimensions from 0 "
                             f"to 2^53 - 1", "E572")
        found.append(value)
    return tuple(found)


def _value_info(path: str, info: Any) -> Tensor:
    kind = info.type.WhichOneof("value") if info.HasField("type") else None
    if kind != "tensor_type" or not info.type.tensor_type.HasField("shape"):
        return Tensor(info.name, None)
    return Tensor(info.name, _dims(path, info.name, info.type.tensor_type.shape.dim))


# ONNX's TensorProto.DataType -> the struct format of one value in raw_data, and the typed field that holds
# the values otherwise (onnx/onnx.proto).
_FORMATS = {1: ("f", "float_data"), 2: ("B", "int32_data"), 3: ("b", "int32_data"), 4: ("H", "int32_data"),
            5: ("h", "int32_data"), 6: ("i", "int32_data"), 7: ("q", "int64_data"), 9: ("?", "int32_data"),
            11: ("d", "double_data"), 12: ("I", "uint64_data"), 13: ("Q", "uint64_data")}


def _tensor(path: str, proto: Any) -> Tensor:
    """A tensor's name and shape, and its values when it is small and they are in the file."""
    import struct

    dims = _dims(path, proto.name, proto.dims)
    count = 1
    for dim in dims:
        count *= int(dim)
    values = None
    form = _FORMATS.get(proto.data_type)
    if form is not None and count <= MAX_VALUES and proto.data_location != 1:  # 1: EXTERNAL, never read
        code, field = form
        try:
            if proto.raw_data:
                found = struct.unpack(f"<{count}{code}", proto.raw_data)
            else:
                found = tuple(getattr(proto, field))
        except struct.error:  # data of the wrong size: the values are unknown, the shape stands
            found = ()
        if len(found) == count:
            values = tuple(int(v) if isinstance(v, bool) else v for v in found)
    return Tensor(proto.name, dims, values)


def _attribute(path: str, attribute: Any, schema: Any) -> Any:
    AttributeProto = schema.AttributeProto  # noqa: N806 - protobuf's name
    kind = attribute.type
    if kind == AttributeProto.INT:
        return _bounded(path, attribute.name, attribute.i)
    if kind == AttributeProto.INTS:
        return tuple(_bounded(path, attribute.name, value) for value in attribute.ints)
    if kind == AttributeProto.FLOAT:
        return attribute.f
    if kind == AttributeProto.FLOATS:
        return tuple(attribute.floats)
    if kind == AttributeProto.STRING:
        return attribute.s.decode("utf-8", "replace")
    if kind == AttributeProto.TENSOR:
        return _tensor(path, attribute.t)
    if kind in (AttributeProto.GRAPH, AttributeProto.GRAPHS):
        return "graph"
    return None


def _bounded(path: str, name: str, value: int) -> int:
    if abs(value) > MAX_WHOLE:
        raise fail(path, f"attribute {quoted(name)} is {value:,}; costcalc reads integers up to 2^53 - 1", "E572")
    return int(value)


def _graph(path: str, model: Any, schema: Any) -> Graph:
    graph = model.graph
    initializers = {proto.name: _tensor(path, proto) for proto in graph.initializer}
    for sparse in graph.sparse_initializer:
        name = sparse.values.name
        initializers[name] = Tensor(name, _dims(path, name, sparse.dims))
    nodes = []
    for index, proto in enumerate(graph.node):
        attributes = {attribute.name: _attribute(path, attribute, schema) for attribute in proto.attribute}
        nodes.append(Node(index, proto.name, proto.op_type, proto.domain, tuple(proto.input), tuple(proto.output),
                          attributes, proto.doc_string))
    inputs = tuple(_value_info(path, info) for info in graph.input if info.name not in initializers)
    outputs = tuple(_value_info(path, info) for info in graph.output)
    value_info = {info.name: _value_info(path, info) for info in graph.value_info}
    return Graph(path, tuple(nodes), initializers, inputs, outputs, value_info, _opset(model))
