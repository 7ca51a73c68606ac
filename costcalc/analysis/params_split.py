"""Parameters as torchinfo and Keras split them, and the buffers PyTorch keeps beside them (issue 18).

torchinfo's summary prints "Total params", "Trainable params" and "Non-trainable params" (the parameters that
do not require a gradient, ``torchinfo/model_statistics.py``); PyTorch keeps BatchNorm's running statistics as
*buffers*, not parameters: ``running_mean`` and ``running_var`` (C each, the ``bn_stats`` component) and one
``num_batches_tracked`` scalar per BatchNorm (``torch.nn.modules.batchnorm._NormBase``). A spec freezes nothing,
so under a PyTorch convention every parameter is trainable; a convention that counts ``bn_stats`` as
parameters (``keras``: its BatchNormalization's moving mean and variance are non-trainable weights) has them as
its non-trainable part. tests/reference/torchinfo_params.yaml holds torchinfo's and PyTorch's figures.
"""

from typing import NamedTuple

from costcalc.conventions import Convention
from costcalc.engine.results import Evaluation, LayerCost

RUNNING_STATISTICS = "bn_stats"


class ParamsSplit(NamedTuple):
    trainable: int
    non_trainable: int
    buffers: int  # PyTorch's model.buffers(): BatchNorm's running statistics and num_batches_tracked


def _statistics(components: dict[str, int]) -> dict[str, int]:
    return {name: amount for name, amount in components.items()
            if name == RUNNING_STATISTICS or name.startswith(RUNNING_STATISTICS + ".")}


def layer_split(row: LayerCost, convention: Convention) -> tuple[int, int]:
    """A layer's non-trainable params under ``convention`` and its buffers."""
    statistics = _statistics(row.components)
    if not statistics:
        return 0, 0
    # running_mean + running_var, and num_batches_tracked
    return convention.params_of(statistics), sum(statistics.values()) + 1


def params_split(evaluation: Evaluation) -> ParamsSplit:
    """The evaluation's params as trainable and non-trainable, and its buffers."""
    parts = [layer_split(row, evaluation.convention) for row in evaluation.layers]
    non_trainable = sum(part[0] for part in parts)
    return ParamsSplit(evaluation.params - non_trainable, non_trainable, sum(part[1] for part in parts))
