"""Measure every torchvision classification CNN (all builders but the transformers and inception_v3) at the crop
size of its DEFAULT weights: num_params and the exact Mult-Adds behind its published ``_ops``.

Run with the PyTorch environment (never costcalc's):

    /tmp/venv-torch/bin/python tests/reference/scripts/torchvision_zoo.py > tests/reference/torchvision_zoo.yaml

For each model: the builder ``torchvision.models.get_model_builder(name)(weights=None)`` in eval mode, one
``crop x crop`` RGB image (batch 1); ``mult_adds`` is ``torch.utils.flop_counter.FlopCounterMode``'s total // 2
(it counts 2 FLOPs per multiply-accumulate of convolutions and matrix multiplies, as torchvision's ``_ops``
does); ``num_params`` is ``sum(p.numel() for p in model.parameters())``. The published ``num_params``, ``_ops``
and crop are read from the DEFAULT weights' ``meta`` and ``transforms()`` (nothing is downloaded), and the
script stops unless num_params equals the published one and mult_adds rounds to the published ``_ops``.
"""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal

import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models import get_model_builder, get_model_weights, list_models

LEFT_OUT = ("inception_v3", "maxvit_t", "swin_", "vit_")  # issue 14 covers these
# Built as the pretrained model is: torchvision's googlenet(weights=...) drops the auxiliary classifiers, which run
# only in training (torchvision/models/googlenet.py: `model.aux_logits = False; model.aux1 = None; ...`).
BUILD_OPTIONS = {"googlenet": {"aux_logits": False, "init_weights": False}}


def measure(name: str) -> dict[str, object]:
    weights = get_model_weights(name).DEFAULT
    crop = weights.transforms().crop_size[0]
    model = get_model_builder(name)(weights=None, **BUILD_OPTIONS.get(name, {})).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 3, crop, crop))
    mult_adds = counter.get_total_flops() // 2
    params = sum(p.numel() for p in model.parameters())
    published_ops = Decimal(str(weights.meta["_ops"]))
    places = -published_ops.as_tuple().exponent
    rounded = (Decimal(mult_adds) / Decimal(10**9)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if params != weights.meta["num_params"] or rounded != published_ops:
        sys.exit(f"{name}: measured {params} params, {mult_adds} Mult-Adds; published {weights.meta['num_params']}, "
                 f"{published_ops}")
    return {"weights": str(weights), "crop": crop, "num_params": params, "ops_g": str(published_ops),
            "mult_adds": mult_adds}


def main() -> None:
    names = [name for name in list_models(module=torchvision.models) if not name.startswith(LEFT_OUT)]
    print("# torchvision's classification CNNs at the crop size of their DEFAULT weights: num_params and the exact")
    print("# Mult-Adds behind their published _ops (giga Mult-Adds of convolutions and matrix multiplies).")
    print(f"# Measured by tests/reference/scripts/torchvision_zoo.py with torch {torch.__version__}, torchvision "
          f"{torchvision.__version__}, CPU, eval mode, batch 1:")
    print("# mult_adds = FlopCounterMode total // 2, num_params = sum of parameters.numel(); each equals the weights'")
    print("# meta num_params, and mult_adds rounds (half up) to the meta's _ops (ops_g), which the script checked.")
    print("models:")
    for name in names:
        figures = measure(name)
        fields = ", ".join(f"{key}: {value}" if key != "ops_g" else f"{key}: '{value}'" for key, value in figures.items())
        print(f"  {name}: {{{fields}}}", flush=True)


if __name__ == "__main__":
    main()
