"""PyTorch's and Keras's names of kinds and fields get a "did you mean" with costcalc's (issue 18, item 4): every
name points to a kind or field that exists, docs/kinds.md lists them all, and the error says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import ENV, bad_usage, run
from click.testing import CliRunner

from costcalc.cli import main

from costcalc.layers import KINDS, SHORTHANDS
from costcalc.layers.foreign_names import FIELD_NAMES, KIND_NAMES

DOCS = (Path(__file__).parent.parent / "docs" / "kinds.md").read_text(encoding="utf-8")


def test_every_name_points_to_a_kind_or_field_that_exists() -> None:
    fields = {field.name for kind in KINDS.values() for field in kind.fields}
    assert {kind for kind, _ in KIND_NAMES.values()} <= set(KINDS) | set(SHORTHANDS)
    assert {field for field, _ in FIELD_NAMES.values() if field} <= fields
    assert not set(FIELD_NAMES) & fields  # a name costcalc uses itself is not foreign


def test_the_docs_list_every_name() -> None:
    for name, (kind, _source) in KIND_NAMES.items():
        assert f"| `{name}` | `{kind}` |" in DOCS
    for name in FIELD_NAMES:
        assert f"| `{name}` |" in DOCS


def _spec(tmp_path: Path, layer: str) -> str:
    path = tmp_path / "net.yaml"
    path.write_text(f"version: 1\nname: x\ninput: {{channels: 3, size: 8}}\nlayers:\n  - {layer}\n")
    return str(path)


@pytest.mark.parametrize("layer, expected", [
    ("dense: {units: 10}", "unknown layer kind 'dense' (did you mean 'fc'? costcalc's fc is Keras Dense"),
    ("bn", "unknown layer kind 'bn' (did you mean 'batch_norm'?"),
    ("BatchNorm2d", "unknown layer kind 'BatchNorm2d' (did you mean 'batch_norm'?"),
    ("conv: {out_channels: 8, kernel: 3}", "unknown field 'out_channels' (did you mean 'filters'?"),
    ("conv: {filters: 8, kernel_size: 3}", "unknown field 'kernel_size' (did you mean 'kernel'?"),
    ("conv: {kernel: 3, filters: 8, in_channels: 3}", "'in_channels' (costcalc takes a layer's input channels"),
])
def test_a_framework_name_gets_costcalcs(tmp_path: Path, layer: str, expected: str) -> None:
    stderr = bad_usage("report", _spec(tmp_path, layer))
    assert expected in stderr
    assert "missing required field" not in stderr  # the field written under its other name is not missing too


PYTORCH_STYLE = """\
version: 1
name: pt
input: {channels: 3, size: 32}
layers:
  - conv: {kernel: 3, filters: 8, padding: 1}
  - conv: {kernel: 3, filters: 8}
  - conv: {kernel: 3, filters: 8, padding: 1}
  - global_avg_pool
  - fc: {units: 1000}
"""


def test_a_conv_left_to_pad_same_among_pytorch_paddings_gets_a_note(tmp_path: Path) -> None:
    (tmp_path / "pt.yaml").write_text(PYTORCH_STYLE)
    result = run("report", str(tmp_path / "pt.yaml"), "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"{tmp_path / 'pt.yaml'}:6:5: warning[W103]: conv has no padding")
    assert "W104" not in result.stderr  # at alpha 1 the classes are what the spec says


def test_a_classifier_that_scales_with_alpha_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "pt.yaml").write_text(PYTORCH_STYLE.replace("padding: 1", "padding: same"))
    result = run("report", str(tmp_path / "pt.yaml"), "--alpha", "0.5", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (f"{tmp_path / 'pt.yaml'}:9:5: warning[W104]: layer 'fc_1': the classifier's 1000 units "
                             "scale with alpha, as it is not marked fixed: write `fixed: true` to keep the classes\n")
    sweep = run("sweep", str(tmp_path / "pt.yaml"), "--alpha", "0.25,0.5,0.75", "--resolution", "32,64",
                "--max-peak-memory", "1GB", "--format", "csv")  # a memory budget: every point evaluated on its own
    assert sweep.stderr.count("W104") == 1  # said once, not once per alpha
    fixed = PYTORCH_STYLE.replace("padding: 1", "padding: same").replace("units: 1000", "units: 1000, fixed: true")
    (tmp_path / "pt.yaml").write_text(fixed)
    assert run("report", str(tmp_path / "pt.yaml"), "--alpha", "0.5", "--format", "json").stderr == ""


def _complete(words: str) -> list[str]:
    env = {**ENV, "_COSTCALC_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    result = CliRunner(env=env).invoke(main, [], prog_name="costcalc")
    return result.stdout.splitlines()


def test_shell_completion_offers_specs_devices_and_conventions() -> None:
    assert "plain,mobilenet_v1" in _complete("costcalc report mobilenet_v")
    assert "plain,efficientnet_b4" in _complete("costcalc compare mobilenet_v1 efficientnet_b")  # a variant
    assert "plain,pixel_6_cpu" in _complete("costcalc report --device pixel")
    assert {"plain,torchvision", "plain,thop"} <= set(_complete("costcalc explain --convention t"))
