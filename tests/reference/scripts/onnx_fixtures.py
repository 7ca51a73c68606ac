"""Make tests/fixtures/onnx/*.onnx and tests/reference/onnx_fixtures.yaml (issue 16): graph-only ONNX exports of
torchvision's classification models, made the usual way, and the figures of the PyTorch models they came from.

Run with the PyTorch environment (torch 2.14.1, torchvision 0.29.1, onnx 1.23.2), from the repository root:

    /tmp/venv-torch/bin/python tests/reference/scripts/onnx_fixtures.py [transformers]

(``transformers``: only the transformer fixtures, issue 14, and their lines of the YAML.)

Each model is built by its torchvision builder without weights (eval mode) and exported by
``torch.onnx.export`` (the TorchScript exporter, ``dynamo=False``; opset 17; ``training=PRESERVE`` so that batch
norm stays a node of its own). Models without an adaptive pool to a fixed size above 1x1 get dynamic batch,
height and width (``dynamic_axes``); VGG and AlexNet stay static (their ``AdaptiveAvgPool2d(7)``/``(6)`` has no
ONNX op at other sizes). One more file, ``resnet18_fused.onnx``, is exported as most people export:
``training=EVAL`` with constant folding, which folds each batch norm into the convolution before it.

Graph-only: every floating-point initializer (the weights) is moved to a graph input of the same name, type and
shape, so the file keeps the graph and every weight's shape but none of its values (a few kilobytes to a few
hundred; ``costcalc import`` never needs the values). Integer initializers (shapes, axes) stay.

Figures, from the PyTorch model: ``num_params`` = sum of ``p.numel()`` over ``model.parameters()``;
``mult_adds`` = ``FlopCounterMode`` total / 2 (convolutions and matrix multiplies, one multiply-accumulate as
two flops: torchvision's ``_ops`` convention) for one image at each size; for the transformers, with autograd
on and the math attention backend, as ``measure_zoo.py`` counts them. The fused file's ``num_params`` is the
PyTorch model's less one per batch-norm channel: each folded batch norm leaves one bias per channel in its
convolution instead of its gamma and beta (the file itself holds fewer weights: the exporter stores equal
tensors once, and a freshly initialised model's folded biases are all zero).
"""

from __future__ import annotations

import io
import os
import sys
import warnings

import onnx
import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "onnx")
REFERENCE = os.path.join(ROOT, "tests", "reference", "onnx_fixtures.yaml")
STATIC = ("alexnet", "vgg11", "vgg16", "vgg16_bn")
MODELS = ("alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "googlenet", "mnasnet1_0", "mobilenet_v2",
          "mobilenet_v3_large", "mobilenet_v3_small", "regnet_y_400mf", "resnet18", "resnet34", "resnet50",
          "resnet101", "resnext50_32x4d", "shufflenet_v2_x1_0", "squeezenet1_0", "squeezenet1_1", "vgg11", "vgg16",
          "vgg16_bn", "wide_resnet50_2")
SIZES = (224, 128, 160, 192)
# GoogLeNet as its pretrained weights build it (googlenet(weights=...) sets aux_logits=False): the auxiliary heads
# only run in training, so no export has them, and torchvision's num_params leaves them out.
OPTIONS = {"googlenet": {"aux_logits": False, "init_weights": True}}


def export(model: torch.nn.Module, dynamic: bool, fused: bool = False) -> onnx.ModelProto:
    buffer = io.BytesIO()
    options = {"dynamic_axes": {"input": {0: "batch", 2: "height", 3: "width"}}} if dynamic else {}
    mode = torch.onnx.TrainingMode.EVAL if fused else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), buffer, dynamo=False, input_names=["input"],
                      output_names=["logits"], opset_version=17, training=mode, do_constant_folding=True, **options)
    return onnx.load_from_string(buffer.getvalue())


def graph_only(model: onnx.ModelProto, parameters: set[str] | None = None) -> tuple[onnx.ModelProto, int]:
    """The model with its float initializers as graph inputs; and how many weights they held. With
    ``parameters`` (the transformers), only those and the weights the exporter renamed (``onnx::MatMul_*``, a
    Linear's transposed weight) move: buffers, such as Swin V2's table of coordinates, stay constants."""
    graph = model.graph
    kept, weights = [], 0
    for tensor in graph.initializer:
        moved = parameters is None or tensor.name in parameters or tensor.name.startswith("onnx::")
        if moved and tensor.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16):
            count = 1
            for dim in tensor.dims:
                count *= dim
            weights += count
            graph.input.append(onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims)))
        else:
            kept.append(tensor)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    return model, weights


