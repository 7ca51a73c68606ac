"""ONNX import (docs/onnx.md): real exports of torchvision's models count as the zoo's specs and as the PyTorch
models they came from, exactly, at every size they were exported for.

Source of the figures: ``tests/reference/onnx_fixtures.yaml``, made with the fixtures in ``tests/fixtures/onnx/``
by ``tests/reference/scripts/onnx_fixtures.py`` (torch 2.14.1, torchvision 0.29.1, onnx 1.23.2; its header
says how: ``num_params`` is ``sum(p.numel())`` of the PyTorch model, ``mult_adds`` FlopCounterMode's flops / 2
for one image). The tests load that file and need neither torch nor the network.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from cli_helpers import run

from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.exact import evaluate, rho_for_resolution
from costcalc.spec.build import Network
from costcalc.spec.loading import load_network

pytest.importorskip("onnx")

FIXTURES = Path(__file__).parent / "fixtures" / "onnx"
REFERENCE = yaml.safe_load((Path(__file__).parent / "reference" / "onnx_fixtures.yaml").read_text(encoding="utf-8"))
MODELS = REFERENCE["models"]
TRANSFORMERS = REFERENCE["transformers"]  # issue 14: not zoo models; their PyTorch figures only
ZOO = [name for name in MODELS if name != "resnet18_fused"]
_networks: dict[str, Network] = {}


def network(name: str) -> Network:
    if name not in _networks:
        _networks[name] = load_network(str(FIXTURES / MODELS[name]["file"]))
    return _networks[name]


def totals(net: Network, size: int, convention: object = TORCHVISION) -> tuple[int, int]:
    evaluation = evaluate(net, Fraction(1), rho_for_resolution(net.spec, size), convention)  # type: ignore[arg-type]
    return evaluation.mult_adds, evaluation.params


def test_the_fixtures_are_many_and_small() -> None:
    files = sorted(FIXTURES.glob("*.onnx"))
    assert len(ZOO) >= 15 and len(files) == len(MODELS) + len(TRANSFORMERS)
    assert sum(path.stat().st_size for path in files) < 5 * 2**20
    assert sum(1 for figures in MODELS.values() if figures["dynamic"]) >= 10


@pytest.mark.parametrize("name", ZOO)
def test_an_export_counts_as_the_model_and_the_zoo_spec(name: str) -> None:
    figures = MODELS[name]
    imported = network(name)
    zoo = load_network(name)
    for size, mult_adds in figures["mult_adds"].items():
        assert totals(imported, size) == (mult_adds, figures["num_params"]), (name, size)
        assert totals(imported, size) == totals(zoo, size), (name, size)
    assert totals(imported, 224, PAPER) == totals(zoo, 224, PAPER)


# What each transformer fixture imports as (docs/onnx.md, "What maps to what").
TRANSFORMER_ENTRIES = {
    "vit_tiny": ["- tokens", "- class_token", "- position_embedding", "- select_token",
                 "- attention: {heads: 4, qkv_bias: true, proj_bias: true}"],
    "swin_tiny": ["window_attention: {window: 4, heads: 2, shift: false, position_bias: table",
                  "window_attention: {window: 4, heads: 2, shift: true, position_bias: table",
                  "- patch_merging: {norm: pre}", "- linear: {units: 128, bias: true}"],
    "swin_v2_tiny": ["window_attention: {window: 4, heads: 2, shift: true, position_bias: mlp, cosine: true",
                     "- patch_merging: {norm: post}"],
}


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_a_transformer_from_pytorch_counts_as_the_model(name: str) -> None:
    """A ViT (nn.MultiheadAttention), a Swin (shifted windows, relative-position tables, patch merging) and a
    Swin V2 (cosine attention, the bias MLP, the norm after the reduction) as torch.onnx.export writes them
    import as costcalc's kinds, and count as FlopCounterMode and num_params count
    the PyTorch model (tests/reference/onnx_fixtures.yaml, "transformers")."""
    figures = TRANSFORMERS[name]
    imported = load_network(str(FIXTURES / figures["file"]))
    for size, mult_adds in figures["mult_adds"].items():
        assert totals(imported, size) == (mult_adds, figures["num_params"]), (name, size)
    text = run("import", str(FIXTURES / figures["file"])).stdout
    for entry in TRANSFORMER_ENTRIES[name]:
        assert entry in text, entry


def test_a_fused_export_imports_as_what_it_is() -> None:
    """Constant folding puts each batch norm into the convolution before it: the same Mult-Adds, and one bias per
    channel where the batch norm had gamma and beta (docs/onnx.md, "Fused exports")."""
    fused, unfused = network("resnet18_fused"), network("resnet18")
    assert totals(fused, 224) == (MODELS["resnet18_fused"]["mult_adds"][224], MODELS["resnet18_fused"]["num_params"])
    unfused_rows = evaluate(unfused, convention=TORCHVISION).layers
    bn_channels = sum(row.output_shape.channels for row in unfused_rows if row.kind == "batch_norm")
    assert totals(fused, 224)[1] == totals(unfused, 224)[1] - bn_channels
    assert totals(fused, 224)[0] == totals(unfused, 224)[0]
    assert not [row for row in evaluate(fused).layers if row.kind == "batch_norm"]


def test_import_then_report_is_report_of_the_file(tmp_path: Path) -> None:
    model = str(FIXTURES / "mobilenet_v3_small.onnx")
    spec = tmp_path / "imported.yaml"
    result = run("import", model, "-o", str(spec))
    assert result.exit_code == 0, result.stderr
    text = spec.read_text(encoding="utf-8")
    assert "squeeze_excite: {squeeze: 8, activation: relu, gate: hard_sigmoid}" in text
    assert "# onnx: /features/features.0/features.0.0/Conv (#" in text
    args = ("--format", "json", "--convention", "torchvision", "--resolution", "160", "--alpha", "0.75")
    from_file = json.loads(run("report", model, *args).stdout)
    from_spec = json.loads(run("report", str(spec), *args).stdout)
    for key in ("totals", "by_kind", "layers", "resolution"):
        assert from_file[key] == from_spec[key], key


def test_the_imported_spec_is_parametric() -> None:
    """Symbolic height and width are the spec's input size; channels scale with alpha, the classes do not."""
    text = run("import", str(FIXTURES / "resnet18.onnx")).stdout
    assert "input: {channels: 3, size: 224}" in text
    assert "Height and width are symbolic in the file ('height', 'width')" in text
    assert "fc: {units: 1000, bias: true, fixed: true}" in text
    assert "- repeat: 2" not in text or "residual" in text
    half = evaluate(network("resnet18"), Fraction(1, 2), convention=TORCHVISION)
    assert half.layers[-1].output_shape.channels == 1000
    assert half.layers[0].output_shape.channels == 32
    sized = run("import", str(FIXTURES / "resnet18.onnx"), "--size", "160").stdout
    assert "input: {channels: 3, size: 160}" in sized


