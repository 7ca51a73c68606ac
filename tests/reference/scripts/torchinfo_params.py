"""Measure trainable and non-trainable parameters (as torchinfo's summary prints them) and buffers (BatchNorm's
running statistics) of a few torchvision models, for `costcalc report`'s params split (issue 18).

Run with the PyTorch environment (never imported by costcalc or its tests):

    /tmp/venv-torch/bin/python tests/reference/scripts/torchinfo_params.py > tests/reference/torchinfo_params.yaml

For each model (torchvision's builder, ``weights=None``, eval mode) it records:

- ``total``, ``trainable``, ``non_trainable``: ``torchinfo.summary(model, input_size=(1, 3, 224, 224))``'s
  ``total_params`` and ``trainable_params`` (and their difference, which it prints as "Non-trainable params");
- ``buffers``: ``sum(b.numel() for b in model.buffers())``, which torchinfo does not count: for these models,
  each BatchNorm's ``running_mean`` and ``running_var`` (C each) and its ``num_batches_tracked`` (one scalar);
- ``batch_norms``: how many ``nn.BatchNorm2d`` modules the model has.
"""

from __future__ import annotations

from importlib.metadata import version

import torch
import torchinfo
import torchvision

MODELS = ("mobilenet_v2", "resnet18", "efficientnet_b0", "mnasnet1_0")


def measure(name: str) -> dict[str, int]:
    model = getattr(torchvision.models, name)(weights=None).eval()
    stats = torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0)
    buffers = sum(buffer.numel() for buffer in model.buffers())
    batch_norms = sum(isinstance(module, torch.nn.BatchNorm2d) for module in model.modules())
    return {"total": stats.total_params, "trainable": stats.trainable_params,
            "non_trainable": stats.total_params - stats.trainable_params, "buffers": buffers,
            "batch_norms": batch_norms}


def main() -> None:
    print("# Trainable / non-trainable parameters as torchinfo's summary prints them, and buffers")
    print("# (sum of model.buffers(): BatchNorm running_mean, running_var and num_batches_tracked), of")
    print("# torchvision's models (weights=None, eval, input 1x3x224x224).")
    print(f"# Written by tests/reference/scripts/torchinfo_params.py with torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}, torchinfo {version('torchinfo')}.")
    for name in MODELS:
        figures = measure(name)
        print(f"{name}:")
        for key, value in figures.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
