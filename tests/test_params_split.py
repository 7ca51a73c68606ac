"""Trainable / non-trainable params and buffers (issue 18, item 4) against torchinfo's summary and PyTorch's
``model.buffers()``: tests/reference/torchinfo_params.yaml (written by
tests/reference/scripts/torchinfo_params.py; torch 2.14.1, torchvision 0.29.1, torchinfo 1.8.0)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from costcalc.analysis.params_split import params_split
from costcalc.cli.options import read_convention
from costcalc.engine.exact import evaluate
from costcalc.spec.loading import load_network

REFERENCE = yaml.safe_load((Path(__file__).parent / "reference" / "torchinfo_params.yaml").read_text())
# torchvision's builder name -> the bundled spec
SPECS = {"mobilenet_v2": "mobilenet_v2", "resnet18": "resnet18", "efficientnet_b0": "efficientnet_b0",
         "mnasnet1_0": "mnasnet1_0"}


@pytest.mark.parametrize("model", sorted(REFERENCE))
def test_split_is_torchinfos_and_buffers_are_pytorchs(model: str) -> None:
    measured = REFERENCE[model]
    split = params_split(evaluate(load_network(SPECS[model]), convention=read_convention("torchvision", "mult-adds")))
    assert (split.trainable, split.non_trainable) == (measured["trainable"], measured["non_trainable"])
    assert split.buffers == measured["buffers"]


def test_keras_counts_the_running_statistics_as_non_trainable() -> None:
    """Keras's MobileNet (alpha 1, 224): 4,253,864 params, of which 21,888 non-trainable: the 27 BatchNorms'
    moving mean and variance (2 · 10,944 channels), as ``model.summary()`` prints it."""
    split = params_split(evaluate(load_network("mobilenet_v1"), convention=read_convention("keras", "mult-adds")))
    assert (split.trainable, split.non_trainable) == (4_231_976, 21_888)
    assert split.buffers == 21_888 + 27  # PyTorch's view of the same BatchNorms: their num_batches_tracked too
