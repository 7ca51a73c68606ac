"""The hostile-input corpus for ONNX files (issue 16; docs/onnx.md, "Limits"; docs/security.md): malformed,
truncated and hostile models (huge dimensions, cycles, a graph of more nodes than costcalc reads, nesting) get
a located error and exit 2, never a traceback or a hang; a 100 MB model with its weights imports within the
harness's bounds (2 s of CPU, 100 MB of memory: ``tests/hostile.py``), because its weights are never read.

Each case runs costcalc in its own process (``tests/hostile.py``); the models are built at run time with
``onnx.helper``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hostile import Case, check, ids

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

from costcalc.onnx.wire import MAX_FIELDS, MAX_GRAPH_DEPTH, MAX_NODES, _encode_varint  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "onnx" / "resnet18.onnx"


def image(name: str = "input", dims: Any = ("batch", 3, 32, 32)) -> Any:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def weight(name: str, dims: tuple[int, ...]) -> Any:
    """A weight given as a graph input of its shape (a graph-only file)."""
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def model_bytes(nodes: list[Any], inputs: list[Any], outputs: list[Any], initializers: tuple[Any, ...] = (),
                check_model: bool = False) -> bytes:
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if check_model:
        onnx.checker.check_model(model)
    return model.SerializeToString()


NOTE = "costcalc: attention instance=1 heads=2"  # costcalc export's note on a node of an attention


def conv_net(*extra: Any, last: str = "y", conv_dims: tuple[int, ...] = (8, 3, 3, 3), **conv: Any) -> bytes:
    """input -> Conv -> extra nodes -> output ``last``."""
    nodes = [helper.make_node("Conv", ["input", "w"], ["y"], name="conv", kernel_shape=[3, 3],
                              pads=conv.pop("pads", [1, 1, 1, 1]), **conv), *extra]
    return model_bytes(nodes, [image(), weight("w", conv_dims)], [helper.make_tensor_value_info(last, 1, None)])


def wire_model(graph: bytes) -> bytes:
    return b"\x3a" + _encode_varint(len(graph)) + graph


def nested_graphs(depth: int) -> bytes:
    """A graph whose one node has a graph attribute, whose one node has one, ... ``depth`` deep."""
    graph = b""
    for _ in range(depth):
        attribute = b"\x32" + _encode_varint(len(graph)) + graph  # AttributeProto.g
        node = b"\x2a" + _encode_varint(len(attribute)) + attribute  # NodeProto.attribute
        graph = b"\x0a" + _encode_varint(len(node)) + node  # GraphProto.node
    return wire_model(graph)


def large_model(path: Path) -> None:
    """A conv net with a 100 MB fully connected weight, stored in the file."""
    import numpy

    fc = numpy.zeros((25_600, 1024), dtype=numpy.float32)  # 104,857,600 bytes
    nodes = [helper.make_node("Conv", ["input", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("GlobalAveragePool", ["c"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fc"], ["y"], transB=1, name="fc")]
    weights = [onnx.numpy_helper.from_array(numpy.zeros((1024, 3, 3, 3), numpy.float32), "w"),
               onnx.numpy_helper.from_array(fc, "fc")]
    path.write_bytes(model_bytes(nodes, [image()], [helper.make_tensor_value_info("y", 1, None)], weights))


def external_weights() -> bytes:
    """A conv net whose weight is external data in a file that is not there (only its shape is read)."""
    tensor = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[8, 3, 3, 3], data_location=TensorProto.EXTERNAL)
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "missing-weights.bin"
    node = helper.make_node("Conv", ["input", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], name="conv")
    return model_bytes([node], [image()], [helper.make_tensor_value_info("y", 1, None)], (tensor,))


def conv_chain(count: int, pattern: int) -> bytes:
    """``count`` 1x1 convolutions whose filters cycle through ``pattern`` values: layers that do not repeat as
    the importer's ``repeat`` sees them (groups of up to 4) when ``pattern`` is larger."""
    nodes, inputs, previous, channels = [], [image()], "input", 3
    for index in range(count):
        filters = index % pattern + 1
        nodes.append(helper.make_node("Conv", [previous, f"w{index}"], [f"t{index}"], kernel_shape=[1, 1]))
        inputs.append(weight(f"w{index}", (filters, channels, 1, 1)))
        previous, channels = f"t{index}", filters
    return model_bytes(nodes, inputs, [helper.make_tensor_value_info(previous, 1, None)])


def relu_chain(count: int) -> bytes:
    nodes = [helper.make_node("Relu", ["input" if index == 0 else f"t{index - 1}"], [f"t{index}"])
             for index in range(count)]
    return model_bytes(nodes, [image()], [helper.make_tensor_value_info(f"t{count - 1}", 1, None)])


