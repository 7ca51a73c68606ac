"""Golden tests: every torchvision classification CNN from the bundled family specs, exactly.

Provenance (``tests/reference/torchvision_zoo.yaml``; tests/test_reference_data.py checks the literals below
against it): each model built by torchvision 0.29.1's builder (``torchvision.models.get_model_builder(name)``,
``weights=None``; GoogLeNet without its training-only auxiliary classifiers, as its pretrained model), in eval mode
on one ``crop x crop`` image, the crop of its DEFAULT weights; Mult-Adds = ``torch.utils.flop_counter.
FlopCounterMode`` total // 2, params = ``sum(p.numel() for p in model.parameters())``, with torch 2.14.1 (CPU), by
``tests/reference/scripts/torchvision_zoo.py``, which also checked that every params count is the weights' published
``meta["num_params"]`` and every Mult-Adds count rounds to the published ``meta["_ops"]`` (both printed here).
The transformers (ViT, Swin, MaxViT) and Inception v3 are another issue's.

One spec per family (docs/spec-format.md, "Arguments and variants"): ``efficientnet`` (the B0 spec: B1-B7 are its alpha,
depth multiplier and resolution), ``efficientnet_v2``, ``regnet`` (each model from its four RegNet parameters and
its group width), ``mnasnet_b1``, ``shufflenet_v2``, ``resnet`` (ResNet, ResNeXt, Wide ResNet), ``vgg``,
``densenet``, ``squeezenet``, ``convnext``, ``googlenet``, ``mobilenet_v2``, ``mobilenet_v3``, ``alexnet``. Each
model is evaluated once, at its variant's alpha, depth multiplier and resolution, under the torchvision convention.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from cli_helpers import ok

from costcalc.conventions import TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.source.bundled import bundled_specs
from costcalc.spec.loading import load_network, variant_point

# model: (num_params, Mult-Adds, crop, published _ops, DEFAULT weights in torchvision 0.29.1)
ZOO = {
    "alexnet": (61_100_840, 714_188_480, 224, "0.714", "AlexNet_Weights.IMAGENET1K_V1"),
    "convnext_base": (88_591_464, 15_354_729_472, 224, "15.355", "ConvNeXt_Base_Weights.IMAGENET1K_V1"),
    "convnext_large": (197_767_336, 34_361_433_600, 224, "34.361", "ConvNeXt_Large_Weights.IMAGENET1K_V1"),
    "convnext_small": (50_223_688, 8_683_712_256, 224, "8.684", "ConvNeXt_Small_Weights.IMAGENET1K_V1"),
    "convnext_tiny": (28_589_128, 4_455_531_264, 224, "4.456", "ConvNeXt_Tiny_Weights.IMAGENET1K_V1"),
    "densenet121": (7_978_856, 2_834_161_664, 224, "2.834", "DenseNet121_Weights.IMAGENET1K_V1"),
    "densenet161": (28_681_000, 7_727_907_072, 224, "7.728", "DenseNet161_Weights.IMAGENET1K_V1"),
    "densenet169": (14_149_480, 3_359_843_328, 224, "3.36", "DenseNet169_Weights.IMAGENET1K_V1"),
    "densenet201": (20_013_928, 4_291_365_888, 224, "4.291", "DenseNet201_Weights.IMAGENET1K_V1"),
    "efficientnet_b0": (5_288_548, 385_814_752, 224, "0.386", "EfficientNet_B0_Weights.IMAGENET1K_V1"),
    "efficientnet_b1": (7_794_184, 686_802_832, 240, "0.687", "EfficientNet_B1_Weights.IMAGENET1K_V2"),
    "efficientnet_b2": (9_109_994, 1_087_529_456, 288, "1.088", "EfficientNet_B2_Weights.IMAGENET1K_V1"),
    "efficientnet_b3": (12_233_232, 1_827_141_392, 300, "1.827", "EfficientNet_B3_Weights.IMAGENET1K_V1"),
    "efficientnet_b4": (19_341_616, 4_393_771_024, 380, "4.394", "EfficientNet_B4_Weights.IMAGENET1K_V1"),
    "efficientnet_b5": (30_389_784, 10_266_384_752, 456, "10.266", "EfficientNet_B5_Weights.IMAGENET1K_V1"),
    "efficientnet_b6": (43_040_704, 19_067_593_536, 528, "19.068", "EfficientNet_B6_Weights.IMAGENET1K_V1"),
    "efficientnet_b7": (66_347_960, 37_745_884_192, 600, "37.746", "EfficientNet_B7_Weights.IMAGENET1K_V1"),
    "efficientnet_v2_l": (118_515_272, 56_079_699_008, 480, "56.08", "EfficientNet_V2_L_Weights.IMAGENET1K_V1"),
    "efficientnet_v2_m": (54_139_356, 24_582_460_384, 480, "24.582", "EfficientNet_V2_M_Weights.IMAGENET1K_V1"),
    "efficientnet_v2_s": (21_458_488, 8_365_617_152, 384, "8.366", "EfficientNet_V2_S_Weights.IMAGENET1K_V1"),
    "googlenet": (6_624_904, 1_498_376_192, 224, "1.498", "GoogLeNet_Weights.IMAGENET1K_V1"),
    "mnasnet0_5": (2_218_512, 104_455_968, 224, "0.104", "MNASNet0_5_Weights.IMAGENET1K_V1"),
    "mnasnet0_75": (3_170_208, 215_493_104, 224, "0.215", "MNASNet0_75_Weights.IMAGENET1K_V1"),
    "mnasnet1_0": (4_383_312, 314_415_872, 224, "0.314", "MNASNet1_0_Weights.IMAGENET1K_V1"),
    "mnasnet1_3": (6_282_256, 526_362_432, 224, "0.526", "MNASNet1_3_Weights.IMAGENET1K_V1"),
    "mobilenet_v2": (3_504_872, 300_774_272, 224, "0.301", "MobileNet_V2_Weights.IMAGENET1K_V2"),
    "mobilenet_v3_large": (5_483_032, 216_589_760, 224, "0.217", "MobileNet_V3_Large_Weights.IMAGENET1K_V2"),
    "mobilenet_v3_small": (2_542_856, 56_510_400, 224, "0.057", "MobileNet_V3_Small_Weights.IMAGENET1K_V1"),
    "regnet_x_16gf": (54_278_536, 15_940_755_456, 224, "15.941", "RegNet_X_16GF_Weights.IMAGENET1K_V2"),
    "regnet_x_1_6gf": (9_190_136, 1_602_849_792, 224, "1.603", "RegNet_X_1_6GF_Weights.IMAGENET1K_V2"),
    "regnet_x_32gf": (107_811_560, 31_735_929_792, 224, "31.736", "RegNet_X_32GF_Weights.IMAGENET1K_V2"),
    "regnet_x_3_2gf": (15_296_552, 3_176_621_952, 224, "3.177", "RegNet_X_3_2GF_Weights.IMAGENET1K_V2"),
    "regnet_x_400mf": (5_495_976, 413_812_608, 224, "0.414", "RegNet_X_400MF_Weights.IMAGENET1K_V2"),
    "regnet_x_800mf": (7_259_656, 799_699_712, 224, "0.8", "RegNet_X_800MF_Weights.IMAGENET1K_V2"),
    "regnet_x_8gf": (39_572_648, 7_995_132_416, 224, "7.995", "RegNet_X_8GF_Weights.IMAGENET1K_V2"),
    "regnet_y_128gf": (644_812_894, 374_570_006_400, 384, "374.57", "RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_E2E_V1"),
    "regnet_y_16gf": (83_590_140, 15_911_510_272, 224, "15.912", "RegNet_Y_16GF_Weights.IMAGENET1K_V2"),
    "regnet_y_1_6gf": (11_202_430, 1_612_076_160, 224, "1.612", "RegNet_Y_1_6GF_Weights.IMAGENET1K_V2"),
    "regnet_y_32gf": (145_046_770, 32_279_552_832, 224, "32.28", "RegNet_Y_32GF_Weights.IMAGENET1K_V2"),
    "regnet_y_3_2gf": (19_436_338, 3_176_482_752, 224, "3.176", "RegNet_Y_3_2GF_Weights.IMAGENET1K_V2"),
    "regnet_y_400mf": (4_344_144, 401_842_848, 224, "0.402", "RegNet_Y_400MF_Weights.IMAGENET1K_V2"),
    "regnet_y_800mf": (6_432_512, 833_856_256, 224, "0.834", "RegNet_Y_800MF_Weights.IMAGENET1K_V2"),
    "regnet_y_8gf": (39_381_472, 8_473_070_592, 224, "8.473", "RegNet_Y_8GF_Weights.IMAGENET1K_V2"),
    "resnet101": (44_549_160, 7_801_405_440, 224, "7.801", "ResNet101_Weights.IMAGENET1K_V2"),
    "resnet152": (60_192_808, 11_513_626_624, 224, "11.514", "ResNet152_Weights.IMAGENET1K_V2"),
    "resnet18": (11_689_512, 1_814_073_344, 224, "1.814", "ResNet18_Weights.IMAGENET1K_V1"),
    "resnet34": (21_797_672, 3_663_761_408, 224, "3.664", "ResNet34_Weights.IMAGENET1K_V1"),
    "resnet50": (25_557_032, 4_089_184_256, 224, "4.089", "ResNet50_Weights.IMAGENET1K_V2"),
    "resnext101_32x8d": (88_791_336, 16_414_015_488, 224, "16.414", "ResNeXt101_32X8D_Weights.IMAGENET1K_V2"),
    "resnext101_64x4d": (83_455_272, 15_460_270_080, 224, "15.46", "ResNeXt101_64X4D_Weights.IMAGENET1K_V1"),
    "resnext50_32x4d": (25_028_904, 4_230_479_872, 224, "4.23", "ResNeXt50_32X4D_Weights.IMAGENET1K_V2"),
    "shufflenet_v2_x0_5": (1_366_792, 40_476_448, 224, "0.04", "ShuffleNet_V2_X0_5_Weights.IMAGENET1K_V1"),
    "shufflenet_v2_x1_0": (2_278_604, 144_907_992, 224, "0.145", "ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1"),
    "shufflenet_v2_x1_5": (3_503_624, 295_759_392, 224, "0.296", "ShuffleNet_V2_X1_5_Weights.IMAGENET1K_V1"),
    "shufflenet_v2_x2_0": (7_393_996, 583_253_464, 224, "0.583", "ShuffleNet_V2_X2_0_Weights.IMAGENET1K_V1"),
    "squeezenet1_0": (1_248_424, 818_924_576, 224, "0.819", "SqueezeNet1_0_Weights.IMAGENET1K_V1"),
    "squeezenet1_1": (1_235_496, 349_151_936, 224, "0.349", "SqueezeNet1_1_Weights.IMAGENET1K_V1"),
    "vgg11": (132_863_336, 7_609_090_048, 224, "7.609", "VGG11_Weights.IMAGENET1K_V1"),
    "vgg11_bn": (132_868_840, 7_609_090_048, 224, "7.609", "VGG11_BN_Weights.IMAGENET1K_V1"),
    "vgg13": (133_047_848, 11_308_466_176, 224, "11.308", "VGG13_Weights.IMAGENET1K_V1"),
    "vgg13_bn": (133_053_736, 11_308_466_176, 224, "11.308", "VGG13_BN_Weights.IMAGENET1K_V1"),
    "vgg16": (138_357_544, 15_470_264_320, 224, "15.47", "VGG16_Weights.IMAGENET1K_V1"),
    "vgg16_bn": (138_365_992, 15_470_264_320, 224, "15.47", "VGG16_BN_Weights.IMAGENET1K_V1"),
    "vgg19": (143_667_240, 19_632_062_464, 224, "19.632", "VGG19_Weights.IMAGENET1K_V1"),
    "vgg19_bn": (143_678_248, 19_632_062_464, 224, "19.632", "VGG19_BN_Weights.IMAGENET1K_V1"),
    "wide_resnet101_2": (126_886_696, 22_753_050_624, 224, "22.753", "Wide_ResNet101_2_Weights.IMAGENET1K_V2"),
    "wide_resnet50_2": (68_883_240, 11_398_021_120, 224, "11.398", "Wide_ResNet50_2_Weights.IMAGENET1K_V2"),}

FAMILIES = {"efficientnet": 8, "efficientnet_v2": 3, "regnet": 15, "mnasnet_b1": 4, "shufflenet_v2": 4,
            "resnet": 10, "vgg": 8, "densenet": 4, "squeezenet": 2, "convnext": 4, "googlenet": 1, "mobilenet_v2": 1,
            "mobilenet_v3": 2, "alexnet": 1}


def _evaluated(name: str) -> Any:
    network = load_network(name)
    return evaluate(network, *variant_point(network.spec, None, None, None), TORCHVISION)


def _giga(mult_adds: int, published: str) -> str:
    """Mult-Adds in giga, rounded half up exactly to the published number's decimals."""
    places = len(published.partition(".")[2])
    scaled = (mult_adds * 10**places * 2 + 10**9) // (2 * 10**9)
    return f"{scaled // 10**places}.{scaled % 10**places:0{places}d}" if places else str(scaled)


