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

**How a component is done.** Counting tools see the same arithmetic differently depending on how the model's
code invokes it: a hook on ``nn.ReLU`` misses ``F.relu``, a table of exact module types misses a subclass
(``LayerNorm2d``), a patched ``torch.matmul`` misses ``a @ b``. So a component may be *qualified*: ``A.B`` is
component ``A`` done as ``B`` (``act_relu.functional``: ReLU elements of ``F.relu``; ``weight_macs.linear``: the
multiply-accumulates of an ``nn.Linear`` on every token; ``weight_macs.linear.functional``: the same through
``F.linear``). A convention that does not name a qualified component counts it as its nearest named ancestor
(costcalc.conventions.builtin), so every convention decides it, and only the conventions of tools that see it
differently say more. The qualifiers are ``QUALIFIERS`` below (any of them after any component) and the named
children registered with their own facts (``weight_macs.qk``, ``weight_macs.av``, ``weight_macs.linear``, ...).
"""

from typing import Any, NamedTuple

from costcalc.layers.fields import ACTIVATIONS


class Component(NamedTuple):
    name: str
    description: str  # one line, for the docs and convention files
    words: str  # what ``costcalc explain`` calls it: "batch-norm elements"
    unit: str  # one of it is counted per ...: "element", "input element", "weight"
    per: str  # "output" (proportional to the output's height x width), "input", "none" (a parameter count), or
    # "once" (neither proportional to an area nor a parameter: counted once per call)
    parameter: bool = False  # a parameter count proportional to ``per`` (position embeddings: one per token)

    @property
    def param(self) -> bool:
        return self.per == "none" or self.parameter


COMPONENTS: dict[str, Component] = {}


def parent(name: str) -> str:
    """``weight_macs.linear.functional`` -> ``weight_macs.linear``; a base component is its own parent."""
    return name.rsplit(".", 1)[0]


def register_component(component: Component) -> Component:
    if "." in component.name and parent(component.name) not in COMPONENTS:
        raise RuntimeError(f"cost component {component.name!r} qualifies {parent(component.name)!r}, which is not "
                           "registered")
    if component.name in COMPONENTS:
        raise RuntimeError(f"cost component {component.name!r} registered twice")
    if component.per not in ("output", "input", "none", "once"):
        raise ValueError(f"{component.name}: 'per' must be output, input, none or once, not {component.per!r}")
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
    Component("linear_params", "a Linear module's weights and biases, once per call, whatever its rows (what "
              "torchinfo counts as its Mult-Adds)", "Linear parameters read per call", "parameter", "once"),
):
    register_component(_component)

# One component per activation function: act_relu, act_relu6, act_silu, ... (swish is silu: the same function).
ACTIVATION_PREFIX = "act_"
for _function in ACTIVATIONS:
    if _function != "swish":
        register_component(Component(f"{ACTIVATION_PREFIX}{_function}", f"elements a {_function} activation is "
                                     "applied to", f"{_function} activation elements", "element", "output"))


# Qualified children with facts of their own (what they are, and what they are proportional to).
for _component in (
    Component("weight_macs.linear", "multiply-accumulates of an nn.Linear applied to every token or position",
              "multiply-accumulates of Linear layers on tokens or positions", "multiply-accumulate", "output"),
    Component("bias_adds.linear", "bias adds of an nn.Linear applied to every token or position",
              "bias adds of Linear layers on tokens or positions", "biased output element", "output"),
    Component("weights.positions", "learned position embeddings: one vector of C weights per token",
              "position-embedding weights", "weight", "output", parameter=True),
    Component("weight_macs.qk", "multiply-accumulates of attention's scores, Q times K transposed (activation by "
              "activation)", "multiply-accumulates of attention scores (Q·Kᵀ)", "multiply-accumulate", "output"),
    Component("weight_macs.av", "multiply-accumulates of attention's weighted sum, A times V (activation by "
              "activation; proportional to the scores it reads)", "multiply-accumulates of attention's A·V",
              "multiply-accumulate", "input"),
):
    register_component(_component)

# How a component may be done, beyond the default (an nn.Module of the standard type, called): qualifier ->
# (the words ``explain`` adds, what it means). ``idle``: in a params-only branch, which never runs.
QUALIFIERS: dict[str, tuple[str, str]] = {
    "functional": ("called as a torch.nn.functional function", "F.relu, F.linear, F.avg_pool2d, F.softmax, ..."),
    "method": ("called as a tensor method or torch function", "x.mean(), x.matmul(), torch.sigmoid(), ..."),
    "operator": ("written as a Python operator", "a @ b, x * s"),
    "einsum": ("computed by torch.einsum", "torch.einsum('...')"),
    "subclass": ("in a module of a subclass counters do not match by type", "LayerNorm2d, a Linear subclass"),
    "mha": ("inside nn.MultiheadAttention", "its in-projection, scaled dot-product attention and out_proj"),
    "tensor": ("a learned tensor used outside any module", "class token, position embedding, bias table"),
    "idle": ("in a params-only branch, never run", "training-only heads such as AuxLogits"),
}
MAX_QUALIFIERS = 4


def lineage(name: str) -> list[str]:
    """The component and its ancestors, nearest first: ``a.b.c``, ``a.b``, ``a``."""
    found = [name]
    while "." in name:
        name = parent(name)
        found.append(name)
    return found


_QUALIFIED: dict[str, Component | None] = {}


def component(name: str) -> Component | None:
    """The component called ``name``: a registered one, or a registered one with qualifiers (its facts, with the
    qualifiers' words); None when there is none such."""
    if name in COMPONENTS:
        return COMPONENTS[name]
    if name not in _QUALIFIED:
        found = None
        head, _, qualifier = name.rpartition(".")
        if head and qualifier in QUALIFIERS and name.count(".") <= MAX_QUALIFIERS:
            base = component(head)
            if base is not None:
                words, meaning = QUALIFIERS[qualifier]
                found = base._replace(name=name, description=f"{base.description}, {words} ({meaning})",
                                      words=f"{base.words}, {words}")
        _QUALIFIED[name] = found
    return _QUALIFIED[name]


def qualified(costs: dict[str, Any], qualifier: str | None) -> dict[str, Any]:
    """A layer's costs done as ``qualifier`` (None, or "module": as they are)."""
    if not qualifier or qualifier == "module":
        return costs
    return {f"{name}.{qualifier}": amount for name, amount in costs.items()}


def idle(costs: dict[str, Any]) -> dict[str, Any]:
    """The costs of a layer in a params-only branch: it never runs, so only its parameters are left, each
    as ``<base>.idle`` (a parameter proportional to the output keeps its qualifiers: ``weights.positions.idle``)."""
    found: dict[str, Any] = {}
    for name, amount in costs.items():
        facts = component(name)
        if facts is not None and facts.param:
            key = f"{name.split('.')[0] if facts.per == 'none' else name}.idle"
            found[key] = found[key] + amount if key in found else amount
    return found


def is_component(name: object) -> bool:
    """A component some layer may report (conventions are checked against this)."""
    return isinstance(name, str) and component(name) is not None


def is_base(name: str) -> bool:
    return "." not in name


def param_components() -> tuple[str, ...]:
    """The parameter components (their qualified children are parameters too)."""
    return tuple(name for name, component in COMPONENTS.items() if component.param and is_base(name))


def expand_names(names: tuple[str, ...] | list[str]) -> set[str]:
    """Component names with the patterns expanded: ``act_*`` (every activation) and ``*`` (every component);
    patterns name base components only (a qualified one follows its base unless named)."""
    found: set[str] = set()
    for name in names:
        if name == "*":
            found |= {component for component in COMPONENTS if is_base(component)}
        elif name == f"{ACTIVATION_PREFIX}*":
            found |= {component for component in COMPONENTS
                      if component.startswith(ACTIVATION_PREFIX) and is_base(component)}
        else:
            found.add(name)
    return found
