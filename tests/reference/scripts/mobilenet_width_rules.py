"""Measure MobileNetV2 and MobileNetV3 under each published width rule at the published width multipliers.

Run with the PyTorch environment (never costcalc's):

    /tmp/venv-torch/bin/python tests/reference/scripts/mobilenet_width_rules.py > tests/reference/mobilenet_width_rules.yaml

Rules (docs/spec-format.md, "Width rules"):

- torchvision: torchvision 0.29.1's own builders, ``mobilenet_v2(width_mult=a)`` and ``MobileNetV3`` from
  ``_mobilenet_v3_conf(arch, width_mult=a)``: every width ``_make_divisible(c * a, 8)``, MobileNetV3's expanded
  width ``adjust_channels(expanded)`` (from the table's width) and its head ``adjust_channels(1280)`` (scaled);
  MobileNetV2 keeps its 1280 head below a = 1.
- tfslim: MobileNetV3 rebuilt here as TF-slim (research/slim/nets/mobilenet/mobilenet_v3.py, V3_LARGE and
  V3_SMALL, ``expand_input_by_factor``) and Keras (keras/applications/mobilenet_v3.py, ``_inverted_res_block``)
  build it: the expanded width ``_make_divisible(in * t, 8)`` from the scaled input, with t the tables'
  expansion factors; squeeze-and-excite to ``_make_divisible(expanded / 4, 8)``; the last conv 6 * in; the head
  (1280, Small 1024) kept below a = 1 (Keras' ``last_point_ch``; TF-slim's ``finegrain_classification_mode``).
  The stem is TF-slim's ``_make_divisible(16 * a, 8)`` (Keras keeps 16: the same at a = 0.75).

Counted like torchvision's ``_ops``: ``FlopCounterMode`` // 2 at 224 x 224, batch 1, 1000 classes; params as
``torchvision`` (every parameter: weights, biases, batch norm) and as ``paper`` (convolution and linear weights
only).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf
from torchvision.models._utils import _make_divisible

# (kernel, expanded, out, squeeze-excite, stride): the papers' Tables 1 and 2, as in torchvision and TF-slim.
LARGE = [(3, 16, 16, 0, 1), (3, 64, 24, 0, 2), (3, 72, 24, 0, 1), (5, 72, 40, 1, 2), (5, 120, 40, 1, 1),
         (5, 120, 40, 1, 1), (3, 240, 80, 0, 2), (3, 200, 80, 0, 1), (3, 184, 80, 0, 1), (3, 184, 80, 0, 1),
         (3, 480, 112, 1, 1), (3, 672, 112, 1, 1), (5, 672, 160, 1, 2), (5, 960, 160, 1, 1), (5, 960, 160, 1, 1)]
SMALL = [(3, 16, 16, 1, 2), (3, 72, 24, 0, 2), (3, 88, 24, 0, 1), (5, 96, 40, 1, 2), (5, 240, 40, 1, 1),
         (5, 240, 40, 1, 1), (5, 120, 48, 1, 1), (5, 144, 48, 1, 1), (5, 288, 96, 1, 2), (5, 576, 96, 1, 1),
         (5, 576, 96, 1, 1)]
# TF-slim's and Keras' expansion factors: the tables' expanded width over the block's input width.
FACTORS = {"large": [1, 4, 3, 3, 3, 3, 6, 2.5, 184 / 80, 184 / 80, 6, 6, 6, 6, 6],
           "small": [1, 72 / 16, 88 / 24, 4, 6, 6, 3, 3, 6, 6, 6]}


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, squeeze: int) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(channels, squeeze, 1), nn.Conv2d(squeeze, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.fc2(torch.relu(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * nn.functional.hardsigmoid(scale)


def tfslim_v3(size: str, alpha: float) -> nn.Module:
    table, factors = (LARGE, FACTORS["large"]) if size == "large" else (SMALL, FACTORS["small"])
    head = 1280 if size == "large" else 1024
    stem = _make_divisible(16 * alpha, 8)
    layers: list[nn.Module] = [nn.Conv2d(3, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.Hardswish()]
    width = stem
    for (kernel, _expanded, out, se, stride), factor in zip(table, factors):
        out = _make_divisible(out * alpha, 8)
        expanded = _make_divisible(width * factor, 8)
        block: list[nn.Module] = []
        if expanded != width:
            block += [nn.Conv2d(width, expanded, 1, bias=False), nn.BatchNorm2d(expanded), nn.Hardswish()]
        block += [nn.Conv2d(expanded, expanded, kernel, stride, kernel // 2, groups=expanded, bias=False),
                  nn.BatchNorm2d(expanded), nn.Hardswish()]
        if se:
            block.append(SqueezeExcite(expanded, _make_divisible(expanded / 4, 8)))
        block += [nn.Conv2d(expanded, out, 1, bias=False), nn.BatchNorm2d(out)]
        layers.append(nn.Sequential(*block))
        width = out
    last = _make_divisible(width * 6, 8)
    head = head if alpha <= 1 else _make_divisible(head * alpha, 8)
    layers += [nn.Conv2d(width, last, 1, bias=False), nn.BatchNorm2d(last), nn.Hardswish(), nn.AdaptiveAvgPool2d(1),
               nn.Flatten(), nn.Linear(last, head), nn.Hardswish(), nn.Linear(head, 1000)]
    return nn.Sequential(*layers)


def torchvision_v3(size: str, alpha: float) -> nn.Module:
    settings, last_channel = _mobilenet_v3_conf(f"mobilenet_v3_{size}", width_mult=alpha)
    return MobileNetV3(settings, last_channel)


def measure(model: nn.Module) -> dict[str, int]:
    model.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    weights = sum(module.weight.numel() for module in model.modules() if isinstance(module, (nn.Conv2d, nn.Linear)))
    return {"mult_adds": counter.get_total_flops() // 2, "params": sum(p.numel() for p in model.parameters()),
            "weights": weights}


def main() -> None:
    print("# Measured by tests/reference/scripts/mobilenet_width_rules.py (its docstring says how) with torch "
          f"{torch.__version__}, torchvision {torchvision.__version__}:")
    print("# mult_adds (FlopCounterMode // 2 at 224 px), params (all, as the torchvision convention counts them) and")
    print("# weights (convolution and linear weights only, as the paper convention counts them), 1000 classes.")
    print("measured:")
    for size in ("large", "small"):
        for alpha in (0.75, 1.0):
            for rule, build in (("torchvision", torchvision_v3), ("tfslim", tfslim_v3)):
                figures = measure(build(size, alpha))
                print(f"  - {{model: mobilenet_v3_{size}, alpha: {alpha}, rule: {rule}, "
                      + ", ".join(f"{key}: {value}" for key, value in figures.items()) + "}")
    for alpha in (0.35, 0.5, 0.75, 1.0, 1.3, 1.4):
        figures = measure(torchvision.models.mobilenet_v2(width_mult=alpha))
        print(f"  - {{model: mobilenet_v2, alpha: {alpha}, rule: torchvision, "
              + ", ".join(f"{key}: {value}" for key, value in figures.items()) + "}")


if __name__ == "__main__":
    main()
