"""Counting conventions: which of a layer's cost components count as Mult-Adds (and how many times each), and
which count as parameters.

Conventions are data. Each layer reports its components (costcalc.layers.components: the weights'
multiply-accumulates, the elements a batch norm or a ReLU touches, a pool's input elements, ...); a
convention is a weighted sum of them, and says of every other component that it ``ignores`` it: no component
counts as zero without a decision (tests/test_conventions.py checks every built-in against every component;
a convention file that leaves one out gets a warning). The built-ins reproduce the tools they are named after, each from its
own source (docs/conventions.md cites the lines), on the PyTorch module that each spec kind stands for
(``conv`` is ``nn.Conv2d``, ``batch_norm`` ``nn.BatchNorm2d`` in eval mode, ``relu`` ``nn.ReLU``,
``global_avg_pool`` ``nn.AdaptiveAvgPool2d(1)``, a residual's sum ``x + y``, ...). Users can write their own
in YAML (``costcalc.conventions.files``).

A qualified component (``act_relu.functional``: ReLU done as ``F.relu``; costcalc.layers.components) counts as
its nearest ancestor the convention names: as Mult-Adds, the nearest named in ``mult_adds`` or ``ignores``; as
a parameter, the nearest named in ``params`` or ``ignores``. So the conventions of tools that see an op the same
however it is invoked need not name its qualified forms, and those that do not (ptflops misses ``F.linear``,
thop misses every functional call) say so, one by one.

Every report names the convention it counts under, and its unit: ``mult-adds`` counts each term as the
convention says; ``flops`` counts a multiply-accumulate as two operations and any other term as one.
"""

from functools import lru_cache
from typing import Any, NamedTuple

UNITS = ("mult-adds", "flops")


class Term(NamedTuple):
    """``times`` × a cost component; ``kind`` is ``mac`` (multiply-accumulates: 2 FLOPs each) or ``op``."""

    component: str
    times: int = 1
    kind: str = "op"


class Convention(NamedTuple):
    name: str
    description: str
    mult_adds: tuple[Term, ...]
    params: tuple[str, ...]
    tool: str = ""  # the tool and version whose figures it reproduces
    source: str = ""  # where its rules come from
    unit: str = "mult-adds"
    ignores: tuple[str, ...] = ()  # the components it counts neither as Mult-Adds nor as params (act_*: all)

    def decided(self) -> set[str]:
        """The components it counts or says it ignores (``ignores: ["*"]``: every one it does not count)."""
        from costcalc.layers.components import expand_names

        return {term.component for term in self.mult_adds} | set(self.params) | expand_names(self.ignores)

    def undecided(self) -> list[str]:
        """The base components it says nothing of: they count as 0, which a built-in never leaves unsaid (a
        qualified component follows its base)."""
        from costcalc.layers.components import COMPONENTS, is_base

        decided = self.decided()
        return [name for name in COMPONENTS if is_base(name) and name not in decided]

    def factor(self, term: Term) -> int:
        return term.times * (2 if self.unit == "flops" and term.kind == "mac" else 1)

    @property
    def weights(self) -> dict[str, int]:
        """Component -> its weight in the total, in this convention's unit."""
        weights: dict[str, int] = {}
        for term in self.mult_adds:
            weights[term.component] = weights.get(term.component, 0) + self.factor(term)
        return weights

    def weight_of(self, component: str) -> int:
        """How many times one unit of ``component`` counts as Mult-Adds, in the unit: the convention's own
        weight for it, or its nearest named ancestor's (0 when ignored or never named)."""
        return _decisions(self).weight(component)

    def counts_param(self, component: str) -> bool:
        """Whether ``component`` counts as a parameter: it or its nearest ancestor named in ``params`` (and not
        nearer in ``ignores``)."""
        return _decisions(self).param(component)

    def mult_adds_of(self, components: dict[str, Any]) -> Any:
        decisions = _decisions(self)
        return _sum([weight * amount for name, amount in components.items() if (weight := decisions.weight(name))])

    def params_of(self, components: dict[str, Any]) -> Any:
        decisions = _decisions(self)
        return _sum([amount for name, amount in components.items() if decisions.param(name)])

    def in_unit(self, unit: str) -> "Convention":
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; expected one of: {', '.join(UNITS)}")
        return self._replace(unit=unit)

    @property
    def metric(self) -> str:
        """What the counts are called in headers: ``Mult-Adds`` or ``FLOPs``."""
        return "FLOPs" if self.unit == "flops" else "Mult-Adds"


