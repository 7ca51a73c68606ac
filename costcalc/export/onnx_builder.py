"""The ONNX graph ``costcalc export`` writes, node by node (costcalc.export.onnx_graph and the modules that write
tokens and attention): weights, constants, nodes with the rank of each tensor, and the notes a node carries
for ``costcalc import`` (costcalc.onnx.notes)."""

from __future__ import annotations

import math
from typing import Any


class Builder:
    def __init__(self, onnx: Any, numpy: Any, weights: str):
        self.onnx, self.np, self.weights = onnx, numpy, weights
        self.helper = onnx.helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.inputs: list[Any] = []
        self.rank: dict[str, int] = {}
        self.rng = numpy.random.default_rng(0)
        self.names: set[str] = {"input", "output"}

    def claim(self, name: str) -> str:
        """``name`` as a tensor's, which no other tensor of the graph has (a clash is a bug of the exporter)."""
        if name in self.names:
            raise RuntimeError(f"the exporter names two tensors {name!r}")
        self.names.add(name)
        return name

    def param(self, name: str, dims: tuple[int, ...], fill: str = "he", fan_in: int = 1) -> str:
        """A weight: random or constant data, or with ``weights="none"`` a graph input of its shape."""
        self.claim(name)
        if self.weights == "none":
            self.inputs.append(self.helper.make_tensor_value_info(name, self.onnx.TensorProto.FLOAT, list(dims)))
            return name
        if fill == "he":
            data = self.rng.standard_normal(dims, dtype=self.np.float32) * math.sqrt(2.0 / max(fan_in, 1))
        else:
            data = self.np.full(dims, 1.0 if fill == "one" else 0.0, dtype=self.np.float32)
        self.initializers.append(self.onnx.numpy_helper.from_array(data.astype(self.np.float32), name))
        return name

    def const(self, name: str, values: Any, dtype: str = "int64") -> str:
        """A small constant (always written: import and ONNX Runtime need its values)."""
        self.claim(name)
        array = self.np.array(values, dtype=getattr(self.np, dtype))
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, name: str, rank: int, doc: str = "",
             **attributes: Any) -> str:  # attributes: ints, floats, strings and lists of them
        self.claim(output)
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=name, doc_string=doc, **attributes))
        self.rank[output] = rank
        return output

    def four_d(self, tensor: str, name: str) -> str:
        """``tensor`` as N x C x H x W (a flat N x C tensor gets 1 x 1)."""
        if self.rank.get(tensor, 4) == 4:
            return tensor
        shape = self.const(f"{name}/shape4", [0, -1, 1, 1])
        return self.node("Reshape", [tensor, shape], f"{name}/as_map", f"{name}/as_map", 4, "costcalc: implicit")

    def flat(self, tensor: str, name: str) -> str:
        if self.rank.get(tensor, 4) == 2:
            return tensor
        return self.node("Flatten", [tensor], f"{name}/flat", f"{name}/flat", 2, "costcalc: implicit", axis=1)

    def last_nodes(self, since: int) -> list[Any]:
        """The nodes written since ``since`` (a count of nodes), to note them."""
        return self.nodes[since:]