def test_the_zoo_is_every_torchvision_cnn_and_each_is_a_bundled_name() -> None:
    assert len(ZOO) == sum(FAMILIES.values()) == 67
    assert set(ZOO) <= set(bundled_specs())
    families = {name: bundled_specs()[name].rpartition("/")[2].partition(".yaml")[0] for name in ZOO}
    assert {family: list(families.values()).count(family) for family in FAMILIES} == FAMILIES


@pytest.mark.parametrize("name", sorted(ZOO))
def test_each_model_is_torchvisions_exactly(name: str) -> None:
    num_params, mult_adds, crop, ops, _weights = ZOO[name]
    evaluation = _evaluated(name)  # one evaluation gives the params and the Mult-Adds
    assert evaluation.spec.name == name
    assert evaluation.resolution == crop
    assert (evaluation.mult_adds, evaluation.params) == (mult_adds, num_params)
    assert _giga(evaluation.mult_adds, ops) == ops


# EfficientNet's compound scaling (Tan & Le 2019, Sec. 3.3): torchvision's _efficientnet_conf width_mult and
# depth_mult, and the crop of each model's weights (the ZOO's).
EFFICIENTNET = {"efficientnet_b1": ("1.0", "1.1", 240), "efficientnet_b2": ("1.1", "1.2", 288),
                "efficientnet_b3": ("1.2", "1.4", 300), "efficientnet_b4": ("1.4", "1.8", 380),
                "efficientnet_b5": ("1.6", "2.2", 456), "efficientnet_b6": ("1.8", "2.6", 528),
                "efficientnet_b7": ("2.0", "3.1", 600)}