class _Decisions:
    """A convention's decisions, with the qualified components it does not name resolved (and remembered)."""

    def __init__(self, convention: Convention):
        from costcalc.layers.components import expand_names

        self.weights = convention.weights
        self.params = set(convention.params)
        self.ignored = expand_names(convention.ignores) - set(self.weights) - self.params
        self._weight: dict[str, int] = {}
        self._param: dict[str, bool] = {}

    def weight(self, component: str) -> int:
        found = self._weight.get(component)
        if found is None:
            found = 0
            if component in self.weights:
                found = self.weights[component]
            elif component not in self.ignored and "." in component:
                from costcalc.layers.components import parent

                found = self.weight(parent(component))
            self._weight[component] = found
        return found

    def param(self, component: str) -> bool:
        found = self._param.get(component)
        if found is None:
            found = False
            if component in self.params:
                found = True
            elif component not in self.ignored and "." in component:
                from costcalc.layers.components import parent

                found = self.param(parent(component))
            self._param[component] = found
        return found


@lru_cache(maxsize=64)
def _decisions(convention: Convention) -> _Decisions:
    return _Decisions(convention)


def _sum(values: list[Any]) -> Any:
    if not values:
        return 0
    if len(values) == 1:
        return values[0]
    if all(isinstance(value, int) for value in values):
        return sum(values)
    from sympy import Add

    return Add(*values)


MACS = Term("weight_macs", 1, "mac")
TORCH_PARAMS = ("weights", "biases", "bn_affine", "norm_affine", "layer_scale")  # sum(p.numel() for p in parameters())
# What the conventions below ignore, by family (each convention lists its own decisions from these).
POOLS = ("maxpool_in", "maxpool_out", "avgpool_in", "avgpool_out", "adaptive_avgpool_in", "adaptive_avgpool_out",
         "adaptive_maxpool_in", "adaptive_maxpool_out")
SOFTMAX = ("softmax_elements", "softmax_rows")
ELEMENTWISE = ("merge_adds", "scale_muls", "bn_elements", "ln_elements")
ACTIVATIONS = ("act_*",)  # every activation function, present and future
MODULE_VIEWS = ("linear_params",)  # a module's parameters read per call: torchinfo's view of a Linear

# What ptflops 0.7.5 counts once when called as a function it patches, with no module hook around it:
PTFLOPS_PATCHED = ("act_relu", "act_gelu", "act_elu", "maxpool_in", "avgpool_in", "adaptive_avgpool_in",
                   "adaptive_maxpool_in")
# What ptflops 0.7.5 does not see: functions it does not patch (F.linear, F.leaky_relu, F.layer_norm), tensor
# methods and operators (x.mean(), x.relu(), a @ b, torch.einsum), and modules of types outside its table (a
# LayerNorm2d); torch.matmul and Tensor.matmul it does patch (TENSOR_OPS_MAPPING).
PTFLOPS_BLIND = ("weight_macs.linear.functional", "bias_adds.linear.functional", "act_leaky_relu.functional",
                 "ln_elements.functional", "ln_elements.subclass",
                 *(f"{name}.method" for name in ("act_relu", "act_gelu", "act_elu", "act_relu6", "act_leaky_relu",
                                                 "act_silu", "adaptive_avgpool_in", "adaptive_maxpool_in",
                                                 "softmax_elements")),
                 "weight_macs.qk.operator", "weight_macs.qk.einsum", "weight_macs.av.operator",
                 "weight_macs.av.einsum")
# What thop 0.1.1 does not see: it hooks modules of the exact types of its table, so nothing called as a function,
# a method or an operator, nothing in a subclass or in nn.MultiheadAttention, no matrix product; and it counts the
# parameters of the modules it hooks when they run, so none of a bare tensor, an unhooked module or a module that
# never runs (a params-only branch, Swin's qkv and proj Linears, which F.linear uses).
THOP_BLIND = ("weight_macs.linear.functional", "weights.functional", "biases.functional",
              "weight_macs.linear.mha", "weights.mha", "biases.mha", "weight_macs.qk", "weight_macs.av",
              "ln_elements.functional", "ln_elements.subclass", "norm_affine.subclass", "norm_affine.functional",
              *(f"{name}.{call}" for name in ("avgpool_out", "adaptive_avgpool_in", "adaptive_avgpool_out",
                                              "softmax_elements", "softmax_rows") for call in ("functional", "method")),
              "softmax_elements.mha", "weights.tensor", "weights.positions", "layer_scale",
              *(f"{name}.idle" for name in ("weights", "biases", "bn_affine", "norm_affine")))
