"""Golden tests: the zoo's transformers (ViT, Swin, Swin V2, MaxViT) and Inception v3 against torchvision, exactly.

Sources (copied here as literal data; tests/test_reference_data.py checks them against ``tests/reference/``):

- ``PUBLISHED``: ``num_params`` and ``_ops`` of every weights enum of these models in torchvision 0.29.1
  (``weights.meta``, at the crop of its transforms), from ``tests/reference/torchvision.yaml``
  (tests/reference/scripts/torchvision_meta.py). ``_ops`` is giga Mult-Adds of convolutions and matrix
  multiplies, attention's two activation-by-activation products included, rounded to 3 decimals.
- ``MEASURED``: the exact integers, from ``tests/reference/zoo_counts.yaml`` (tests/reference/scripts/
  measure_zoo.py): ``sum(p.numel())`` and ``torch.utils.flop_counter.FlopCounterMode`` // 2 (torch 2.14.1, CPU,
  eval mode, autograd on, the math attention backend) of the model torchvision builds at that size
  (``image_size`` for ViT, ``input_size`` for MaxViT; Swin and Inception v3 take any size), one image. At a
  published crop each rounds to the published ``_ops``; at the other sizes they are what the same builder gives.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network
from costcalc.spec.schema import parse_spec
from costcalc.source.positioned_yaml import parse_yaml

# (spec, weights enum of torchvision 0.29.1): (num_params, _ops, crop)
PUBLISHED = {
    ("vit_b_16", "IMAGENET1K_V1"): (86_567_656, "17.564", 224),
    ("vit_b_16", "IMAGENET1K_SWAG_E2E_V1"): (86_859_496, "55.484", 384),
    ("vit_b_16", "IMAGENET1K_SWAG_LINEAR_V1"): (86_567_656, "17.564", 224),
    ("vit_b_32", "IMAGENET1K_V1"): (88_224_232, "4.409", 224),
    ("vit_l_16", "IMAGENET1K_V1"): (304_326_632, "61.555", 224),
    ("vit_l_16", "IMAGENET1K_SWAG_E2E_V1"): (305_174_504, "361.986", 512),
    ("vit_l_16", "IMAGENET1K_SWAG_LINEAR_V1"): (304_326_632, "61.555", 224),
    ("vit_l_32", "IMAGENET1K_V1"): (306_535_400, "15.378", 224),
    ("vit_h_14", "IMAGENET1K_SWAG_E2E_V1"): (633_470_440, "1016.717", 518),
    ("vit_h_14", "IMAGENET1K_SWAG_LINEAR_V1"): (632_045_800, "167.295", 224),
    ("swin_t", "IMAGENET1K_V1"): (28_288_354, "4.491", 224),
    ("swin_s", "IMAGENET1K_V1"): (49_606_258, "8.741", 224),
    ("swin_b", "IMAGENET1K_V1"): (87_768_224, "15.431", 224),
    ("swin_v2_t", "IMAGENET1K_V1"): (28_351_570, "5.940", 256),
    ("swin_v2_s", "IMAGENET1K_V1"): (49_737_442, "11.546", 256),
    ("swin_v2_b", "IMAGENET1K_V1"): (87_930_848, "20.325", 256),
    ("maxvit_t", "IMAGENET1K_V1"): (30_919_624, "5.558", 224),
    ("inception_v3", "IMAGENET1K_V1"): (27_161_264, "5.713", 299),
}

# (spec, resolution): (params, Mult-Adds) of the model torchvision builds at that size (module docstring).
MEASURED = {
    ("vit_b_16", 224): (86_567_656, 17_563_828_224),
    ("vit_b_16", 384): (86_859_496, 55_484_350_464),
    ("vit_b_16", 256): (86_613_736, 23_197_384_704),
    ("vit_b_32", 224): (88_224_232, 4_409_186_304),
    ("vit_b_32", 288): (88_248_808, 7_280_449_536),
    ("vit_l_16", 224): (304_326_632, 61_554_712_576),
    ("vit_l_16", 512): (305_174_504, 361_986_285_568),
    ("vit_l_32", 224): (306_535_400, 15_377_539_072),
    ("vit_h_14", 224): (632_045_800, 167_295_109_120),
    ("vit_h_14", 518): (633_470_440, 1_016_716_764_160),
    ("swin_t", 224): (28_288_354, 4_490_566_656),
    ("swin_t", 256): (28_288_354, 7_345_441_536),
    ("swin_s", 224): (49_606_258, 8_740_875_264),
    ("swin_b", 224): (87_768_224, 15_430_946_816),
    ("swin_v2_t", 256): (28_351_570, 5_939_690_496),
    ("swin_v2_t", 224): (28_351_570, 4_938_464_256),
    ("swin_v2_s", 256): (49_737_442, 11_545_857_024),
    ("swin_v2_b", 256): (87_930_848, 20_325_134_336),
    ("maxvit_t", 224): (30_919_624, 5_558_046_720),
    ("maxvit_t", 448): (30_919_624, 22_224_506_880),
    ("inception_v3", 299): (27_161_264, 5_713_216_096),
    ("inception_v3", 342): (27_161_264, 7_283_565_952),
}

# GoogLeNet built with its two auxiliary heads (googlenet(aux_logits=True)): tests/reference/zoo_counts.yaml.
GOOGLENET_AUX_PARAMS = 13_004_888


def _network(name: str):  # type: ignore[no-untyped-def]
    return build_network(load_spec(str(bundled_specs()[name])))


def _evaluate(name: str, resolution: int, convention=TORCHVISION):  # type: ignore[no-untyped-def]
    network = _network(name)
    return evaluate(network, Fraction(1), Fraction(resolution, network.spec.input.height), convention)


def _ops(mult_adds: int) -> str:
    """Giga Mult-Adds to 3 decimals, rounded half up exactly (no float)."""
    thousandths = (mult_adds * 1000 + 500_000_000) // 1_000_000_000
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


def test_the_zoo_has_every_transformer_of_torchvision() -> None:
    transformers = {"vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14", "swin_t", "swin_s", "swin_b",
                    "swin_v2_t", "swin_v2_s", "swin_v2_b", "maxvit_t"}
    assert transformers | {"inception_v3"} <= set(bundled_specs())
    assert {name for name, _weights in PUBLISHED} == transformers | {"inception_v3"}


@pytest.mark.parametrize(("name", "resolution"), sorted(MEASURED))
def test_spec_gives_the_model_torchvision_builds_at_that_size(name: str, resolution: int) -> None:
    evaluation = _evaluate(name, resolution)
    assert evaluation.input_shape[:2] == (resolution, resolution)
    assert (evaluation.params, evaluation.mult_adds) == MEASURED[(name, resolution)]


@pytest.mark.parametrize(("name", "weights"), sorted(PUBLISHED))
def test_published_figures_round_from_the_exact_counts(name: str, weights: str) -> None:
    num_params, ops, crop = PUBLISHED[(name, weights)]
    params, mult_adds = MEASURED[(name, crop)]
    assert params == num_params
    assert _ops(mult_adds) == ops


def test_position_embeddings_follow_the_resolution() -> None:
    # ViT-B/16 at 384 has 577 tokens, at 224 197: (577 - 197) * 768 more parameters, all position embeddings.
    at_224, at_384 = _evaluate("vit_b_16", 224), _evaluate("vit_b_16", 384)
    assert at_384.params - at_224.params == (577 - 197) * 768 == 86_859_496 - 86_567_656
    (embedding,) = [row for row in at_384.layers if row.kind == "position_embedding"]
    assert embedding.params == 577 * 768


def test_attention_products_are_their_own_rows_and_grow_with_the_tokens_squared() -> None:
    evaluation = _evaluate("vit_b_16", 224)
    products = [row for row in evaluation.layers if row.kind in ("attention_scores", "attention_values")]
    assert len(products) == 2 * 12
    assert all(row.mult_adds == 197 * 197 * 768 for row in products)
    assert all(row.params == 0 for row in products)


def test_the_paper_convention_counts_the_same_mult_adds_and_only_weights() -> None:
    for name in ("vit_b_32", "swin_t", "maxvit_t", "inception_v3"):
        network = _network(name)
        paper = evaluate(network, convention=PAPER)
        torchvision = evaluate(network, convention=TORCHVISION)
        assert paper.mult_adds == torchvision.mult_adds
        assert paper.params < torchvision.params


def test_the_params_only_branch_counts_parameters_and_no_mult_adds() -> None:
    # torchvision's num_params of inception_v3 includes AuxLogits (3,326,696 parameters), which eval never runs.
    evaluation = _evaluate("inception_v3", 299)
    aux = [row for row in evaluation.layers if row.path[:1] == ("AuxLogits",)]
    assert aux and all(row.idle and row.mult_adds == 0 for row in aux)
    assert sum(row.params for row in aux) == 3_326_696
    assert evaluation.params - sum(row.params for row in aux) == 23_834_568  # what thop, which hooks, sees


AUX = """\
  - params_only:                  # InceptionAux (googlenet.py): runs in training only
      name: {name}
      layers:
        - adaptive_avg_pool: {{size: 4, call: functional}}
        - basic_conv: {{filters: 128, name: conv}}
        - flatten
        - fc: {{units: 1024, name: fc1}}
        - relu: {{call: functional}}
        - dropout: {{rate: 0.7}}
        - fc: {{units: 1000, fixed: true, name: fc2}}
"""


def test_googlenet_can_be_written_with_its_auxiliary_heads() -> None:
    """The bundled googlenet is torchvision's pretrained model, without aux heads (6,624,904 params); with them
    as params-only branches (after inception4a and inception4d) it is googlenet(aux_logits=True), and its
    Mult-Adds are those of the eval graph, unchanged."""
    with open(bundled_specs()["googlenet"], encoding="utf-8") as handle:
        text = handle.read()
    for after, name in (("name: inception4a}\n", "aux1"), ("name: inception4d}\n", "aux2")):
        text = text.replace(after, after + AUX.format(name=name))
    with_aux = evaluate(parse_spec(parse_yaml(text, "googlenet_aux.yaml"), "googlenet_aux.yaml"),
                        convention=TORCHVISION)
    without = _evaluate("googlenet", 224)
    assert with_aux.params == GOOGLENET_AUX_PARAMS
    assert with_aux.mult_adds == without.mult_adds == 1_498_376_192