def test_efficientnet_b1_to_b7_are_b0_at_their_alpha_depth_multiplier_and_resolution() -> None:
    spec = load_network("efficientnet_b0").spec
    from costcalc.spec.build import build_network

    for name, (alpha, depth, crop) in EFFICIENTNET.items():
        evaluation = evaluate(build_network(spec, Fraction(depth)), Fraction(alpha), Fraction(crop, 224), TORCHVISION)
        assert (evaluation.params, evaluation.mult_adds) == ZOO[name][:2], name


def test_the_command_line_derives_b4_from_b0_with_three_options() -> None:
    options = ("--convention", "torchvision", "--format", "json")
    by_name = json.loads(ok("report", "efficientnet_b4", *options))
    scaled = json.loads(ok("report", "efficientnet_b0", "--alpha", "1.4", "--depth-multiplier", "1.8",
                           "--resolution", "380", *options))
    for data in (by_name, scaled):
        assert (data["totals"]["params"], data["totals"]["mult_adds"]) == ZOO["efficientnet_b4"][:2]
        assert (data["alpha_exact"], data["depth_multiplier_exact"], data["resolution"]) == ("1.4", "1.8", 380)
        assert data["width_rule"] == "round_filters"


def test_costcalc_list_shows_every_model_by_its_torchvision_name() -> None:
    listed = {line.split()[0] for line in ok("list").splitlines()}
    assert set(ZOO) <= listed
    assert {"resnet", "vgg", "regnet", "efficientnet"}.isdisjoint(listed)  # a family is listed by its variants
    by_name = {entry["name"]: entry for entry in json.loads(ok("list", "--format", "json"))}
    assert by_name["regnet_y_128gf"]["description"].startswith("RegNetY-128GF")
    assert by_name["efficientnet_b4"]["variant_of"] == "efficientnet"
