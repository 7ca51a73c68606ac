"""Depthwise-separable pairs and their standard-convolution twins.

For each depthwise layer followed by a pointwise (1x1, ungrouped, stride 1) layer, the equivalent
standard convolution has the depthwise kernel and stride, the depthwise input channels M and the
pointwise filters N. Its cost comes from the same layer code (a ``Conv``), so the ratio
``(depthwise + pointwise) / standard`` is computed, not typed in; it equals ``1/N + 1/D_K²`` (MobileNets
§3.1), which ``costcalc formula`` derives symbolically and the property tests check.
"""

from fractions import Fraction
from typing import NamedTuple

from costcalc.engine.arith import ExactArith
from costcalc.engine.results import Evaluation, LayerCost
from costcalc.layers.base import ConvView
from costcalc.layers.conv import Conv


class SeparablePair(NamedTuple):
    depthwise: LayerCost
    pointwise: LayerCost
    standard: LayerCost  # the equivalent standard convolution, as one row (named ``<depthwise>+<pointwise>``)

    @property
    def standard_mult_adds(self) -> int:
        return self.standard.mult_adds

    @property
    def standard_params(self) -> int:
        return self.standard.params

    @property
    def mult_adds(self) -> int:
        return self.depthwise.mult_adds + self.pointwise.mult_adds

    @property
    def params(self) -> int:
        return self.depthwise.params + self.pointwise.params

    @property
    def ratio(self) -> Fraction:
        """Mult-Adds of the pair over those of the standard convolution."""
        return Fraction(self.mult_adds, self.standard_mult_adds)


class StandardTwin(NamedTuple):
    """The network with every separable pair replaced by its standard convolution (Table 4's Conv MobileNet)."""

    mult_adds: int
    params: int
    pairs: int


def _is_pointwise(view: ConvView, row: LayerCost) -> bool:
    """An ungrouped 1x1 convolution that keeps the map's size (no stride, no padding that grows it)."""
    return view.kernel == (1, 1) and view.groups == 1 and row.input_shape[:2] == row.output_shape[:2]


def separable_pairs(evaluation: Evaluation) -> list[SeparablePair]:
    """Every depthwise layer (multiplier 1) whose next weighted layer is a pointwise convolution, with
    only shape-preserving layers (batch norm, activations) between them. Kinds say what they are as
    convolutions (``conv_view``); a layer with weights that is none (fully connected) ends a pair too."""
    pairs = []
    depthwise: tuple[LayerCost, ConvView] | None = None
    for row in evaluation.layers:
        view = row.layer.conv_view()
        if view is not None and view.depthwise:
            depthwise = (row, view) if view.depth_multiplier == 1 else None
        elif view is not None or "weights" in row.components:
            if depthwise is not None and view is not None and _is_pointwise(view, row):
                pairs.append(_pair(evaluation, *depthwise, row))
            depthwise = None
        elif row.input_shape != row.output_shape:  # pooling between them: not one separable convolution
            depthwise = None
    return pairs


def _pair(evaluation: Evaluation, depthwise: LayerCost, dw: ConvView, pointwise: LayerCost) -> SeparablePair:
    """The pair and its standard convolution: the depthwise kernel, stride, padding and dilation, from the
    depthwise input (M channels) to the pointwise filters (N), costed by the ``Conv`` kind itself."""
    standard = Conv(kernel=dw.kernel, filters=pointwise.output_shape.channels, stride=dw.stride,
                    padding=dw.padding, dilation=dw.dilation, fixed=True)
    arith = ExactArith(evaluation.alpha, evaluation.spec.width)
    output = standard.output_shape(depthwise.input_shape, arith)
    components = standard.costs(depthwise.input_shape, output, arith)
    convention = evaluation.convention
    row = LayerCost(
        name=f"{depthwise.name}+{pointwise.name}", kind=standard.kind, group=standard.group(),
        filter=standard.filter_label(depthwise.input_shape, output), stride=standard.stride_label(),
        input_shape=depthwise.input_shape, output_shape=output,
        mult_adds=convention.mult_adds_of(components), params=convention.params_of(components),
        components=components, layer=standard, location=depthwise.location,
    )
    return SeparablePair(depthwise, pointwise, row)


def standard_twin(evaluation: Evaluation, pairs: list[SeparablePair] | None = None) -> StandardTwin:
    pairs = separable_pairs(evaluation) if pairs is None else pairs
    return StandardTwin(
        mult_adds=evaluation.mult_adds + sum(pair.standard_mult_adds - pair.mult_adds for pair in pairs),
        params=evaluation.params + sum(pair.standard_params - pair.params for pair in pairs),
        pairs=len(pairs),
    )
