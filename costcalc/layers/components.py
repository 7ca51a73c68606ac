"""Cost components: the quantities a layer reports from its formulas, and the facts of each.

A layer's ``costs`` is a mapping of component names to amounts (its weights' multiply-accumulates, the
elements a batch norm or a ReLU touches, its parameters, ...). A counting convention (costcalc.conventions)
is a weighted sum of components for the Mult-Adds and a list of components for the parameters, and says of
every other component that it ignores it: nothing counts as zero without a word (tests/test_conventions.py
fails when a component has no decision).

Each component knows what it is (for the docs and for ``costcalc explain``), whether it is a parameter count,
and what it is proportional to: the output's height x width, the input's, or neither (a parameter count).
``costcalc.engine.compiled`` relies on that split to evaluate grids of widths and resolutions fast.

A new component is declared here (``register_component``), beside the kind that reports it.
"""

from __future__ import annotations

from typing import NamedTuple

from costcalc.layers.fields import ACTIVATIONS


class Component(NamedTuple):
    name: str
    description: str  # one line, for the docs and convention files
    words: str  # what ``costcalc explain`` calls it: "batch-norm elements"
    unit: str  # one of it is counted per ...: "element", "input element", "weight"
    per: str  # "output" (proportional to the output's height x width), "input", or "none" (a parameter count)

    @property
    def param(self) -> bool:
        return self.per == "none"


COMPONENTS: dict[str, Component] = {}


def register_component(component: Component) -> Component:
    if component.name in COMPONENTS:
        raise RuntimeError(f"cost component {component.name!r} registered twice")
    if component.per not in ("output", "input", "none"):
        raise ValueError(f"{component.name}: 'per' must be output, input or none, not {component.per!r}")
    COMPONENTS[component.name] = component
    return component


for _component in (
    Component("weight_macs", "multiply-accumulates of conv / depthwise / pointwise / fully connected weights",
              "multiply-accumulates of conv and fully connected weights", "multiply-accumulate", "output"),
    Component("bias_adds", "one add per output element of a layer with a bias", "bias adds", "biased output element",
              "output"),
    Component("weights", "weights of conv / depthwise / pointwise / fully connected layers", "weights", "weight",
              "none"),
    Component("biases", "bias terms", "biases", "bias", "none"),
    Component("bn_affine", "BatchNorm scale and shift (gamma, beta): 2 per channel", "batch-norm gamma and beta",
              "parameter", "none"),
    Component("bn_stats", "BatchNorm running mean and variance: 2 per channel (non-trainable)",
              "batch-norm moving mean and variance", "statistic", "none"),
    Component("norm_affine", "LayerNorm scale and shift: 2 per channel", "layer-norm gamma and beta", "parameter",
              "none"),
    Component("layer_scale", "layer-scale factors (ConvNeXt): 1 per channel", "layer-scale factors", "factor", "none"),
    Component("merge_adds", "elementwise adds where branches are summed (residual connections)", "residual adds",
              "element", "output"),
    Component("scale_muls", "elementwise multiplies (squeeze-and-excitation scaling, layer scale)",
              "scaling multiplies (squeeze-and-excitation, layer scale)", "element", "output"),
    Component("bn_elements", "elements a batch norm normalises (its output elements)", "batch-norm elements",
              "element", "output"),
    Component("ln_elements", "elements a layer norm normalises", "layer-norm elements", "element", "output"),
    Component("maxpool_in", "input elements of a windowed max pool", "max-pool inputs", "input element", "input"),
    Component("maxpool_out", "output elements of a windowed max pool", "max-pool outputs", "output element",
              "output"),
    Component("avgpool_in", "input elements of a windowed average pool", "average-pool inputs", "input element",
              "input"),
    Component("avgpool_out", "output elements of a windowed average pool", "average-pool outputs", "output element",
              "output"),
    Component("adaptive_avgpool_in", "input elements of a global or adaptive average pool",
              "global and adaptive average-pool inputs", "input element", "input"),
    Component("adaptive_avgpool_out", "output elements of a global or adaptive average pool",
              "global and adaptive average-pool outputs", "output element", "output"),
    Component("adaptive_maxpool_in", "input elements of a global max pool", "global max-pool inputs",
              "input element", "input"),
    Component("adaptive_maxpool_out", "output elements of a global max pool", "global max-pool outputs",
              "output element", "output"),
    Component("softmax_elements", "elements of a softmax", "softmax elements", "element", "output"),
    Component("softmax_rows", "softmaxes computed: one per position (a softmax over the channels of each)",
              "softmax rows", "row", "output"),
):
    register_component(_component)

# One component per activation function: act_relu, act_relu6, act_silu, ... (swish is silu: the same function).
ACTIVATION_PREFIX = "act_"
for _function in ACTIVATIONS:
    if _function != "swish":
        register_component(Component(f"{ACTIVATION_PREFIX}{_function}", f"elements a {_function} activation is "
                                     "applied to", f"{_function} activation elements", "element", "output"))


def is_component(name: object) -> bool:
    """A component some layer may report (conventions are checked against this)."""
    return isinstance(name, str) and name in COMPONENTS


def param_components() -> tuple[str, ...]:
    return tuple(name for name, component in COMPONENTS.items() if component.param)


def per_input_position() -> frozenset[str]:
    """Components proportional to the input's height x width (every other non-parameter component is
    proportional to the output's, or constant: a 1x1 map's, a fixed adaptive pool's)."""
    return frozenset(name for name, component in COMPONENTS.items() if component.per == "input")


def expand_names(names: tuple[str, ...] | list[str]) -> set[str]:
    """Component names with the patterns expanded: ``act_*`` (every activation) and ``*`` (every component)."""
    found: set[str] = set()
    for name in names:
        if name == "*":
            found |= set(COMPONENTS)
        elif name == f"{ACTIVATION_PREFIX}*":
            found |= {component for component in COMPONENTS if component.startswith(ACTIVATION_PREFIX)}
        else:
            found.add(name)
    return found
