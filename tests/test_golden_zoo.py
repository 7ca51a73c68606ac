"""Golden tests: every zoo spec against torchvision's published figures, exactly.

Sources (copied here as literal data; tests/test_reference_data.py checks them against ``tests/reference/``):

- ``num_params`` and ``_ops`` are the ``meta`` of each model's DEFAULT ImageNet weights in torchvision 0.29.1
  (``torchvision/models/<file>.py``, the ``*_Weights`` enums, e.g. ``ResNet50_Weights.IMAGENET1K_V2``;
  pytorch/vision commit 1f1a920d685d46dfbe187934b785b7ecb7a182f2). ``_ops`` is giga Mult-Adds of convolutions
  and matrix multiplies at the crop size (224), rounded to 3 decimals (pytorch/vision PR #6936). The first six
  are also in ``tests/reference/torchvision.yaml``.
- ``MACS`` is the exact integer behind each ``_ops``: measured by building the model with torchvision 0.29.1's
  builder (torch 2.14.1, CPU, eval mode, one 224x224 image) and summing ``weight.numel() * H_out * W_out`` over
  convolutions and ``in * out * rows`` over linear layers (equal to ``FlopCounterMode`` / 2). Each rounds to the
  published ``_ops``, which the tests check too.
- ``WIDTH``: totals of the width-multiplier models built by the same builders at other widths
  (``mobilenet_v2(width_mult=a)``, ``MobileNetV3`` from ``_mobilenet_v3_conf(..., width_mult=a)``,
  ``MNASNet(a)``, ``EfficientNet`` from ``_efficientnet_conf(..., width_mult=a)``), measured the same way. At
  0.5, MNASNet is torchvision's published ``mnasnet0_5``: 2,218,512 params, ``_ops`` 0.104.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network

# model: (num_params, _ops, weights enum in torchvision 0.29.1)
PUBLISHED = {
    "alexnet": (61_100_840, "0.714", "AlexNet_Weights.IMAGENET1K_V1"),
    "vgg11": (132_863_336, "7.609", "VGG11_Weights.IMAGENET1K_V1"),
    "vgg16": (138_357_544, "15.470", "VGG16_Weights.IMAGENET1K_V1"),
    "vgg16_bn": (138_365_992, "15.470", "VGG16_BN_Weights.IMAGENET1K_V1"),
    "resnet18": (11_689_512, "1.814", "ResNet18_Weights.IMAGENET1K_V1"),
    "resnet34": (21_797_672, "3.664", "ResNet34_Weights.IMAGENET1K_V1"),
    "resnet50": (25_557_032, "4.089", "ResNet50_Weights.IMAGENET1K_V2"),
    "resnet101": (44_549_160, "7.801", "ResNet101_Weights.IMAGENET1K_V2"),
    "resnext50_32x4d": (25_028_904, "4.230", "ResNeXt50_32X4D_Weights.IMAGENET1K_V2"),
    "wide_resnet50_2": (68_883_240, "11.398", "Wide_ResNet50_2_Weights.IMAGENET1K_V2"),
    "squeezenet1_0": (1_248_424, "0.819", "SqueezeNet1_0_Weights.IMAGENET1K_V1"),
    "squeezenet1_1": (1_235_496, "0.349", "SqueezeNet1_1_Weights.IMAGENET1K_V1"),
    "googlenet": (6_624_904, "1.498", "GoogLeNet_Weights.IMAGENET1K_V1"),
    "densenet121": (7_978_856, "2.834", "DenseNet121_Weights.IMAGENET1K_V1"),
    "mobilenet_v2": (3_504_872, "0.301", "MobileNet_V2_Weights.IMAGENET1K_V2"),
    "mobilenet_v3_large": (5_483_032, "0.217", "MobileNet_V3_Large_Weights.IMAGENET1K_V2"),
    "mobilenet_v3_small": (2_542_856, "0.057", "MobileNet_V3_Small_Weights.IMAGENET1K_V1"),
    "shufflenet_v2_x1_0": (2_278_604, "0.145", "ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1"),
    "mnasnet1_0": (4_383_312, "0.314", "MNASNet1_0_Weights.IMAGENET1K_V1"),
    "efficientnet_b0": (5_288_548, "0.386", "EfficientNet_B0_Weights.IMAGENET1K_V1"),
    "regnet_y_400mf": (4_344_144, "0.402", "RegNet_Y_400MF_Weights.IMAGENET1K_V2"),
    "convnext_tiny": (28_589_128, "4.456", "ConvNeXt_Tiny_Weights.IMAGENET1K_V1"),
}

# The exact Mult-Adds behind each _ops (see the module docstring).
MACS = {
    "alexnet": 714_188_480, "vgg11": 7_609_090_048, "vgg16": 15_470_264_320, "vgg16_bn": 15_470_264_320,
    "resnet18": 1_814_073_344, "resnet34": 3_663_761_408, "resnet50": 4_089_184_256, "resnet101": 7_801_405_440,
    "resnext50_32x4d": 4_230_479_872, "wide_resnet50_2": 11_398_021_120, "squeezenet1_0": 818_924_576,
    "squeezenet1_1": 349_151_936, "googlenet": 1_498_376_192, "densenet121": 2_834_161_664,
    "mobilenet_v2": 300_774_272, "mobilenet_v3_large": 216_589_760, "mobilenet_v3_small": 56_510_400,
    "shufflenet_v2_x1_0": 144_907_992, "mnasnet1_0": 314_415_872, "efficientnet_b0": 385_814_752,
    "regnet_y_400mf": 401_842_848, "convnext_tiny": 4_455_531_264,
}

# (spec, width multiplier): (Mult-Adds, params) of torchvision's builder at that width (module docstring).
WIDTH = {
    ("mobilenet_v2", "0.35"): (59_285_808, 1_677_128), ("mobilenet_v2", "0.5"): (97_131_840, 1_968_680),
    ("mobilenet_v2", "0.75"): (209_069_792, 2_636_424), ("mobilenet_v2", "1.3"): (509_374_560, 5_386_792),
    ("mobilenet_v3_large", "0.35"): (35_278_408, 997_064), ("mobilenet_v3_large", "0.5"): (64_962_192, 1_734_576),
    ("mobilenet_v3_large", "0.75"): (140_033_816, 3_377_576), ("mobilenet_v3_large", "1.3"): (366_460_872, 8_713_472),
    ("mobilenet_v3_small", "0.35"): (11_238_936, 558_744), ("mobilenet_v3_small", "0.5"): (18_970_736, 917_264),
    ("mobilenet_v3_small", "0.75"): (39_115_576, 1_653_920), ("mobilenet_v3_small", "1.3"): (95_594_808, 3_928_192),
    ("mnasnet1_0", "0.35"): (58_878_912, 1_788_232), ("mnasnet1_0", "0.5"): (104_455_968, 2_218_512),
    ("mnasnet1_0", "0.75"): (215_493_104, 3_170_208), ("mnasnet1_0", "1.3"): (526_362_432, 6_282_256),
    ("efficientnet_b0", "0.35"): (66_033_264, 984_128), ("efficientnet_b0", "0.5"): (120_051_984, 1_712_522),
    ("efficientnet_b0", "0.75"): (266_864_496, 3_332_440), ("efficientnet_b0", "1.3"): (653_754_944, 8_293_310),
}


def _evaluate(name: str, alpha: Fraction = Fraction(1), convention=TORCHVISION):  # type: ignore[no-untyped-def]
    return evaluate(build_network(load_spec(str(bundled_specs()[name]))), alpha, Fraction(1), convention)


def test_the_zoo_has_the_issue_models() -> None:
    required = {"alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_large"}
    assert required <= set(bundled_specs())
    assert len(set(PUBLISHED) - required) >= 8
    assert set(PUBLISHED) <= set(bundled_specs())


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_zoo_spec_gives_torchvisions_published_figures(name: str) -> None:
    num_params, ops, _weights = PUBLISHED[name]
    evaluation = _evaluate(name)
    assert evaluation.input_shape[:2] == (224, 224)
    assert evaluation.params == num_params
    assert evaluation.mult_adds == MACS[name]
    # _ops: giga Mult-Adds to 3 decimals, rounded half up exactly (no float).
    thousandths = (evaluation.mult_adds * 1000 + 500_000_000) // 1_000_000_000
    assert f"{thousandths // 1000}.{thousandths % 1000:03d}" == ops


@pytest.mark.parametrize(("name", "alpha"), sorted(WIDTH))
def test_width_multiplier_follows_torchvisions_builders(name: str, alpha: str) -> None:
    evaluation = _evaluate(name, Fraction(alpha))
    assert (evaluation.mult_adds, evaluation.params) == WIDTH[(name, alpha)]


def test_the_paper_convention_counts_the_same_mult_adds_and_only_weights() -> None:
    # The two conventions differ only in params: torchvision adds biases, norm gamma/beta and layer scale.
    for name in ("googlenet", "squeezenet1_0", "convnext_tiny"):
        paper, torchvision = _evaluate(name, convention=PAPER), _evaluate(name)
        assert paper.mult_adds == torchvision.mult_adds
        weights = sum(row.components.get("weights", 0) for row in torchvision.layers)
        assert paper.params == weights < torchvision.params


# MobileNets paper (Howard et al. 2017, arXiv:1704.04861), Tables 8 and 9: the models MobileNet is compared with,
# in millions: (printed Mult-Adds, printed params, costcalc's exact count under the paper convention). The docs
# (docs/conventions.md, "The paper's comparisons") explain each difference.
PAPER_TABLES = {
    "googlenet": (1550, "6.8", 1_498_376_192, 6_609_344),  # Table 8; torchvision's variant: 3x3 for 5x5
    "vgg16": (15300, "138", 15_470_264_320, 138_344_128),  # Table 8
    "squeezenet1_0": (1700, "1.25", 818_924_576, 1_244_448),  # Table 9: 1700 is about twice the exact count
    "alexnet": (720, "60", 714_188_480, 61_090_496),  # Table 9; torchvision's one-tower variant
}


@pytest.mark.parametrize("name", sorted(PAPER_TABLES))
def test_paper_comparison_models_under_the_paper_convention(name: str) -> None:
    printed_mult_adds, printed_params, mult_adds, params = PAPER_TABLES[name]
    evaluation = _evaluate(name, convention=PAPER)
    assert (evaluation.mult_adds, evaluation.params) == (mult_adds, params)
    printed = printed_mult_adds * 10**6
    if name == "squeezenet1_0":
        assert 20 * mult_adds < 10 * printed < 21 * mult_adds  # 2.08 times the exact count
    else:
        assert 25 * abs(mult_adds - printed) < mult_adds  # within 4%
    assert 25 * abs(params - Fraction(printed_params) * 10**6) < params  # within 4%
