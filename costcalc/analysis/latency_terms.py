"""What a calibrated latency model is fitted on and predicts from: each layer's kind family, its Mult-Adds and
the bytes it moves, exact, and the model's terms summed over a network (docs/calibrate.md).

- **Family**, from the facts a kind reports (never its class): a layer seen as a convolution (``conv_view()``)
  is ``depthwise`` (one group per channel), ``pointwise`` (1x1, one group) or ``conv``; otherwise a layer whose
  cost components include attention's products (``weight_macs.qk``, ``weight_macs.av``) is ``attention``, one
  with other weight multiply-accumulates (fully connected, Linear on tokens) is ``matmul``, and every other
  layer that moves bytes (pooling, adds, a softmax, a norm that is not fused) is ``elementwise``.
- **Mult-Adds**: the layer's weight multiply-accumulates (``weight_macs`` and its qualified children), whatever
  the report's convention counts: a device spends its time on them whichever convention a report uses. With a
  channel block B > 1 (the device's, costcalc.devices.calibrated), a convolution's are counted with its output
  channels rounded up to a multiple of B (``padded``): the vector lanes a CPU computes whether they hold a
  channel or not.
- **Bytes moved**: as the roofline counts them (costcalc.analysis.roofline): inputs + output + weights; 0 for
  a layer that never runs. A batch of B scales the activations, not the weights.
- **Which layers run**, as ONNX Runtime's CPU graph optimizer leaves them (``kernels``; the "Graph
  Optimizations in ONNX Runtime" page: Conv BatchNorm fusion, Conv Activation fusion, and the NCHWc layout
  optimizer, which folds a residual's Add into the convolution's output): a batch norm, an activation that
  fusion supports (``FUSED_ACTIVATIONS``) or an add right after a convolution (or after one so fused), whose
  input nothing else reads, is folded into that convolution and runs no kernel; an in-place kind that
  ``runs_unfused`` otherwise runs one, reading as many bytes as it writes (SiLU, a channel shuffle's
  transpose, a split's slice); a view (flatten, dropout) never runs. Each kernel pays the per-layer overhead.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from costcalc.analysis.memory import Memory
from costcalc.devices.calibrated import Calibration, is_roofline, term_names
from costcalc.engine.results import Evaluation, LayerCost


class LayerTerms(NamedTuple):
    family: str
    mult_adds: int
    activation_bytes: int  # inputs read + output written
    weight_bytes: int
    runs: bool  # a kernel of its own (kernels): not a view, a fused layer or one in a params-only branch

    def bytes_moved(self, batch: int = 1) -> int:
        return self.activation_bytes * batch + self.weight_bytes


def family_of(row: LayerCost) -> str:
    view = row.layer.conv_view()
    if view is not None:
        if view.depthwise:
            return "depthwise"
        return "pointwise" if view.kernel == (1, 1) and view.groups == 1 else "conv"
    names = [name for name, amount in row.components.items() if amount and name.startswith("weight_macs")]
    if any(name.startswith(("weight_macs.qk", "weight_macs.av")) for name in names):
        return "attention"
    return "matmul" if names else "elementwise"


def _macs(row: LayerCost) -> int:
    return sum(amount for name, amount in row.components.items()
               if name == "weight_macs" or name.startswith("weight_macs."))


# The activations ONNX Runtime's Conv Activation fusion folds into a convolution on the CPU (checked on 1.32:
# a Conv then Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid or HardSwish becomes one Conv; Elu, Selu and
# SiLU's Sigmoid-Mul stay kernels of their own, the last as a QuickGelu). As cost components (act_<function>).
FUSED_ACTIVATIONS = frozenset(f"act_{name}" for name in ("relu", "relu6", "leaky_relu", "sigmoid", "tanh",
                                                           "hard_sigmoid", "hard_swish"))
_FUSED_OTHERS = frozenset({"bn_affine", "bn_stats", "bn_elements", "merge_adds"})  # batch norm, a residual's add


def _fusable(row: LayerCost) -> bool:
    """What a fusion folds into the convolution before: every component it reports is a batch norm's, a
    fusable activation's or an add's (how it is invoked, ``act_relu.functional``, does not matter)."""
    names = {name.split(".")[0] for name, amount in row.components.items() if amount}
    return bool(names) and names <= FUSED_ACTIVATIONS | _FUSED_OTHERS


def kernels(evaluation: Evaluation) -> list[bool]:
    """Which layers ONNX Runtime runs as a kernel of their own (module docstring): not one that never runs, a
    view, or one folded into the convolution it reads, when nothing else reads that convolution's output."""
    nodes, rows = evaluation.network.nodes, evaluation.layers
    readers = [0] * len(rows)
    for node in nodes:
        for source in set(node.inputs):
            if source >= 0:
                readers[source] += 1
    ends_in_conv = [False] * len(rows)  # a convolution, or a layer folded into one
    runs = []
    for index, (node, row) in enumerate(zip(nodes, rows)):
        if row.idle:
            runs.append(False)
            continue
        folded = _fusable(row) and any(source >= 0 and ends_in_conv[source] and readers[source] == 1
                                       for source in node.inputs)
        ends_in_conv[index] = folded or row.layer.conv_view() is not None
        runs.append(not folded and (not row.layer.in_place or row.layer.runs_unfused))
    return runs


