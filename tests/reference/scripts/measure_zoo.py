"""Measure the bundled zoo with PyTorch: torchvision's own count and the four counting tools.

Run with the PyTorch environment (never imported by costcalc or its tests):

    /tmp/venv-torch/bin/python tests/reference/scripts/measure_zoo.py > tests/reference/zoo_counts.yaml

For each network and resolution it builds the model (torchvision's builder, ``weights=None``; MobileNet v1 and
its two variants from the paper, as tests/reference/anchor_counts.yaml describes them; GoogLeNet without its
aux heads, as the bundled spec, and with them as ``googlenet_aux``; Inception v3 with its AuxLogits, which
torchvision's num_params counts), in eval mode, batch 1, and records:

- ``params``: ``sum(p.numel() for p in model.parameters())`` (torchvision's ``num_params``);
- ``mult_adds``: ``torch.utils.flop_counter.FlopCounterMode`` total // 2 with autograd enabled and the math
  attention backend (``sdpa_kernel(SDPBackend.MATH)``), so that attention's two matrix products show as
  ``bmm`` calls (under ``no_grad`` nn.MultiheadAttention takes its fused fast path, which the counter does not
  see): the integer behind torchvision's ``_ops``;
- ``fvcore``: ``FlopCountAnalysis(model, x).total()``;
- ``ptflops``: ``get_model_complexity_info(model, (3, H, W), as_strings=False)`` (its default pytorch
  backend): (MACs, params);
- ``thop``: ``profile(model, inputs=(x,))``: (ops, params), made integers (they are whole floats);
- ``torchinfo``: ``summary(model, input_size=(1, 3, H, W))``: (total_mult_adds, total_params).

Each tool gets a model built afresh (they add hooks, buffers and attributes). A tool that fails records its
error instead of a figure.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import ptflops
import thop
import torch
import torchinfo
import torchvision
import yaml
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

warnings.filterwarnings("ignore")


def mobilenet_v1(variant: str = "separable") -> nn.Module:
    """MobileNet v1 (Howard et al. 2017, Table 1) as tests/reference/anchor_counts.yaml describes it;
    ``conv``: Table 4's full-convolution twin; ``shallow``: Table 5's, without the five 14x14x512 pairs."""

    def cbr(m: int, n: int, stride: int, groups: int = 1, kernel: int = 3) -> list[nn.Module]:
        return [nn.Conv2d(m, n, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(n),
                nn.ReLU(inplace=True)]

    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), *[(512, 1)] * 5, (1024, 2), (1024, 1)]
    if variant == "shallow":
        plan = plan[:6] + plan[11:]
    layers = cbr(3, 32, 2)
    m = 32
    for n, stride in plan:
        layers += cbr(m, n, stride) if variant == "conv" else cbr(m, m, stride, groups=m) + cbr(m, n, 1, kernel=1)
        m = n
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 1000)]
    return nn.Sequential(*layers)


def tv(name: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return lambda resolution: torchvision.models.get_model(name, weights=None, **kwargs)


def sized(name: str, key: str, pair: bool = False):  # type: ignore[no-untyped-def]
    """A builder whose model is built for its input size (ViT's image_size, MaxViT's input_size)."""
    return lambda resolution: torchvision.models.get_model(
        name, weights=None, **{key: (resolution, resolution) if pair else resolution})


# Every torchvision classification CNN, at the crop of its DEFAULT weights (tests/reference/torchvision_zoo.yaml,
# which tests/reference/scripts/torchvision_zoo.py measured): the zoo's other families are variants of the same
# specs, so each one is measured.
CNN = {name: entry["crop"] for name, entry in yaml.safe_load(
    (Path(__file__).parents[1] / "torchvision_zoo.yaml").read_text(encoding="utf-8"))["models"].items()
       if name != "googlenet"}

# name: (builder, resolutions): the published crops first, then other sizes the same spec is checked at.
MODELS = {
    "mobilenet_v1": (lambda r: mobilenet_v1(), [224]),
    "mobilenet_v1_conv": (lambda r: mobilenet_v1("conv"), [224]),
    "mobilenet_v1_shallow": (lambda r: mobilenet_v1("shallow"), [224]),
    **{name: (tv(name), [crop]) for name, crop in CNN.items()},
    "googlenet": (tv("googlenet", aux_logits=False, init_weights=False), [224]),
    # GoogLeNet with its two training-only auxiliary heads (tests/specs_from_docs/googlenet_aux.yaml)
    "googlenet_aux": (tv("googlenet", aux_logits=True, init_weights=False), [224]),
    "inception_v3": (tv("inception_v3", aux_logits=True, init_weights=False), [299, 342]),
    "vit_b_16": (sized("vit_b_16", "image_size"), [224, 384, 256]),
    "vit_b_32": (sized("vit_b_32", "image_size"), [224, 288]),
    "vit_l_16": (sized("vit_l_16", "image_size"), [224, 512]),
    "vit_l_32": (sized("vit_l_32", "image_size"), [224]),
    "vit_h_14": (sized("vit_h_14", "image_size"), [224, 518]),
    "swin_t": (tv("swin_t"), [224, 256]),
    "swin_s": (tv("swin_s"), [224]),
    "swin_b": (tv("swin_b"), [224]),
    "swin_v2_t": (tv("swin_v2_t"), [256, 224]),
    "swin_v2_s": (tv("swin_v2_s"), [256]),
    "swin_v2_b": (tv("swin_v2_b"), [256]),
    "maxvit_t": (sized("maxvit_t", "input_size", pair=True), [224, 448]),
}


def flop_counter(model: nn.Module, x: torch.Tensor) -> int:
    counter = FlopCounterMode(display=False)
    with sdpa_kernel(SDPBackend.MATH), counter:
        model(x)
    return counter.get_total_flops() // 2


def fvcore_count(model: nn.Module, x: torch.Tensor) -> int:
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(model, x)
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    return int(analysis.total())


def ptflops_count(model: nn.Module, x: torch.Tensor) -> list[int]:
    macs, params = ptflops.get_model_complexity_info(model, tuple(x.shape[1:]), as_strings=False,
                                                     print_per_layer_stat=False, verbose=False)
    return [int(macs), int(params)]


def thop_count(model: nn.Module, x: torch.Tensor) -> list[int]:
    ops, params = thop.profile(model, inputs=(x,), verbose=False)
    assert float(ops).is_integer() and float(params).is_integer()
    return [int(ops), int(params)]


def torchinfo_count(model: nn.Module, x: torch.Tensor) -> list[int]:
    stats = torchinfo.summary(model, input_size=tuple(x.shape), verbose=0)
    return [int(stats.total_mult_adds), int(stats.total_params)]


TOOLS = {"fvcore": fvcore_count, "ptflops": ptflops_count, "thop": thop_count, "torchinfo": torchinfo_count}


def measure(name: str, resolution: int, tools: list[str]) -> dict[str, object]:
    build = MODELS[name][0]
    x = torch.randn(1, 3, resolution, resolution)
    model = build(resolution).eval()
    found: dict[str, object] = {"resolution": resolution, "params": sum(p.numel() for p in model.parameters()),
                                "mult_adds": flop_counter(model, x)}
    del model
    for tool in tools:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                found[tool] = TOOLS[tool](build(resolution).eval(), x)
        except Exception as error:  # noqa: BLE001  (a tool that fails is recorded, not fatal)
            found[tool] = f"error: {type(error).__name__}: {str(error)[:200]}"
    return found


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(2)
    names = sys.argv[1:] or list(MODELS)
    versions = ", ".join(f"{package} {version(package).split('+')[0]}"
                         for package in ("torch", "torchvision", "fvcore", "ptflops", "thop", "torchinfo"))
    print(f"# The bundled zoo measured with {versions} (CPU, eval mode, batch 1)")
    print("# by tests/reference/scripts/measure_zoo.py (its docstring says how each figure is taken).")
    print("# ptflops, thop, torchinfo: [mult_adds, params]; fvcore: mult_adds (its params are sum(p.numel())).")
    print("models:")
    for name in names:
        print(f"  {name}:")
        _build, resolutions = MODELS[name]
        for index, resolution in enumerate(resolutions):
            tools = list(TOOLS) if index == 0 or name.startswith(("vit", "swin", "maxvit")) else []
            found = measure(name, resolution, tools)
            fields = ", ".join(f"{key}: {value!r}" if isinstance(value, str) else f"{key}: {value}"
                               for key, value in found.items())
            print(f"    - {{{fields}}}", flush=True)


if __name__ == "__main__":
    main()
