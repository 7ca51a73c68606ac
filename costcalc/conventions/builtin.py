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

Every report names the convention it counts under, and its unit: ``mult-adds`` counts each term as the
convention says; ``flops`` counts a multiply-accumulate as two operations and any other term as one.
"""

from __future__ import annotations

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
        """The components it says nothing of: they count as 0, which a built-in never leaves unsaid."""
        from costcalc.layers.components import COMPONENTS

        decided = self.decided()
        return [name for name in COMPONENTS if name not in decided]

    def factor(self, term: Term) -> int:
        return term.times * (2 if self.unit == "flops" and term.kind == "mac" else 1)

    @property
    def weights(self) -> dict[str, int]:
        """Component -> its weight in the total, in this convention's unit."""
        weights: dict[str, int] = {}
        for term in self.mult_adds:
            weights[term.component] = weights.get(term.component, 0) + self.factor(term)
        return weights

    def mult_adds_of(self, components: dict[str, Any]) -> Any:
        values = [self.factor(term) * components[term.component] for term in self.mult_adds
                  if term.component in components]
        return _sum(values)

    def params_of(self, components: dict[str, Any]) -> Any:
        return _sum([components[name] for name in self.params if name in components])

    def in_unit(self, unit: str) -> Convention:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; expected one of: {', '.join(UNITS)}")
        return self._replace(unit=unit)

    @property
    def metric(self) -> str:
        """What the counts are called in headers: ``Mult-Adds`` or ``FLOPs``."""
        return "FLOPs" if self.unit == "flops" else "Mult-Adds"


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

PAPER = Convention(
    name="paper",
    description="as MobileNets (Howard et al. 2017): conv and fully connected weights only "
    "(no biases, no batch norm)",
    mult_adds=(MACS,),
    params=("weights",),
    source="Howard et al. 2017 (arXiv:1704.04861), section 3.1 and Tables 1, 2",
    ignores=("bias_adds", "biases", "bn_affine", "bn_stats", "norm_affine", "layer_scale", *ELEMENTWISE, *POOLS,
             *SOFTMAX, *ACTIVATIONS),
)

TORCHVISION = Convention(
    name="torchvision",
    description="as torchvision's weights.meta: conv and linear Mult-Adds; params with biases, norm gamma/beta, "
    "layer scale",
    mult_adds=(MACS,),
    params=TORCH_PARAMS,
    tool="torchvision 0.29.1 (weights meta _ops and num_params)",
    source="pytorch/vision PR #6936; torchvision/models/*.py, *_Weights.meta",
    ignores=("bias_adds", "bn_stats", *ELEMENTWISE, *POOLS, *SOFTMAX, *ACTIVATIONS),
)

FVCORE = Convention(
    name="fvcore",
    description="as fvcore's FlopCountAnalysis (eval mode): conv and linear MACs, 2 per batch-norm element, "
    "5 per layer-norm element, 1 per adaptive-pool input element",
    mult_adds=(MACS, Term("bn_elements", 2), Term("ln_elements", 5), Term("adaptive_avgpool_in", 1)),
    params=TORCH_PARAMS,
    tool="fvcore 0.1.5.post20221221 (FlopCountAnalysis.total())",
    source="fvcore/nn/flop_count.py:26-44 (_DEFAULT_SUPPORTED_OPS); jit_handles.py conv_flop_count 127-151, "
    "linear_flop_jit 99-110, batchnorm_flop_jit, norm_flop_counter, elementwise_flop_counter 261-279",
    ignores=("bias_adds", "bn_stats", "merge_adds", "scale_muls", "maxpool_in", "maxpool_out", "avgpool_in",
             "avgpool_out", "adaptive_avgpool_out", "adaptive_maxpool_in", "adaptive_maxpool_out", *SOFTMAX,
             *ACTIVATIONS),
)