def padded(row: LayerCost, macs: int, channel_block: int) -> int:
    """A convolution's Mult-Adds with its N output channels computed in whole blocks of ``channel_block``:
    macs x ceil(N / B) x B / N (rounded up; each output channel of a convolution has the same Mult-Adds), as
    ONNX Runtime's NCHWc convolutions pad their filters to whole blocks (a depthwise one: its channels)."""
    channels = int(row.output_shape.channels)
    if channel_block == 1 or row.layer.conv_view() is None or not channels:
        return macs
    blocks = -(-channels // channel_block)
    return -(-macs * blocks * channel_block // channels)


def layer_terms(evaluation: Evaluation, memory_use: Memory, channel_block: int = 1,
                memory_batch: int = 1) -> list[LayerTerms]:
    """Each layer's terms; ``memory_batch``: the batch ``memory_use`` was computed at (its activations')."""
    from costcalc.devices import DTYPES

    size = DTYPES[memory_use.dtype] * memory_batch
    terms = []
    for row, layer, runs in zip(evaluation.layers, memory_use.layers, kernels(evaluation)):
        macs = padded(row, _macs(row), channel_block) if runs else 0
        activations = weights = 0
        if runs and row.layer.in_place:  # run on its own: it reads what it writes (a map, a slice, a permutation)
            activations = 2 * size * _elements(row.output_shape)
        elif runs:
            activations, weights = layer.input_bytes + layer.activation_bytes, layer.weight_bytes
        terms.append(LayerTerms(family_of(row), macs, activations, weights, runs))
    return terms


def _elements(shape: tuple[int, ...]) -> int:
    count = 1
    for extent in shape:
        count *= extent
    return count


def features(layers: list[LayerTerms], form: str, balance: Fraction | None, batch: int = 1,
             whole_network: bool = True) -> list[Fraction]:
    """The counts the model's terms multiply (``term_names(form)``'s order), summed over ``layers``: a network
    (``whole_network``: the per-inference term counts once) or one layer of it measured alone."""
    values = dict.fromkeys(term_names(form), Fraction(0))
    values["per_inference"] = Fraction(1 if whole_network else 0)
    for layer in layers:
        if not layer.runs:
            continue
        values["per_layer"] += 1
        moved = layer.bytes_moved(batch)
        for family in ("all", layer.family):  # the pooled term and the family's own
            if is_roofline(form):
                values[f"roofline.{family}"] += max(Fraction(layer.mult_adds * batch), (balance or 0) * moved)
            else:
                values[f"mult_adds.{family}"] += layer.mult_adds * batch
                values[f"bytes.{family}"] += moved
    return list(values.values())


def layer_time(layer: LayerTerms, calibration: Calibration, batch: int = 1) -> tuple[Fraction, str]:
    """A layer's predicted time (its share of per-layer overhead included) and what dominates it: ``compute``
    (its Mult-Adds term) or ``memory`` (its bytes term); ("" for a layer that does not run)."""
    if not layer.runs:
        return Fraction(0), ""
    values = features([layer], calibration.form, calibration.balance, batch, whole_network=False)
    time = sum((calibration.coefficients[name] * value for name, value in zip(term_names(calibration.form), values)),
               Fraction(0))
    moved = layer.bytes_moved(batch)
    compute: Fraction
    memory: Fraction
    if not is_roofline(calibration.form):
        coefficient = calibration.coefficients
        compute = (coefficient["mult_adds.all"] + coefficient[f"mult_adds.{layer.family}"]) * layer.mult_adds * batch
        memory = (coefficient["bytes.all"] + coefficient[f"bytes.{layer.family}"]) * moved
    else:
        compute, memory = Fraction(layer.mult_adds * batch), Fraction(calibration.balance or 0) * moved
    return time, "compute" if compute >= memory and layer.mult_adds else "memory"
