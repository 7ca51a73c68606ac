"""Snapshot tests of ``costcalc check`` output (text, Markdown, GitHub workflow commands), golden files in
``tests/snapshots/`` (rewritten by ``pytest --update-snapshots``; read the diff before committing).

The scenario is a small budgets file with a baseline, as a user's CI would run it: a spec of the repository
and a bundled spec, ``costcalc snapshot`` taken, then the spec made wider. Everything runs inside ``tmp_path``
with relative paths, so no machine path reaches a snapshot. Between them the snapshots show a pass, a
failure over an absolute limit (annotated at the limit's line and column), failures by growth (annotated
at the check), the check's message, which layers changed, and the baseline's Δ columns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import TINY_SPEC, ok, run

Snapshot = Callable[[str, str], None]


BUDGETS = """\
baseline: baseline.json
checks:
  - spec: nets/tiny.yaml
    alpha: [1, 0.5]
    max_mult_adds: 1.5M
    max_params: 10K
    max_increase: 1%
    message: tiny_net must stay tiny
  - spec: mobilenet_v1_shallow
    max_mult_adds: 300M
    max_params: 2.9M
"""


@pytest.fixture
def grown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A budgets file and its baseline in the current folder, then the spec's last block widened 64 -> 96."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "tiny.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (tmp_path / "costcalc.yaml").write_text(BUDGETS, encoding="utf-8")
    result = run("snapshot")
    assert result.exit_code == 0 and result.stderr == "wrote baseline.json: 3 reports\n", result.stderr
    ok("check", "--format", "text", "--max-mult-adds", "400M")  # against its own baseline: no growth at all
    (tmp_path / "nets" / "tiny.yaml").write_text(TINY_SPEC.replace("filters: 64, stride: 2", "filters: 96, stride: 2"),
                                                 encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("output_format", "name"), [("text", "check_budgets.txt"), ("markdown", "check_budgets.md"),
                                                     ("github", "check_budgets_github.txt")])
def test_check_output(grown: Path, snapshot: Snapshot, output_format: str, name: str) -> None:
    result = run("check", "--format", output_format)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr == ""
    assert str(grown) not in result.stdout and "/tmp" not in result.stdout  # no machine path
    snapshot(name, result.stdout)


def test_check_output_passing(grown: Path, snapshot: Snapshot) -> None:
    """With --min-delta past every growth and the limits raised, the same scenario passes."""
    result = run("check", "--min-delta", "100K", "--max-mult-adds", "400M", "--format", "github")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "::error" not in result.stdout
    snapshot("check_budgets_github_passing.txt", result.stdout)
