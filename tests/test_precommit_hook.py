"""costcalc in other projects' pipelines (issue 5): the pre-commit hook and the composite GitHub Action.

The hook is installed for real: ``pre-commit try-repo <this repository> costcalc-check --all-files`` in a
throw-away git repository holding a spec and a costcalc.yaml, once with a budget that holds and once with
one that does not. try-repo clones this repository at HEAD (plus tracked, uncommitted changes: untracked
files are *not* included) and pip-installs costcalc from it into a fresh virtualenv, so these tests take
some seconds each and need PyPI (or a local index) for costcalc's dependencies.

PRE_COMMIT_HOME points to a folder of this module, shared by its tests, so the user's own pre-commit
cache is never touched. (try-repo keeps the environments it builds in a temporary store of its own, so
each run still builds the hook's virtualenv.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cli_helpers import TINY_SPEC

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds: try-repo builds a virtualenv and pip-installs costcalc and its dependencies



def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without git's per-repository variables (set when the suite runs inside a git hook)
    and without colour."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "PYTHONUTF8": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, **extra)
    env.pop("FORCE_COLOR", None)
    return env


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=_clean_env(), check=True, capture_output=True, text=True,
                   timeout=60)


needs_git = pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                               reason="pre-commit try-repo needs git and a git checkout of costcalc")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pre_commit", reason="pre-commit is in the [test] extra: pip install -e '.[test]'")
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(tmp_path: Path, max_mult_adds: str) -> Path:
    """A git repository with a spec and a costcalc.yaml, every file added (pre-commit sees only git's files)."""
    repository = tmp_path / "project"
    (repository / "nets").mkdir(parents=True)
    (repository / "nets" / "tiny.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (repository / "costcalc.yaml").write_text(
        f"checks:\n  - spec: nets/tiny.yaml\n    max_mult_adds: {max_mult_adds}\n    max_params: 10K\n"
        "    message: tiny_net must stay tiny\n", encoding="utf-8")
    _git(repository, "init", "-q")
    _git(repository, "config", "user.email", "tests@example.invalid")
    _git(repository, "config", "user.name", "costcalc tests")
    _git(repository, "config", "commit.gpgsign", "false")
    _git(repository, "add", "-A")
    return repository


def _try_repo(repository: Path, pre_commit_home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "costcalc-check", "--all-files", "--color",
         "never"],
        check=False, cwd=repository, env=_clean_env(PRE_COMMIT_HOME=str(pre_commit_home)), capture_output=True,
        encoding="utf-8", errors="replace", timeout=TIMEOUT)


@needs_git
def test_hook_passes_when_the_budget_holds(tmp_path: Path, pre_commit_home: Path) -> None:
    done = _try_repo(_project(tmp_path, "500K"), pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"^costcalc budget check\.+Passed$", output, re.MULTILINE), output
    assert "Failed" not in output


@needs_git
def test_hook_fails_when_a_budget_is_exceeded(tmp_path: Path, pre_commit_home: Path) -> None:
    done = _try_repo(_project(tmp_path, "400K"), pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "An unexpected error" not in output, output  # the hook ran and failed, pre-commit did not crash
    assert "Failed" in output
    assert "- hook id: costcalc-check" in output
    assert "- exit code: 1" in output
    assert re.search(r"tiny_net \(alpha 1, 32 px, paper\)\s+Mult-Adds\s+428,672\s+limit 400,000\s+"
                     r"over by 28\.7 K \(7\.2%\)\s+FAIL", output), output
    assert "tiny_net must stay tiny" in output
    assert "✗ 1 of 2 checks failed" in output


# --- the manifests ----------------------------------------------------------------------------------------------------


def test_pre_commit_hooks_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    (hook,) = [hook for hook in hooks if hook["id"] == "costcalc-check"]
    assert hook["entry"] == "costcalc check"
    assert hook["language"] == "python"  # installs this repository (and its dependencies) with pip
    assert hook["pass_filenames"] is False  # costcalc check reads costcalc.yaml, not the changed files
    assert hook["name"]
    files = re.compile(hook["files"])
    for name in ("costcalc.yaml", "nets/net.yml", "pyproject.toml", "baseline.json"):
        assert files.search(name), name
    assert not files.search("model.py")



def test_pre_commit_hooks_manifest_is_valid_for_pre_commit() -> None:
    pytest.importorskip("pre_commit")
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "costcalc-check"


def test_action_manifest() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    runs = [step for step in steps if "run" in step]
    assert all(step.get("shell") == "bash" for step in runs)  # a composite action's run steps need a shell
    install = next(step for step in runs if "pip install" in step["run"])
    assert "$GITHUB_ACTION_PATH" in install["run"]  # costcalc from the action's own checkout, at the same rev
    check = next(step for step in runs if re.search(r'costcalc"? check', step["run"]))
    assert re.search(r'costcalc"? check --format github \$COSTCALC_ARGS', check["run"])
    assert "set -f" in check["run"]  # the arguments are split at spaces but never glob-expanded
    assert "python3 -m venv" in install["run"]  # its own environment: the job's Python is left as it was
    assert not any("setup-python" in step.get("uses", "") for step in steps)
    assert steps.index(install) < steps.index(check)
    for step in runs:  # inputs reach the scripts through the environment: never pasted into them
        assert "${{" not in step["run"], step["run"]
    assert "inputs.args" in check["env"]["COSTCALC_ARGS"]
    assert "$COSTCALC_ARGS" in check["run"]
    assert set(action["inputs"]) >= {"args"}
    for name, spec in action["inputs"].items():
        assert spec.get("required") is False and "description" in spec, name