# What torchinfo 1.8.0 counts: each leaf module that runs (under no_grad, so nn.MultiheadAttention takes its
# fused fast path and its out_proj never runs) counts its parameters: a convolution's times its output positions,
# any other's once. So a Linear on tokens counts its parameters (linear_params), not its rows; a Linear whose
# weights F.linear uses, or one inside MultiheadAttention, or any module of a params-only branch, never runs.
TORCHINFO_NOT_RUN = (Term("norm_affine.functional", 0), Term("bn_affine.idle", 0), Term("norm_affine.idle", 0))

PAPER = Convention(
    name="paper",
    description="as MobileNets (Howard et al. 2017): conv and fully connected weights only "
    "(no biases, no batch norm)",
    mult_adds=(MACS,),
    params=("weights",),
    source="Howard et al. 2017 (arXiv:1704.04861), section 3.1 and Tables 1, 2",
    ignores=("bias_adds", "biases", "bn_affine", "bn_stats", "norm_affine", "layer_scale", *ELEMENTWISE, *POOLS,
             *SOFTMAX, *ACTIVATIONS, *MODULE_VIEWS),
)

TORCHVISION = Convention(
    name="torchvision",
    description="as torchvision's weights.meta: conv and linear Mult-Adds; params with biases, norm gamma/beta, "
    "layer scale",
    mult_adds=(MACS,),
    params=TORCH_PARAMS,
    tool="torchvision 0.29.1 (weights meta _ops and num_params)",
    source="pytorch/vision PR #6936; torchvision/models/*.py, *_Weights.meta",
    ignores=("bias_adds", "bn_stats", *ELEMENTWISE, *POOLS, *SOFTMAX, *ACTIVATIONS, *MODULE_VIEWS),
)

FVCORE = Convention(
    name="fvcore",
    description="as fvcore's FlopCountAnalysis (eval mode): conv and linear MACs, 2 per batch-norm element, "
    "5 per layer-norm element, 1 per adaptive-pool input element",
    mult_adds=(MACS, Term("bn_elements", 2), Term("ln_elements", 5), Term("adaptive_avgpool_in", 1)),
    params=TORCH_PARAMS,
    tool="fvcore 0.1.5.post20221221 (FlopCountAnalysis.total())",
    source="fvcore/nn/flop_count.py:26-44 (_DEFAULT_SUPPORTED_OPS: no aten::mean, no "
    "aten::scaled_dot_product_attention); jit_handles.py conv_flop_count 127-151, linear_flop_jit 99-110, "
    "matmul_flop_jit, einsum_flop_jit 174-214, batchnorm_flop_jit, norm_flop_counter, elementwise_flop_counter 261-279",
    ignores=("bias_adds", "bn_stats", "merge_adds", "scale_muls", "maxpool_in", "maxpool_out", "avgpool_in",
             "avgpool_out", "adaptive_avgpool_out", "adaptive_maxpool_in", "adaptive_maxpool_out", *SOFTMAX,
             *ACTIVATIONS,
             # it sees operators, however they are called, but for these: x.mean() is aten::mean, which it has no
             # handler for; nn.MultiheadAttention's products run in aten::scaled_dot_product_attention, nor that
             "adaptive_avgpool_in.method", "weight_macs.qk.mha", "weight_macs.av.mha", *MODULE_VIEWS),
)