PTFLOPS = Convention(
    name="ptflops",
    description="as ptflops' get_model_complexity_info (pytorch backend): MACs plus bias adds, 2 per batch-norm "
    "element, and activations and pools as its module hooks and patched functionals count them",
    mult_adds=(MACS, Term("bias_adds", 1), Term("bn_elements", 2), Term("ln_elements", 1),
               Term("act_relu", 2), Term("act_gelu", 2), Term("act_elu", 2), Term("act_relu6", 1),
               Term("act_leaky_relu", 1), Term("act_silu", 1), Term("softmax_elements", 1),
               Term("maxpool_in", 2), Term("avgpool_in", 2), Term("adaptive_avgpool_in", 2),
               Term("adaptive_maxpool_in", 2)),
    params=TORCH_PARAMS,
    tool="ptflops 0.7.5 (get_model_complexity_info, default pytorch backend, count_functional=True)",
    source="ptflops/pytorch_ops.py: conv_flops_counter_hook 60-92, linear 35-43, bn_flops_counter_hook 51-57, "
    "relu_flops_counter_hook 30-32, pool_flops_counter_hook 46-48, _numel_functional_flops_hook 347-348; "
    "pytorch_engine.py:49 (count_functional)",
    # Activations it has no hook for (module types outside MODULES_MAPPING) count nothing, one by one:
    ignores=("bn_stats", "merge_adds", "scale_muls", "maxpool_out", "avgpool_out", "adaptive_avgpool_out",
             "adaptive_maxpool_out", "softmax_rows", "act_sigmoid", "act_tanh", "act_selu", "act_hard_swish",
             "act_hard_sigmoid", "act_mish"),
)

THOP = Convention(
    name="thop",
    description="as thop's profile: conv and linear MACs, 4 per batch- or layer-norm element, average pools by "
    "their windows, softmax 3n-1 per row of n",
    mult_adds=(MACS, Term("bn_elements", 4), Term("ln_elements", 4), Term("avgpool_out", 1),
               Term("adaptive_avgpool_in", 1), Term("adaptive_avgpool_out", 1),
               Term("softmax_elements", 3), Term("softmax_rows", -1)),
    params=TORCH_PARAMS,
    tool="thop 0.1.1.post2209072238 (profile)",
    source="thop/profile.py:21-66 (register_hooks); basic_hooks.py count_convNd 22-34, count_normalization 60-69, "
    "count_softmax 98-103, count_adap_avgpool 114-121, count_linear 140-147; calc_func.py",
    ignores=("bias_adds", "bn_stats", "merge_adds", "scale_muls", "maxpool_in", "maxpool_out", "avgpool_in",
             "adaptive_maxpool_in", "adaptive_maxpool_out", *ACTIVATIONS),
)

TORCHINFO = Convention(
    name="torchinfo",
    description="as torchinfo's summary (total mult-adds): conv weights and biases per output position, other "
    "layers' parameters once",
    mult_adds=(MACS, Term("bias_adds", 1), Term("bn_affine", 1), Term("norm_affine", 1)),
    params=TORCH_PARAMS,
    tool="torchinfo 1.8.0 (summary().total_mult_adds)",
    source="torchinfo/layer_info.py: LayerInfo.calculate_macs",
    ignores=("bn_stats", *ELEMENTWISE, *POOLS, *SOFTMAX, *ACTIVATIONS),
)

KERAS = Convention(
    name="keras",
    description="as Keras' model.summary(): Total params including the non-trainable batch-norm moving mean and "
    "variance; Mult-Adds as the paper",
    mult_adds=(MACS,),
    params=(*TORCH_PARAMS, "bn_stats"),
    tool="Keras (model.summary(), Total params = trainable + non-trainable)",
    source="keras BatchNormalization: gamma, beta trainable; moving_mean, moving_variance non-trainable",
    ignores=("bias_adds", *ELEMENTWISE, *POOLS, *SOFTMAX, *ACTIVATIONS),
)

CONVENTIONS = {convention.name: convention
               for convention in (PAPER, TORCHVISION, FVCORE, PTFLOPS, THOP, TORCHINFO, KERAS)}
