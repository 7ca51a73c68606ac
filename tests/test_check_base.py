"""``check --base REF`` and ``--format pr-comment`` (issue 18, item 5: size-limit's comparison with the base
branch and its pull-request comment), in a temporary git repository made by the test: a spec and a budgets
file committed, then the spec made wider and committed again, then ``check --base HEAD~1``.

The baseline computed at the ref is the one ``costcalc snapshot`` would have stored at that commit (a test
compares the two); hostile refs and paths never reach git as options, files at the ref are bounded like any
file, and every failure is a located error with exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from cli_helpers import TINY_SPEC, run
from sink_readers import check_markdown

BUDGETS = """\
checks:
  - spec: nets/tiny.yaml
    max_mult_adds: 500K
    max_params: 5K
    max_increase: 1%
    message: tiny_net must stay tiny
  - spec: mobilenet_v1
    max_params: 5M
"""


def git(*arguments: str) -> None:
    environment = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                   "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                   "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
                   "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    subprocess.run(["git", *arguments], check=True, capture_output=True, env=environment, timeout=60)


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits: the budgets file and tiny_net, then tiny_net with 72 filters instead of 64 (+16,464 Mult-Adds,
    +336 params: the pointwise conv and the classifier grow). A snapshot of the first is kept as base.json,
    untracked."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "tiny.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (tmp_path / "costcalc.yaml").write_text(BUDGETS, encoding="utf-8")
    git("init", "-q")
    git("add", "nets/tiny.yaml", "costcalc.yaml")
    git("commit", "-q", "-m", "tiny_net")
    assert run("snapshot", "-o", "base.json").exit_code == 0
    wider = TINY_SPEC.replace("filters: 64, stride: 2", "filters: 72, stride: 2")
    assert wider != TINY_SPEC
    (tmp_path / "nets" / "tiny.yaml").write_text(wider, encoding="utf-8")
    git("commit", "-q", "-a", "-m", "wider")
    return tmp_path


def test_check_base_measures_the_change_and_writes_a_pr_comment(repository: Path,
                                                                   snapshot: object) -> None:
    result = run("check", "--base", "HEAD~1", "--format", "pr-comment")
    assert result.exit_code == 1, (result.stdout, result.stderr)  # +3.84% Mult-Adds, +8.27% params: over 1%
    assert result.stderr == ""
    check_markdown(result.stdout)
    snapshot("check_base_pr_comment.md", result.stdout)  # type: ignore[operator]


def test_the_baseline_at_a_ref_is_the_snapshot_taken_there(repository: Path) -> None:
    from_ref = run("check", "--base", "HEAD~1", "--format", "json")
    stored = run("check", "--baseline", "base.json", "--format", "json")
    assert from_ref.exit_code == stored.exit_code == 1
    assert json.loads(from_ref.stdout) == json.loads(stored.stdout)
    tiny = [check for check in json.loads(from_ref.stdout)["checks"] if check["name"] == "tiny_net"]
    assert [(check["baseline"], check["delta"]) for check in tiny] == [(428_672, 16_464), (4_064, 336)]


def test_the_budgets_file_is_read_at_the_ref_too(repository: Path) -> None:
    """A spec renamed by the change: the base's budgets file names its old path, so it is still compared."""
    git("mv", "nets/tiny.yaml", "nets/small.yaml")
    (repository / "costcalc.yaml").write_text(BUDGETS.replace("nets/tiny.yaml", "nets/small.yaml"), encoding="utf-8")
    git("commit", "-q", "-a", "-m", "rename")
    data = json.loads(run("check", "--base", "HEAD~2", "--format", "json").stdout)
    assert [check["delta"] for check in data["checks"] if check["name"] == "tiny_net"] == [16_464, 336]
    added = run("check", "nets/small.yaml", "--max-params", "5K", "--base", "HEAD~2", "--format", "json")
    assert json.loads(added.stdout)["checks"][0]["baseline"] is None  # nets/small.yaml did not exist: no base


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-c", "HEAD..HEAD~1", "HEAD:costcalc.yaml", "a b", "x" * 201,
                                 "HEAD;true", "", "\x1b[2J"])