def test_repeated_blocks_are_written_once() -> None:
    text = run("import", str(FIXTURES / "resnet50.onnx")).stdout
    assert "- repeat: 5" in text  # layer3.1 to layer3.5
    assert text.count("- residual:") == 16 - 2 - 1 - 4 - 1  # 16 blocks, the runs of 2, 3, 5 and 2 written once


def test_report_check_and_compare_take_an_onnx_file(tmp_path: Path) -> None:
    """docs/onnx.md's budgets block, on SqueezeNet 1.1's export as models/classifier.onnx."""
    model = FIXTURES / "squeezenet1_1.onnx"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "classifier.onnx").write_bytes(model.read_bytes())
    doc = (Path(__file__).parent.parent / "docs" / "onnx.md").read_text(encoding="utf-8")
    block = doc.split("```yaml budgets\n", 1)[1].split("```", 1)[0]
    (tmp_path / "costcalc.yaml").write_text(block, encoding="utf-8")
    result = run("check", "--config", str(tmp_path / "costcalc.yaml"))
    assert result.exit_code == 0, result.output
    over = run("check", str(model), "--max-mult-adds", "300M", "--convention", "torchvision")
    assert over.exit_code == 1
    compared = run("compare", str(model), "squeezenet1_1", "--format", "json", "--convention", "torchvision")
    assert compared.exit_code == 0, compared.stderr
    assert '"mult_adds": 349151936' in compared.stdout
    swept = run("sweep", str(model), "--alpha", "0.5,1", "--resolution", "160,224", "--format", "json")
    assert swept.exit_code == 0, swept.stderr
    solved = run("solve", str(model), "--max-mult-adds", "200M")
    assert solved.exit_code == 0, solved.stderr
