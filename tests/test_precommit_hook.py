"""costcalc in other projects' pipelines (issue 5): the pre-commit hook and the composite GitHub Action.

The hook is installed for real, as a project that uses it would: a throw-away git repository holding a spec,
a costcalc.yaml and a ``.pre-commit-config.yaml`` that names this repository's hook, then ``pre-commit run
--all-files`` — once with a budget that holds and once with one that does not. The hook's repository is a
snapshot of this working tree (every file git tracks or would track, committed in a temporary repository, so
uncommitted changes and new modules are tested as they are). pre-commit pip-installs costcalc from it into a
virtualenv in PRE_COMMIT_HOME, a folder of the test session shared by both runs, whichever test processes
they run in: the snapshot is made once, under a file lock, and pre-commit's own lock on its store makes the
environment built once; the user's own pre-commit cache is never touched. Building it needs PyPI (or a local
index) for costcalc's dependencies.
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
TIMEOUT = 300  # seconds: a safety net; the first run builds a virtualenv and pip-installs costcalc



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
                               reason="the hook test needs git and a git checkout of costcalc")


def _session_folder(factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this test session that every test process shares (pytest-xdist gives each worker a
    temporary folder of its own, inside the session's)."""
    base = factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pre_commit", reason="pre-commit is in the [test] extra: pip install -e '.[test]'")
    home = _session_folder(tmp_path_factory, "pre-commit-home")
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as pre-commit would clone it: a repository of its files, committed; (path, rev).
    Made once per test session, under a lock, so that every test process names the same repository."""
    import fcntl

    snapshot = _session_folder(tmp_path_factory, "hook-repository")
    with open(f"{snapshot}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (snapshot / ".git").exists():
            _snapshot(snapshot)
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=snapshot, env=_clean_env(), check=True,
                             capture_output=True, text=True, timeout=60).stdout.strip()
    return snapshot, rev


def _snapshot(snapshot: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            env=_clean_env(), check=True, capture_output=True, timeout=60).stdout
    for name in filter(None, listed.decode("utf-8", "surrogateescape").split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet staged is listed too
            target = snapshot / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _init(snapshot)
    _git(snapshot, "commit", "-q", "-m", "snapshot of the working tree")


def _init(repository: Path) -> None:
    _git(repository, "init", "-q")
    _git(repository, "config", "user.email", "tests@example.invalid")
    _git(repository, "config", "user.name", "costcalc tests")
    _git(repository, "config", "commit.gpgsign", "false")
    _git(repository, "add", "-A")


def _project(tmp_path: Path, max_mult_adds: str, hook: tuple[Path, str]) -> Path:
    """A git repository with a spec, a costcalc.yaml and a pre-commit configuration that uses costcalc's hook,
    every file added (pre-commit sees only git's files)."""
    repository = tmp_path / "project"
    (repository / "nets").mkdir(parents=True)
    (repository / "nets" / "tiny.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (repository / "costcalc.yaml").write_text(
        f"checks:\n  - spec: nets/tiny.yaml\n    max_mult_adds: {max_mult_adds}\n    max_params: 10K\n"
        "    message: tiny_net must stay tiny\n", encoding="utf-8")
    (repository / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook[0]}\n    rev: {hook[1]}\n    hooks:\n      - id: costcalc-check\n", encoding="utf-8")
    _init(repository)
    return repository


def _run_hook(repository: Path, pre_commit_home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "costcalc-check", "--all-files", "--color", "never"],
        check=False, cwd=repository, env=_clean_env(PRE_COMMIT_HOME=str(pre_commit_home)), capture_output=True,
        encoding="utf-8", errors="replace", timeout=TIMEOUT)


@needs_git
def test_hook_passes_when_the_budget_holds(tmp_path: Path, pre_commit_home: Path,
                                           hook_repository: tuple[Path, str]) -> None:
    done = _run_hook(_project(tmp_path, "500K", hook_repository), pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"^costcalc budget check\.+Passed$", output, re.MULTILINE), output
    assert "Failed" not in output


@needs_git
def test_hook_fails_when_a_budget_is_exceeded(tmp_path: Path, pre_commit_home: Path,
                                              hook_repository: tuple[Path, str]) -> None:
    done = _run_hook(_project(tmp_path, "400K", hook_repository), pre_commit_home)
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
    assert set(action["inputs"]) >= {"args", "base", "pr-comment"}
    assert "inputs.base" in check["env"]["COSTCALC_BASE"] and '--base "$COSTCALC_BASE"' in check["run"]
    comment = next(step for step in runs if "--format pr-comment" in step["run"])
    assert steps.index(check) < steps.index(comment) and comment["if"].startswith("always()")  # after a failure too
    assert "--report-only" in comment["run"] and '> "$COSTCALC_COMMENT"' in comment["run"]
    assert "inputs.pr-comment" in comment["env"]["COSTCALC_COMMENT"] and "set -f" in comment["run"]
    for name, spec in action["inputs"].items():
        assert spec.get("required") is False and "description" in spec, name