def test_a_ref_that_is_not_one_is_refused_before_git_runs(repository: Path, ref: str) -> None:
    result = run("check", "--base", ref)
    assert result.exit_code == 2
    assert "Invalid value for '--base'" in result.stderr and "Traceback" not in result.stderr


def test_refs_and_files_git_cannot_give_are_located_errors(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    unknown = run("check", "--base", "no-such-branch")
    assert (unknown.exit_code, unknown.stderr.split(": error")[0]) == (2, "no-such-branch")
    assert "error[E513]: is not a commit of this repository" in unknown.stderr
    outside = tmp_path_factory.mktemp("elsewhere") / "tiny.yaml"
    outside.write_text(TINY_SPEC, encoding="utf-8")
    refused = run("check", str(outside), "--max-params", "5K", "--base", "HEAD~1")
    assert refused.exit_code == 2 and "error[E514]: is outside the git repository" in refused.stderr
    (repository / "nets" / "huge.yaml").write_text(TINY_SPEC + "#" * (129 * 1024) + "\n", encoding="utf-8")
    git("add", "nets/huge.yaml")
    git("commit", "-q", "-m", "huge")
    (repository / "nets" / "huge.yaml").write_text(TINY_SPEC, encoding="utf-8")
    huge = run("check", "nets/huge.yaml", "--max-params", "5K", "--base", "HEAD")
    assert huge.exit_code == 2
    assert huge.stderr.startswith("HEAD:nets/huge.yaml: error[E514]: the file is larger than 128 KiB")
    assert run("check", "--base", "HEAD~1", "--baseline", "base.json").exit_code == 2  # one baseline or the other


def test_outside_a_repository_base_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run("check", "mobilenet_v1", "--max-params", "5M", "--base", "HEAD~1")
    assert result.exit_code == 2 and result.stderr.startswith("HEAD~1: error[E513]: fatal: not a git repository")


def test_the_pr_comment_escapes_every_name(repository: Path) -> None:
    """Names and messages from the files reach the comment as text: no cell, link, image, tag or line added
    (read by a real Markdown parser: tests/sink_readers.py)."""
    hostile = "tiny | `x` <img src=x> [a](http://x) ![i](http://x) **b** $m$\n# h"
    spec = TINY_SPEC.replace("name: tiny_net", f"name: {json.dumps(hostile)}")
    budgets = BUDGETS.replace("tiny_net must stay tiny", json.dumps("<script>|" + hostile)).replace("5K", "1K")
    (repository / "nets" / "tiny.yaml").write_text(spec.replace("filters: 64, stride: 2", "filters: 80, stride: 2"),
                                                   encoding="utf-8")
    (repository / "costcalc.yaml").write_text(budgets, encoding="utf-8")
    git("commit", "-q", "-a", "-m", "hostile")
    comment = run("check", "--base", "HEAD~1", "--format", "pr-comment")
    assert comment.exit_code == 1, comment.stderr
    check_markdown(comment.stdout)
    assert "> &lt;script>\\|tiny" in comment.stdout  # the message as text (the names: in code spans)


def test_the_pr_comment_with_a_stored_baseline_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No git needed: a baseline file names itself, and one of another configuration says which; with no
    baseline the comment shows the budgets alone."""
    monkeypatch.chdir(tmp_path)
    assert run("report", "mobilenet_v1", "--format", "json", "-o", "base.json").exit_code == 0
    grown = run("check", "mobilenet_v1", "--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%",
                "--format", "pr-comment")
    assert grown.exit_code == 1
    check_markdown(grown.stdout)
    assert "Compared with `base.json`" in grown.stdout
    assert "| ▲ | `mobilenet_v1` | α 1.1, 224 px, paper | Mult-Adds | 568,740,352 (α 1, 224 px) | 682,540,727 |" in grown.stdout
    alone = run("check", "mobilenet_v1", "--max-params", "5M", "--format", "pr-comment")
    assert alone.exit_code == 0 and "Compared with" not in alone.stdout
    assert "|  | `mobilenet_v1` | α 1, 224 px, paper | params | — | 4,209,088 | — | 5,000,000 | ✅ headroom" in alone.stdout
