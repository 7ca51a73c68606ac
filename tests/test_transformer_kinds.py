"""Tokens, attention, windows, MLPs, params-only branches and qualified components, on small networks worked by
hand (Vaswani et al. 2017, eq. 1; Liu et al. 2021, section 3.2), and the engine's invariants on them: the
compiled grid and the closed form equal the exact count, and the attention matrix is in the memory peak."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import ok
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.analysis.memory import memory
from costcalc.conventions import CONVENTIONS, PAPER, TORCHVISION
from costcalc.conventions.files import ConventionError, load_convention
from costcalc.engine.compiled import CompiledCost
from costcalc.engine.exact import evaluate
from costcalc.layers.base import GridTokens, Shape, Tokens
from costcalc.layers.components import component, idle
from costcalc.source.positioned_yaml import parse_yaml
from costcalc.spec.build import build_network
from costcalc.spec.schema import parse_spec

# 16x16 image, 4x4 patches: 16 tokens (+1 class token) of 32 channels, 4 heads of 8.
VIT = """\
input: {channels: 3, size: 16}
layers:
  - conv: {kernel: 4, stride: 4, padding: 0, filters: 32, bias: true}
  - tokens
  - class_token
  - position_embedding
  - residual:
      layers: [layer_norm, attention: {heads: 4, name: attn}]
  - residual:
      layers: [layer_norm, mlp: {hidden: 64}]
  - layer_norm
  - select_token
  - fc: {units: 10, fixed: true}