def mult_adds(model: torch.nn.Module, size: int) -> int:
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def main() -> None:
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    os.makedirs(FIXTURES, exist_ok=True)
    lines = [
        "# Graph-only ONNX exports of torchvision's classification models (tests/fixtures/onnx/) and the figures of",
        "# the PyTorch models they were exported from. Made by tests/reference/scripts/onnx_fixtures.py with",
        f"# torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}: torch.onnx.export",
        "# (dynamo=False, opset 17, training=PRESERVE), weights moved to graph inputs (shapes kept, values dropped).",
        "# num_params: sum(p.numel() for p in model.parameters()); mult_adds: FlopCounterMode's total / 2 for one",
        "# image at each size (convolutions and matrix multiplies: torchvision's _ops convention).",
        "# dynamic: exported with symbolic batch, height and width (the others are 224x224 only).",
        "# resnet18_fused: exported with training=EVAL and constant folding (batch norm folded into the convs);",
        "# its num_params is num_params less one per batch-norm channel (a folded BN leaves one bias per channel).",
        "models:",
    ]
    for name in MODELS:
        model = getattr(torchvision.models, name)(**OPTIONS.get(name, {})).eval()
        dynamic = name not in STATIC
        onnx_model, weights = graph_only(export(model, dynamic))
        params = sum(p.numel() for p in model.parameters())
        onnx.save(onnx_model, os.path.join(FIXTURES, f"{name}.onnx"))
        sizes = SIZES if dynamic else SIZES[:1]
        figures = ", ".join(f"{size}: {mult_adds(model, size)}" for size in sizes)
        lines.append(f"  {name}: {{file: {name}.onnx, dynamic: {'true' if dynamic else 'false'}, num_params: {params}, "
                     f"mult_adds: {{{figures}}}}}")
        print(name, params, weights, file=sys.stderr)
        if name == "resnet18":
            fused, _ = graph_only(export(model, True, fused=True))
            onnx.save(fused, os.path.join(FIXTURES, "resnet18_fused.onnx"))
            folded = params - sum(m.num_features for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
            lines.append(f"  resnet18_fused: {{file: resnet18_fused.onnx, dynamic: true, num_params: {folded}, "
                         f"mult_adds: {{224: {mult_adds(model, 224)}}}}}")
    lines.extend(transformer_lines())
    with open(REFERENCE, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def tiny_vit() -> torch.nn.Module:
    """A small ViT from torchvision's own class (the builders' code path, small sizes): 32x32 images, 8x8
    patches, 2 encoder layers of 64 channels and 4 heads, an MLP of 128, 10 classes."""
    from torchvision.models.vision_transformer import VisionTransformer

    return VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=128,
                             num_classes=10)


def tiny_swin() -> torch.nn.Module:
    """A small Swin from torchvision's own class: 32x32 images, 4x4 patches of 32 channels, two stages of two
    blocks (2 and 4 heads, 4x4 windows, the second block of each shifted), a patch merging between, 10 classes."""
    from torchvision.models.swin_transformer import SwinTransformer

    return SwinTransformer(patch_size=[4, 4], embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                           num_classes=10)


def tiny_swin_v2() -> torch.nn.Module:
    """The same small Swin with Swin V2's blocks and patch merging (cosine attention, the continuous
    relative-position bias MLP, the norm after the reduction), as torchvision's swin_v2_* build it."""
    from torchvision.models.swin_transformer import PatchMergingV2, SwinTransformer, SwinTransformerBlockV2

    return SwinTransformer(patch_size=[4, 4], embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                           num_classes=10, block=SwinTransformerBlockV2, downsample_layer=PatchMergingV2)


# Transformers, exported at one size (a ViT's position embeddings fix it; Swin's shapes are traced at it); not
# zoo models, so they are compared with their PyTorch figures only.
TRANSFORMERS = {"vit_tiny": (tiny_vit, 32), "swin_tiny": (tiny_swin, 32), "swin_v2_tiny": (tiny_swin_v2, 32)}


def attention_mult_adds(model: torch.nn.Module, size: int) -> int:
    """FlopCounterMode / 2 as measure_zoo.py counts transformers: autograd enabled and the math attention backend,
    so that attention's two products show as ``bmm`` calls (under ``no_grad``, ``nn.MultiheadAttention`` takes
    its fused fast path, which the counter does not see)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    counter = FlopCounterMode(display=False)
    with sdpa_kernel(SDPBackend.MATH), counter:
        model(torch.zeros(1, 3, size, size))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def transformer_lines() -> list[str]:
    lines = ["transformers:"]
    for name, (build, size) in TRANSFORMERS.items():
        torch.manual_seed(0)
        model = build().eval()
        buffer = io.BytesIO()
        torch.onnx.export(model, torch.zeros(1, 3, size, size), buffer, dynamo=False, input_names=["input"],
                          output_names=["logits"], opset_version=17, training=torch.onnx.TrainingMode.PRESERVE,
                          do_constant_folding=True)
        onnx_model, _ = graph_only(onnx.load_from_string(buffer.getvalue()), {n for n, _ in model.named_parameters()})
        onnx.save(onnx_model, os.path.join(FIXTURES, f"{name}.onnx"))
        params = sum(p.numel() for p in model.parameters())
        lines.append(f"  {name}: {{file: {name}.onnx, dynamic: false, num_params: {params}, "
                     f"mult_adds: {{{size}: {attention_mult_adds(model, size)}}}}}")
    return lines


if __name__ == "__main__":
    if sys.argv[1:] == ["transformers"]:  # only the transformers' files and lines, the rest of the YAML kept
        with open(REFERENCE, encoding="utf-8") as existing:
            kept = existing.read().split("transformers:\n", 1)[0].rstrip("\n").split("\n")
        with open(REFERENCE, "w", encoding="utf-8") as out:
            out.write("\n".join(kept + transformer_lines()) + "\n")
    else:
        main()