PTFLOPS = Convention(
    name="ptflops",
    description="as ptflops' get_model_complexity_info (pytorch backend): MACs plus bias adds, 2 per batch-norm "
    "element, and activations and pools as its module hooks and patched functionals count them",
    mult_adds=(MACS, Term("bias_adds", 1), Term("bn_elements", 2), Term("ln_elements", 1),
               Term("act_relu", 2), Term("act_gelu", 2), Term("act_elu", 2), Term("act_relu6", 1),
               Term("act_leaky_relu", 1), Term("act_silu", 1), Term("softmax_elements", 1),
               Term("maxpool_in", 2), Term("avgpool_in", 2), Term("adaptive_avgpool_in", 2),
               Term("adaptive_maxpool_in", 2),
               *(Term(f"{name}.functional", 1) for name in PTFLOPS_PATCHED),
               Term("scale_muls.mha", 1)),  # its MultiheadAttention hook counts the scaling of Q
    params=TORCH_PARAMS,
    tool="ptflops 0.7.5 (get_model_complexity_info, default pytorch backend, count_functional=True)",
    source="ptflops/pytorch_ops.py: conv_flops_counter_hook 60-92, linear 35-43, bn_flops_counter_hook 51-57, "
    "relu_flops_counter_hook 30-32, pool_flops_counter_hook 46-48, multihead_attention_counter_hook, "
    "_numel_functional_flops_hook 347-348, FUNCTIONAL_MAPPING, TENSOR_OPS_MAPPING; pytorch_engine.py:49 "
    "(count_functional), patch_functional (F.linear not patched), patch_tensor_ops; accumulate_flops",
    # Activations it has no hook for (module types outside MODULES_MAPPING) count nothing, one by one:
    ignores=("bn_stats", "merge_adds", "scale_muls", "maxpool_out", "avgpool_out", "adaptive_avgpool_out",
             "adaptive_maxpool_out", "softmax_rows", "act_sigmoid", "act_tanh", "act_selu", "act_hard_swish",
             "act_hard_sigmoid", "act_mish", *PTFLOPS_BLIND, *MODULE_VIEWS),
)

THOP = Convention(
    name="thop",
    description="as thop's profile: conv and linear MACs, 4 per batch- or layer-norm element, average pools by "
    "their windows, softmax 3n-1 per row of n",
    mult_adds=(MACS, Term("bn_elements", 4), Term("ln_elements", 4), Term("avgpool_out", 1),
               Term("adaptive_avgpool_in", 1), Term("adaptive_avgpool_out", 1),
               Term("softmax_elements", 3), Term("softmax_rows", -1)),
    params=("weights", "biases", "bn_affine", "norm_affine"),  # those of the modules it hooks (THOP_BLIND)
    tool="thop 0.1.1.post2209072238 (profile)",
    source="thop/profile.py:21-66 (register_hooks: exact module types), profile (dfs_count: the parameters of "
    "hooked modules, counted when they run); basic_hooks.py count_parameters, count_convNd 22-34, "
    "count_normalization 60-69, count_softmax 98-103, count_adap_avgpool 114-121, count_linear 140-147; calc_func.py",
    ignores=("bias_adds", "bn_stats", "merge_adds", "scale_muls", "maxpool_in", "maxpool_out", "avgpool_in",
             "adaptive_maxpool_in", "adaptive_maxpool_out", *ACTIVATIONS, *THOP_BLIND, *MODULE_VIEWS),
)

TORCHINFO = Convention(
    name="torchinfo",
    description="as torchinfo's summary (total mult-adds): conv weights and biases per output position, other "
    "layers' parameters once",
    mult_adds=(MACS, Term("bias_adds", 1), Term("bn_affine", 1), Term("norm_affine", 1), Term("linear_params", 1),
               *TORCHINFO_NOT_RUN),
    params=TORCH_PARAMS,
    tool="torchinfo 1.8.0 (summary().total_mult_adds)",
    source="torchinfo/layer_info.py: LayerInfo.calculate_macs; torchinfo.py forward_pass (no_grad)",
    ignores=("bn_stats", *ELEMENTWISE, *POOLS, *SOFTMAX, *ACTIVATIONS, "weight_macs.linear", "bias_adds.linear",
             "weight_macs.qk", "weight_macs.av", "linear_params.functional", "linear_params.mha"),
)

KERAS = Convention(
    name="keras",
    description="as Keras' model.summary(): Total params including the non-trainable batch-norm moving mean and "
    "variance; Mult-Adds as the paper",
    mult_adds=(MACS,),
    params=(*TORCH_PARAMS, "bn_stats"),
    tool="Keras (model.summary(), Total params = trainable + non-trainable)",
    source="keras BatchNormalization: gamma, beta trainable; moving_mean, moving_variance non-trainable",
    ignores=("bias_adds", *ELEMENTWISE, *POOLS, *SOFTMAX, *ACTIVATIONS, *MODULE_VIEWS),
)

CONVENTIONS = {convention.name: convention
               for convention in (PAPER, TORCHVISION, FVCORE, PTFLOPS, THOP, TORCHINFO, KERAS)}