"""
# a 10x10 map of 16 channels (40 px / 4), windows of 4: padded to 12x12 for the attention, as Swin does
SWIN = """\
input: {channels: 3, size: 40}
layers:
  - conv: {kernel: 4, stride: 4, padding: 0, filters: 16, bias: true}
  - residual:
      layers: [layer_norm, window_attention: {window: 4, heads: 2, name: attn}]
  - residual:
      layers: [layer_norm, mlp: {hidden: "4 * in"}]
  - patch_merging
  - window_attention: {window: 4, heads: 2, position_bias: mlp, cosine: true}
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""
# MaxViT-style: a 14x14 map of 32 channels, partitions of 7, heads of 16 channels
MAXVIT = """\
input: {channels: 3, size: 28}
layers:
  - conv: {kernel: 2, stride: 2, padding: 0, filters: 32}
  - window_attention: {window: 7, head_dim: 16, call: maxvit}
  - window_attention: {window: 7, head_dim: 16, partition: grid, call: maxvit}
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""


def _network(text: str, name: str = "small.yaml"):  # type: ignore[no-untyped-def]
    return build_network(parse_spec(parse_yaml(text, name), name))


def _rows(evaluation, prefix: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {row.name.removeprefix(prefix): row for row in evaluation.layers if row.name.startswith(prefix)}


def test_tokens_are_shapes_that_say_so() -> None:
    grid = GridTokens(14, 14, 768)
    assert isinstance(grid, Shape) and tuple(grid) == (14, 14, 768)
    assert str(grid) == "196×768 tokens" and grid.label("x") == "196x768 tokens"
    assert type(grid._replace(channels=3)) is GridTokens
    assert str(Tokens(197, 1, 768)) == "197×768 tokens" and str(Shape(7, 7, 3)) == "7×7×3"


def test_global_attention_by_hand() -> None:
    evaluation = evaluate(_network(VIT), convention=TORCHVISION)
    n, d = 17, 32
    rows = _rows(evaluation, "attn.")
    assert rows["in_proj"].mult_adds == n * d * 3 * d and rows["in_proj"].params == d * 3 * d + 3 * d
    assert rows["scores"].output_shape == (n, n, 4) and rows["scores"].mult_adds == n * n * d
    assert rows["values"].mult_adds == n * n * d and rows["values"].output_shape == Tokens(n, 1, d)
    assert rows["out_proj"].mult_adds == n * d * d
    (embedding,) = [row for row in evaluation.layers if row.kind == "position_embedding"]
    assert embedding.params == n * d
    assert [row.output_shape for row in evaluation.layers if row.kind == "class_token"] == [Tokens(n, 1, d)]


def test_window_attention_runs_on_the_padded_map_and_crops_it() -> None:
    evaluation = evaluate(_network(SWIN), convention=TORCHVISION)
    rows = _rows(evaluation, "attn.")
    assert rows["pad"].output_shape == (12, 12, 16) and rows["crop"].output_shape == (10, 10, 16)
    assert rows["qkv"].mult_adds == 144 * 16 * 48  # F.linear on every padded position
    assert rows["scores"].output_shape == (144, 16, 2) and rows["scores"].mult_adds == 144 * 16 * 16
    assert rows["scores"].params == 7 * 7 * 2  # the relative-position bias table, (2w - 1)² x heads
    merging = [row for row in evaluation.layers if row.name.startswith("patch_merging_1.")]
    assert [row.output_shape for row in merging] == [(5, 5, 64), (5, 5, 64), (5, 5, 32)]
    # Swin V2's continuous bias: Linear(2, 512) with bias, ReLU, Linear(512, 2) on 49 coordinates, whatever the size
    v2 = _rows(evaluation, "window_attention_1.")
    assert v2["cpb_fc1"].mult_adds == 49 * 2 * 512 and v2["cpb_fc2"].mult_adds == 49 * 512 * 2
    assert v2["scores"].params == 2  # the logit scale, one per head


def test_maxvit_partitions_cost_the_same_and_need_whole_windows() -> None:
    evaluation = evaluate(_network(MAXVIT), convention=TORCHVISION)
    block, grid = _rows(evaluation, "window_attention_1."), _rows(evaluation, "window_attention_2.")
    assert block["scores"].mult_adds == grid["scores"].mult_adds == 196 * 49 * 32
    assert block["scores"].output_shape.channels == 2  # 32 channels / heads of 16


@pytest.mark.parametrize("text", [VIT, SWIN, MAXVIT], ids=["vit", "swin", "maxvit"])
@settings(max_examples=12, deadline=None)
@given(alpha=st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(3, 2)]),
       rho=st.sampled_from([Fraction(1), Fraction(2), Fraction(3)]),
       tool=st.sampled_from(["torchvision", "ptflops", "thop", "torchinfo"]))
def test_the_compiled_grid_equals_the_exact_count(text: str, alpha: Fraction, rho: Fraction, tool: str) -> None:
    network = _network(text)
    convention = CONVENTIONS[tool]
    compiled = CompiledCost(network, convention)
    assert compiled.factored
    exact = evaluate(network, alpha, rho, convention)
    assert compiled.totals(alpha, rho) == (exact.mult_adds, exact.params)


def test_the_closed_form_shows_attention_growing_as_rho_to_the_fourth() -> None:
    data = json.loads(ok("report", "vit_b_32", "--symbolic", "--format", "json"))
    assert data["symbolic"]["exact_equals_closed_form"] is True
    # 12 layers x 2 products x (49 tokens)² x 768 channels: the N² of N = 49·ρ² + 1
    assert data["symbolic"]["mult_adds"].startswith(f"{12 * 2 * 49 * 49 * 768}*alpha*rho**4 + ")
    assert "rho**2" in data["symbolic"]["params"]  # position embeddings follow the tokens


def test_the_attention_matrix_is_in_the_memory_peak() -> None:
    evaluation = evaluate(_network(VIT), convention=PAPER)
    use = memory(evaluation)
    (scores,) = [index for index, row in enumerate(evaluation.layers) if row.kind == "attention_scores"]
    assert use.layers[scores].activation_bytes == 4 * 17 * 17 * 4  # heads x N x N, fp32
    softmax = scores + 1  # the scores and their softmax are alive together, with the projections
    assert use.layers[softmax].alive_bytes >= 2 * 4 * 17 * 17 * 4 + 17 * 96 * 4


PARAMS_ONLY = """\
input: {channels: 3, size: 32}
layers:
  - conv: {kernel: 3, stride: 2, filters: 16}
  - params_only:
      name: aux
      layers:
        - conv: {kernel: 5, stride: 4, padding: 0, filters: 8}
        - batch_norm
        - global_avg_pool
        - fc: {units: 10, fixed: true}
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""


def test_a_params_only_branch_counts_its_parameters_and_never_runs(tmp_path: Path) -> None:
    network = _network(PARAMS_ONLY)
    evaluation = evaluate(network, convention=TORCHVISION)
    aux = [row for row in evaluation.layers if row.path == ("aux",)]
    assert [row.idle for row in aux] == [True] * 4 and all(row.mult_adds == 0 for row in aux)
    assert sum(row.params for row in aux) == 5 * 5 * 16 * 8 + 2 * 8 + 8 * 10 + 10
    assert evaluation.mult_adds == 3 * 3 * 3 * 16 * 16 * 16 + 16 * 10  # the main path only
    assert all(layer.activation_bytes == 0 for layer, row in zip(memory(evaluation).layers, evaluation.layers)
               if row.idle)
    assert evaluate(network, convention=CONVENTIONS["thop"]).params == 3 * 3 * 3 * 16 + 16 * 10 + 10  # never ran
    # at 8 pixels the branch's 5x5 window does not fit a 2x2 map: it never runs, so that is no error
    assert evaluate(network, rho=Fraction(1, 4), convention=TORCHVISION).params == evaluation.params
    spec = tmp_path / "aux.yaml"
    spec.write_text(PARAMS_ONLY, encoding="utf-8")
    rows = json.loads(ok("report", str(spec), "--format", "json"))["layers"]
    assert [row.get("params_only", False) for row in rows] == [False, True, True, True, True, False, False]