ANSI_NAME = "\x1b[31mred\nnext line \u202e"
SMALL = conv_net()
CASES = [
    Case("empty-file", ("report", "m.onnx"), r"^m\.onnx: error\[E571\]: the file is empty", files={"m.onnx": b""}),
    Case("text-not-protobuf", ("import", "m.onnx"), r"^m\.onnx: error\[E571\]: not a readable ONNX model",
         files={"m.onnx": "layers:\n  - conv: {kernel: 3}\n"}),
    Case("random-bytes", ("report", "m.onnx"), r"^m\.onnx: error\[E571\]: not a",
         files={"m.onnx": random.Random(16).randbytes(50_000)}),
    Case("truncated-export", ("report", "m.onnx"), r"^m\.onnx: error\[E571\]: .*truncated",
         files={"m.onnx": FIXTURE.read_bytes()[: FIXTURE.stat().st_size // 2]}),
    Case("a-graph-of-a-billion-nodes-claimed", ("report", "m.onnx"), r"^m\.onnx: error\[E571\]: .*truncated",
         files={"m.onnx": b"\x3a" + _encode_varint(2 * 10**9) + b"\x0a\x00" * 1000}),
    Case("more-nodes-than-costcalc-reads", ("report", "m.onnx"),
         rf"^m\.onnx: error\[E572\]: the graph has more than {MAX_NODES:,} nodes",
         files={"m.onnx": wire_model(b"\x0a\x00" * (MAX_NODES + 1))}),
    Case("a-million-unpacked-floats", ("report", "m.onnx"),
         rf"^m\.onnx: error\[E572\]: the file holds more than {MAX_FIELDS:,} protobuf fields",
         files={"m.onnx": wire_model(b"\x2a" + _encode_varint(5 * MAX_FIELDS) + b"\x25\x00\x00\x00\x00" * MAX_FIELDS)}),
    Case("graphs-nested-in-attributes", ("report", "m.onnx"),
         rf"^m\.onnx: error\[E572\]: graphs are nested more than {MAX_GRAPH_DEPTH} deep",
         files={"m.onnx": nested_graphs(1000)}),
    Case("a-protobuf-group", ("report", "m.onnx"), r"^m\.onnx: error\[E571\]: .*wire type 3",
         files={"m.onnx": b"\x3b\x3c"}),
    Case("a-huge-dimension", ("report", "m.onnx"), r"^m\.onnx: error\[E572\]: tensor 'w' has the dimension "
         r"1,152,921,504,606,846,976",
         files={"m.onnx": conv_net(conv_dims=(2**60, 3, 3, 3))}),
    Case("a-huge-image-counts-at-once", ("report", "m.onnx", "--format", "json"), "", exit=0,
         stdout=r'"mult_adds": 2[0-9]{25}',
         files={"m.onnx": model_bytes([helper.make_node("Conv", ["input", "w"], ["y"], kernel_shape=[3, 3],
                                                        pads=[1, 1, 1, 1])],
                                      [image(dims=(1, 3, 2**45, 2**45)), weight("w", (64, 3, 3, 3))],
                                      [helper.make_tensor_value_info("y", 1, None)])}),
    Case("a-cycle", ("report", "m.onnx"), r"^m\.onnx: error\[E573\]: the graph has a cycle: node 'a' \(#0, Relu\)",
         files={"m.onnx": model_bytes([helper.make_node("Relu", ["b"], ["a"], name="a"),
                                       helper.make_node("Add", ["input", "a"], ["b"], name="b")],
                                      [image()], [helper.make_tensor_value_info("b", 1, None)])}),
    Case("a-tensor-read-but-never-made", ("report", "m.onnx"), r"error\[E573\]: node 'relu' \(#1, Relu\) reads 'ghost'",
         files={"m.onnx": conv_net(helper.make_node("Relu", ["ghost"], ["z"], name="relu"), last="z")}),
    Case("a-tensor-made-twice", ("report", "m.onnx"), r"error\[E573\]: node 'again' \(#1, Relu\) writes 'y'",
         files={"m.onnx": conv_net(helper.make_node("Relu", ["input"], ["y"], name="again"))}),
    Case("two-outputs", ("report", "m.onnx"), r"error\[E573\]: the graph has 2 outputs that depend on the image",
         files={"m.onnx": model_bytes([helper.make_node("Relu", ["input"], ["a"]),
                                       helper.make_node("Sigmoid", ["input"], ["b"])], [image()],
                                      [helper.make_tensor_value_info(n, 1, None) for n in "ab"])}),
    Case("an-op-that-changes-the-shape", ("report", "m.onnx"),
         r"error\[E574\]: node 'up' \(#1, Resize\): costcalc has no kind for 'Resize'",
         files={"m.onnx": conv_net(helper.make_node("Resize", ["y"], ["z"], name="up"), last="z")}),
    Case("a-weight-that-does-not-fit", ("report", "m.onnx"),
         r"error\[E574\]: node 'conv' \(#0, Conv\): its weight \[8, 4, 3, 3\] and group 1 do not fit its 3 input",
         files={"m.onnx": conv_net(conv_dims=(8, 4, 3, 3))}),
    Case("uneven-padding", ("report", "m.onnx"), r"error\[E574\]: node 'conv' .*its padding \(0, 0, 2, 0\) is not",
         files={"m.onnx": conv_net(pads=[0, 0, 2, 0])}),
    Case("a-name-with-escapes", ("report", "m.onnx"), r"error\[E574\]: node '\\x1b\[31mred\\nnext line \\u202e'",
         files={"m.onnx": conv_net(helper.make_node("Resize", ["y"], ["z"], name=ANSI_NAME), last="z")}),
    Case("a-custom-domain", ("report", "m.onnx"), r"error\[E574\]: .*it is an op of the domain 'com.example'",
         files={"m.onnx": conv_net(helper.make_node("Fancy", ["y"], ["z"], domain="com.example"), last="z")}),
    Case("two-branches-multiplied", ("report", "m.onnx"), r"error\[E576\]: node 'product' \(#2, Mul\) multiplies two",
         files={"m.onnx": conv_net(helper.make_node("Conv", ["input", "w"], ["y2"], kernel_shape=[3, 3],
                                                    pads=[1, 1, 1, 1]),
                                   helper.make_node("Mul", ["y", "y2"], ["z"], name="product"), last="z")}),
    Case("an-op-left-out-is-listed", ("report", "m.onnx", "--format", "json"),
         r"^m\.onnx: warning\[W170\]: 2 'Abs' nodes with no costcalc kind, left out \(counted as nothing\): "
         r"node 'abs1' \(#1, Abs\), node 'abs2' \(#2, Abs\); --strict makes this an error", exit=0,
         files={"m.onnx": conv_net(helper.make_node("Abs", ["y"], ["a"], name="abs1"),
                                   helper.make_node("Abs", ["a"], ["z"], name="abs2"), last="z")}),
    Case("strict-refuses-an-op-left-out", ("import", "m.onnx", "--strict"),
         r"^m\.onnx: error\[E575\]: 1 'Abs' node with no costcalc kind: node 'abs1' \(#1, Abs\); --strict refuses",
         files={"m.onnx": conv_net(helper.make_node("Abs", ["y"], ["z"], name="abs1"), last="z")}),
    Case("external-data-that-is-not-there", ("report", "m.onnx", "--format", "json"), "", exit=0,
         stdout=r'"mult_adds": 221184,\n    "params": 216,', files={"m.onnx": external_weights()}),
    Case("more-layers-than-a-spec-expands-to", ("report", "m.onnx"),
         r"^m\.onnx: error\[E572\]: the graph maps to more than 20,000 layers", files={"m.onnx": relu_chain(20_001)}),
    Case("a-spec-too-large-to-write", ("import", "m.onnx"),
         r"^m\.onnx: error\[E572\]: the graph's spec would be [0-9,]+ bytes, more than the 128 KiB of a spec file",
         files={"m.onnx": conv_chain(4_000, 13)}),
    Case("a-note-costcalc-does-not-write", ("report", "m.onnx"),
         r"error\[E574\]: node 'relu' \(#1, Relu\): its costcalc note has the word 'rm'",
         files={"m.onnx": conv_net(helper.make_node("Relu", ["y"], ["z"], name="relu", doc_string="costcalc: rm -rf"),
                                   last="z")}),
    Case("a-note-with-a-number-too-long", ("report", "m.onnx"),
         r"error\[E574\]: node 'relu' \(#1, Relu\): its costcalc note has 'heads=1{17}'",
         files={"m.onnx": conv_net(helper.make_node("Relu", ["y"], ["z"], name="relu",
                                                    doc_string="costcalc: attention heads=" + "1" * 17), last="z")}),
    Case("a-noted-construct-that-reads-two-tensors", ("report", "m.onnx"),
         r"error\[E574\]: node 'a' \(#1, Relu\): the nodes noted as one 'attention' read 2 tensors and give 1",
         files={"m.onnx": conv_net(helper.make_node("Relu", ["y"], ["a"], name="a", doc_string=NOTE),
                                   helper.make_node("Relu", ["y"], ["b"], name="b"),
                                   helper.make_node("Add", ["a", "b"], ["z"], name="z", doc_string=NOTE), last="z")}),
    Case("a-folder-named-onnx", ("report", "m.onnx"), r"^m\.onnx: error\[E100\]: is a directory",
         files={"m.onnx/x": b""}),
    Case("a-hundred-megabytes-of-weights", ("report", "big.onnx", "--format", "json"), "", exit=0,
         stdout=r'"params": 26214400', files={"big.onnx": large_model}),
]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 15 and len({case.id for case in CASES}) == len(CASES)
    assert onnx.load_from_string(SMALL).graph.node[0].op_type == "Conv"  # what the cases build on parses


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_hostile_onnx(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)
