"""Golden tests: MobileNet v1 per layer against TF-slim, and under the ``torchvision`` convention against PyTorch.

Sources (copied here as literal data; tests/test_reference_data.py checks them against ``tests/reference/``):

- TF-slim's per-layer table of the MobileNet v1 body (1.0 width, 224 x 224, no logits layer), from the module
  docstring of tensorflow/models research/slim/nets/mobilenet_v1.py (as transcribed in
  ``tests/reference/mobilenet_v1_tfslim_layers.yaml``). ``params`` are weights only, ``mult_adds`` are
  multiply-accumulates: the paper's convention. Body totals 3,185,088 params and 567,716,352 Mult-Adds; with
  the 1024 x 1000 classifier, the paper's 4,209,088 and 568,740,352.
- ``tests/reference/anchor_counts.yaml``: ``sum(p.numel() for p in model.parameters())`` of a PyTorch MobileNet
  v1 (conv weights without bias, BatchNorm gamma and beta, Linear weight and bias): 4,231,976 at alpha 1 / 224
  and 1,331,592 at alpha 0.5 / 160 — what costcalc's ``torchvision`` convention counts as params.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec

# tensorflow/models research/slim/nets/mobilenet_v1.py, module docstring: (TF-slim op, params, mult_adds).
TFSLIM_LAYERS = [
    ("Conv2d_0/Conv2D", 864, 10_838_016),
    ("Conv2d_1_depthwise/depthwise", 288, 3_612_672),
    ("Conv2d_1_pointwise/Conv2D", 2_048, 25_690_112),
    ("Conv2d_2_depthwise/depthwise", 576, 1_806_336),
    ("Conv2d_2_pointwise/Conv2D", 8_192, 25_690_112),
    ("Conv2d_3_depthwise/depthwise", 1_152, 3_612_672),
    ("Conv2d_3_pointwise/Conv2D", 16_384, 51_380_224),
    ("Conv2d_4_depthwise/depthwise", 1_152, 903_168),
    ("Conv2d_4_pointwise/Conv2D", 32_768, 25_690_112),
    ("Conv2d_5_depthwise/depthwise", 2_304, 1_806_336),
    ("Conv2d_5_pointwise/Conv2D", 65_536, 51_380_224),
    ("Conv2d_6_depthwise/depthwise", 2_304, 451_584),
    ("Conv2d_6_pointwise/Conv2D", 131_072, 25_690_112),
    ("Conv2d_7_depthwise/depthwise", 4_608, 903_168),
    ("Conv2d_7_pointwise/Conv2D", 262_144, 51_380_224),
    ("Conv2d_8_depthwise/depthwise", 4_608, 903_168),
    ("Conv2d_8_pointwise/Conv2D", 262_144, 51_380_224),
    ("Conv2d_9_depthwise/depthwise", 4_608, 903_168),
    ("Conv2d_9_pointwise/Conv2D", 262_144, 51_380_224),
    ("Conv2d_10_depthwise/depthwise", 4_608, 903_168),
    ("Conv2d_10_pointwise/Conv2D", 262_144, 51_380_224),
    ("Conv2d_11_depthwise/depthwise", 4_608, 903_168),
    ("Conv2d_11_pointwise/Conv2D", 262_144, 51_380_224),
    ("Conv2d_12_depthwise/depthwise", 4_608, 225_792),
    ("Conv2d_12_pointwise/Conv2D", 524_288, 25_690_112),
    ("Conv2d_13_depthwise/depthwise", 9_216, 451_584),
    ("Conv2d_13_pointwise/Conv2D", 1_048_576, 51_380_224),
]
# Same docstring: "Total: 3,185,088 params, 567,716,352 MACs" for the body.
TFSLIM_BODY_TOTALS = (3_185_088, 567_716_352)
# The classifier the TF-slim body table leaves out: a 1024 x 1000 fully connected layer (weights only).
FC_WEIGHTS = 1024 * 1000
# MobileNets (arXiv:1704.04861) Table 4/6/7, MobileNet 1.0-224: 4,209,088 params, 568,740,352 Mult-Adds.
PAPER_TOTALS = (4_209_088, 568_740_352)

# anchor_counts.yaml, mobilenet_v1: params = sum(p.numel()) of the PyTorch model (incl. BN gamma/beta, FC bias).
TORCH_PARAMS = [
    (Fraction(1), 224, 4_231_976),  # alpha 1.0, resolution 224: params 4231976
    (Fraction(1, 2), 160, 1_331_592),  # alpha 0.5, resolution 160: params 1331592
]

WEIGHTED_KINDS = ("conv", "depthwise", "pointwise")


def _mobilenet(alpha: Fraction = Fraction(1), rho: Fraction = Fraction(1), convention=PAPER):
    return evaluate(load_spec(str(bundled_specs()["mobilenet_v1"])), alpha=alpha, rho=rho, convention=convention)


def test_tfslim_table_is_consistent() -> None:
    # The copied rows add up to the docstring's totals (guards the transcription).
    assert len(TFSLIM_LAYERS) == 27
    assert (sum(row[1] for row in TFSLIM_LAYERS), sum(row[2] for row in TFSLIM_LAYERS)) == TFSLIM_BODY_TOTALS


def test_weighted_layers_match_tfslim_row_by_row() -> None:
    body = [row for row in _mobilenet().layers if row.kind in WEIGHTED_KINDS]
    assert len(body) == len(TFSLIM_LAYERS)
    for ours, (tf_name, params, mult_adds) in zip(body, TFSLIM_LAYERS):
        expected_kind = "depthwise" if "depthwise" in tf_name else ("conv" if tf_name.startswith("Conv2d_0/") else "pointwise")
        assert ours.kind == expected_kind, (ours.name, tf_name)
        assert (ours.params, ours.mult_adds) == (params, mult_adds), (ours.name, tf_name)
        assert type(ours.params) is int and type(ours.mult_adds) is int


@pytest.mark.parametrize("index", range(len(TFSLIM_LAYERS)), ids=[row[0] for row in TFSLIM_LAYERS])
def test_each_tfslim_row(index: int) -> None:
    body = [row for row in _mobilenet().layers if row.kind in WEIGHTED_KINDS]
    _name, params, mult_adds = TFSLIM_LAYERS[index]
    assert (body[index].params, body[index].mult_adds) == (params, mult_adds)


def test_body_totals_and_classifier_give_paper_totals() -> None:
    evaluation = _mobilenet()
    body = [row for row in evaluation.layers if row.kind in WEIGHTED_KINDS]
    assert (sum(row.params for row in body), sum(row.mult_adds for row in body)) == TFSLIM_BODY_TOTALS
    fc = [row for row in evaluation.layers if row.kind == "fc"]
    assert len(fc) == 1
    assert (fc[0].params, fc[0].mult_adds) == (FC_WEIGHTS, FC_WEIGHTS)
    assert (TFSLIM_BODY_TOTALS[0] + FC_WEIGHTS, TFSLIM_BODY_TOTALS[1] + FC_WEIGHTS) == PAPER_TOTALS
    assert (evaluation.params, evaluation.mult_adds) == PAPER_TOTALS
    # Nothing else in the network has a cost under the paper's convention.
    others = [row for row in evaluation.layers if row.kind not in (*WEIGHTED_KINDS, "fc")]
    assert others and all(row.params == 0 and row.mult_adds == 0 for row in others)


@pytest.mark.parametrize(("alpha", "resolution", "params"), TORCH_PARAMS, ids=["1.0-224", "0.5-160"])
def test_torchvision_convention_params(alpha: Fraction, resolution: int, params: int) -> None:
    evaluation = _mobilenet(alpha, Fraction(resolution, 224), TORCHVISION)
    assert evaluation.resolution == resolution
    assert evaluation.params == params
    assert type(evaluation.params) is int
    # The difference from the paper's weights-only count is exactly BatchNorm's gamma and beta (2 per channel of
    # every conv, depthwise and pointwise output) and the classifier's 1000 biases.
    paper = _mobilenet(alpha, Fraction(resolution, 224), PAPER)
    bn_channels = sum(row.output_shape.channels for row in paper.layers if row.kind in WEIGHTED_KINDS)
    assert evaluation.params - paper.params == 2 * bn_channels + 1000


def test_torchvision_convention_counts_no_bias_adds() -> None:
    # torchvision counts Mult-Adds of convolutions and matrix multiplies only (no bias adds): for MobileNet v1
    # that is the paper's count.
    assert _mobilenet(convention=TORCHVISION).mult_adds == PAPER_TOTALS[1]