def test_a_qualified_component_counts_as_its_nearest_named_ancestor() -> None:
    ptflops, thop, torchinfo = (CONVENTIONS[name] for name in ("ptflops", "thop", "torchinfo"))
    assert ptflops.weight_of("act_relu") == 2 and ptflops.weight_of("act_relu.functional") == 1
    assert ptflops.weight_of("weight_macs.linear") == 1 and ptflops.weight_of("weight_macs.linear.functional") == 0
    assert TORCHVISION.weight_of("weight_macs.qk.einsum") == 1 and PAPER.counts_param("weights.positions")
    assert thop.counts_param("weights") and not thop.counts_param("weights.idle")
    assert torchinfo.counts_param("bn_affine.idle") and torchinfo.weight_of("bn_affine.idle") == 0
    assert component("act_relu.functional").per == "output"  # type: ignore[union-attr]
    assert component("act_relu.nonsense") is None and component("nonsense.functional") is None
    assert idle({"weights": 10, "weight_macs": 99, "weights.positions": 4}) == {"weights.idle": 10,
                                                                              "weights.positions.idle": 4}


def test_the_call_field_is_what_ptflops_sees(tmp_path: Path) -> None:
    spec = "input: {channels: 3, size: 8}\nlayers:\n  - conv: {kernel: 1, filters: 4}\n  - relu%s\n"
    module, functional = (evaluate(_network(spec % call), convention=CONVENTIONS["ptflops"]).mult_adds
                          for call in ("", ": {call: functional}"))
    assert module - functional == 8 * 8 * 4  # nn.ReLU: its hook and the patched F.relu; F.relu alone: once


def test_a_convention_file_may_name_qualified_components(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("mult_adds: {weight_macs: 1, weight_macs.qk: 0, act_relu.functional: 3}\n"
                    "params: [weights, weights.positions]\nignores: ['*']\n", encoding="utf-8")
    convention = load_convention(str(path))
    assert convention.weight_of("weight_macs.av") == 1 and convention.weight_of("weight_macs.qk.mha") == 0
    assert convention.weights["weight_macs.qk"] == 0 and "mac" == convention.mult_adds[1].kind
    path.write_text("mult_adds: {act_relu.fast: 1}\nignores: ['*']\n", encoding="utf-8")
    with pytest.raises(ConventionError, match=r"error\[E521\]: unknown cost component 'act_relu.fast'"):
        load_convention(str(path))


def test_the_kinds_page_names_every_kind() -> None:
    from costcalc.layers import all_kinds

    text = (Path(__file__).resolve().parent.parent / "docs" / "kinds.md").read_text(encoding="utf-8")
    missing = [kind for kind in all_kinds() if f"`{kind}`" not in text]
    assert not missing, f"docs/kinds.md does not name: {missing}"


def test_solve_scans_the_resolutions_when_position_embeddings_follow_them() -> None:
    network = _network(VIT)
    assert CompiledCost(network, TORCHVISION).params_follow_resolution(Fraction(1))
    assert not CompiledCost(_network(SWIN), TORCHVISION).params_follow_resolution(Fraction(1))
    # vit_b_16's weights at 367 px: 22² + 1 = 485 tokens, 288 more position embeddings of 768 than at 224;
    # at 368 px, 23² + 1 = 530 tokens: 45 more, past the budget
    out = ok("solve", "vit_b_16", "--max-params", f"{86_444_544 + 288 * 768}", "--vary", "resolution")
    assert "resolution = 367 px" in out and "86,665,728 params" in out


def test_a_learned_tensor_outside_any_module_is_parameters_only() -> None:
    spec = "input: {channels: 3, size: 8}\nlayers:\n  - conv: {kernel: 1, filters: 4}\n  - parameters: {count: 7}\n"
    evaluation = evaluate(_network(spec), convention=TORCHVISION)
    assert [(row.kind, row.mult_adds, row.params) for row in evaluation.layers][1] == ("parameters", 0, 7)
    assert evaluate(_network(spec), convention=CONVENTIONS["thop"]).params == 3 * 4  # thop sees modules only
