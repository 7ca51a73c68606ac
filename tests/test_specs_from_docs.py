"""The spec format's documentation is complete enough to describe a network from it alone.

The specs in tests/specs_from_docs/ were written by a colleague who read only docs/spec-format.md and
docs/conventions.md (not the zoo specs, not the code), for four torchvision models that are not in the zoo,
taking the architecture from torchvision's source. Each came out exact on the first run. They stay here as a
test of the docs and of the language: if either changes so that a documented construct means something else,
these fail.

Figures: torchvision 0.29.1's weights meta (num_params, and _ops = giga Mult-Adds to 3 decimals) for
ResNet152_Weights.IMAGENET1K_V2, DenseNet169_Weights.IMAGENET1K_V1, ShuffleNet_V2_X0_5_Weights.IMAGENET1K_V1
and RegNet_X_400MF_Weights.IMAGENET1K_V2; the exact Mult-Adds behind each _ops were measured on the models
torchvision builds (conv weight.numel() x output positions, plus linear in x out, one 224x224 image).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costcalc.conventions import TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.spec import load_spec

HERE = Path(__file__).resolve().parent / "specs_from_docs"

# spec: (num_params, _ops, exact Mult-Adds)
FIGURES = {
    "resnet152": (60_192_808, "11.514", 11_513_626_624),
    "densenet169": (14_149_480, "3.360", 3_359_843_328),
    "shufflenet_v2_x0_5": (1_366_792, "0.040", 40_476_448),
    "regnet_x_400mf": (5_495_976, "0.414", 413_812_608),
}


def test_every_spec_here_is_checked() -> None:
    assert sorted(path.stem for path in HERE.glob("*.yaml")) == sorted(FIGURES)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_spec_written_from_the_docs_is_exact(name: str) -> None:
    num_params, ops, mult_adds = FIGURES[name]
    evaluation = evaluate(load_spec(str(HERE / f"{name}.yaml")), convention=TORCHVISION)
    assert (evaluation.mult_adds, evaluation.params) == (mult_adds, num_params)
    thousandths = (evaluation.mult_adds * 1000 + 500_000_000) // 1_000_000_000
    assert f"{thousandths // 1000}.{thousandths % 1000:03d}" == ops
