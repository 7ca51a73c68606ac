"""Nothing lost (issue 6, item 5): "Every file costcalc writes (reports, baselines, exports) is written
atomically: an interrupted or failed run leaves the previous file intact; a failed run writes nothing. Tested
by killing a write mid-way."

costcalc writes files in two places: ``-o FILE`` (every command that has it: ``WRITERS``; every format, the
SVG and HTML exports included) and ``snapshot``'s default target (the budgets file's ``baseline``), all through
``costcalc.cli.output.write_atomic`` (a hidden ``.costcalc-*.tmp`` file in the same folder, fsync, rename; a
symbolic link is followed, and a FIFO or device such as /dev/stdout is written to directly); and
``check --format github`` appends to ``$GITHUB_STEP_SUMMARY`` (the runner's file, appended to as GitHub asks).
``solve`` and ``check`` have no ``-o``.

- ``test_killed_mid_write_*``: a real ``python -m costcalc``-style subprocess, made to pause half-way through
  writing the temporary file (or just before the rename), is killed: the previous file is intact byte for
  byte, and was so all along for a reader. After SIGKILL the hidden temporary file stays behind (no process
  can clean up after SIGKILL); after SIGTERM (turned into a clean exit) and SIGINT it is removed.
- ``test_failed_run_*``: bad input (exit 2), a usage error, an internal error (exit 3) with ``-o``: the
  previous file untouched, no file created when there was none.
- ``test_write_failure_*``: the write itself fails (disk full at write or fsync, rename refused, no such
  folder): the previous file intact, no temporary file left, ``FILE: error[...]: cannot write: ...``, exit 2.
- ``test_every_output_is_atomic``: every command with ``-o``, in every format, writes only by renaming a
  temporary file from the same folder over the target (an audit hook sees every open and rename), and keeps
  the replaced file's mode. ``test_the_commands_with_an_output_option`` fails when a command gains ``-o``
  without being added here.
- special targets (a symbolic link, a FIFO) and ``$GITHUB_STEP_SUMMARY`` (appended to; untouched by a failed
  check; a clean error when it cannot be written).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import click
import pytest
from cli_helpers import ENV, TINY_SPEC, run

from costcalc.cli import main

OUT = "out.json"
OLD = b'{"previous": "content", "kept": true}\n'
TEMP = re.compile(r"^\.costcalc-.+\.tmp$")
BAD_SPEC = "version: 1\ninput: {channels: 3, size: 32}\nlayers:\n  - conv: {kernel: 3, filters: -1}\n"
BUDGETS = """\
baseline: baseline.json
checks:
  - spec: net.yaml
    alpha: [1, 0.5]
    max_params: 10K
  - spec: mobilenet_v1
    max_mult_adds: 600M
"""
BAD_BUDGETS = BUDGETS.replace("spec: net.yaml", "spec: bad.yaml")
# Four of the bundled Pixel 3 measurements (costcalc/devices/measurements/): enough to fit, quick to fit.
MEASURED = """\
model,alpha,resolution,depth_multiplier,dtype,batch,latency_ms
mobilenet_v1,0.25,128,1,fp32,1,1.2
mobilenet_v1,0.25,160,1,fp32,1,1.7
mobilenet_v1,0.25,192,1,fp32,1,2.4
mobilenet_v1,0.25,224,1,fp32,1,3.3
"""

FORMATS = ("json", "csv", "markdown", "table", "svg", "html")

# Every way of writing a file with -o, by command (the file is always OUT).
WRITERS: dict[str, list[tuple[str, ...]]] = {
    "report": [("report", "net.yaml", "--format", fmt, "-o", OUT) for fmt in FORMATS],
    "sweep": [("sweep", "net.yaml", "--alpha", "0.5,1", "--resolution", "16,32", "--format", fmt, "-o", OUT)
              for fmt in FORMATS],
    "compare": [("compare", "net.yaml", "mobilenet_v1", "--format", fmt, "-o", OUT) for fmt in FORMATS],
    "snapshot": [("snapshot", "--config", "costcalc.yaml", "-o", OUT)],
    "explain": [("explain", "net.yaml", "--convention", "ptflops", "--format", fmt, "-o", OUT)
                for fmt in ("text", "markdown", "json")],
    "import": [("import", str(Path(__file__).parent / "fixtures" / "onnx" / "squeezenet1_1.onnx"), "-o", OUT)],
    "export": [("export", "net.yaml", "-o", OUT, "--weights", "none")],
    "calibrate": [("calibrate", "--measurements", "measured.csv", "-o", OUT)],
}
# The same commands failing on bad input (exit 2).
FAILING: dict[str, tuple[str, ...]] = {
    "report": ("report", "bad.yaml", "--format", "json", "-o", OUT),
    "sweep": ("sweep", "bad.yaml", "--format", "json", "-o", OUT),
    "compare": ("compare", "net.yaml", "bad.yaml", "--format", "json", "-o", OUT),
    "snapshot": ("snapshot", "--config", "bad_budgets.yaml", "-o", OUT),
    "explain": ("explain", "bad.yaml", "--convention", "ptflops", "-o", OUT),
    "import": ("import", "bad.onnx", "-o", OUT),
    "export": ("export", "bad.yaml", "-o", OUT),
    "calibrate": ("calibrate", "--measurements", "bad.yaml", "-o", OUT),
}
MESSAGE = {"import": "bad.onnx: error[E571]", "calibrate": "bad.yaml:1:1: error[E540]"}  # what a failing run says, where it is not bad.yaml's error


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD_SPEC, encoding="utf-8")
    (tmp_path / "costcalc.yaml").write_text(BUDGETS, encoding="utf-8")
    (tmp_path / "bad_budgets.yaml").write_text(BAD_BUDGETS, encoding="utf-8")
    (tmp_path / "bad.onnx").write_bytes(b"\x3a\x7f not an ONNX model")
    (tmp_path / "measured.csv").write_text(MEASURED, encoding="utf-8")
    return tmp_path


def listing(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir())


def temporaries(path: Path) -> list[str]:
    return [name for name in listing(path) if TEMP.match(name)]


def snapshot_of(path: Path) -> tuple[bytes, int, int, int]:
    """A file's bytes, inode, mode and mtime: 'untouched' means all four unchanged."""
    info = path.stat()
    return path.read_bytes(), info.st_ino, info.st_mode, info.st_mtime_ns


def params(table: dict[str, list[tuple[str, ...]]]) -> list[Any]:
    return [pytest.param(args, id=f"{name}-{args[args.index('--format') + 1] if '--format' in args else 'baseline'}")
            for name, invocations in table.items() for args in invocations]


# --- which commands write files ---------------------------------------------------------------------------


def test_the_commands_with_an_output_option() -> None:
    """Every command with -o is covered by WRITERS (so by every test here); solve and check print only."""
    context = click.Context(main)  # commands are imported on demand (costcalc.cli.app.CommandsOnDemand)
    commands = {name: main.get_command(context, name) for name in main.list_commands(context)}
    with_output = {name for name, command in commands.items()
                   if command is not None and any(param.name == "output" for param in command.params)}
    assert with_output == set(WRITERS), "a command gained or lost -o: add it to WRITERS and FAILING"
    assert set(FAILING) == set(WRITERS)


# --- every -o goes through the atomic path ----------------------------------------------------------------


_watching: list[tuple[str, tuple[Any, ...]]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching is not None and event in ("open", "os.rename", "os.remove", "os.truncate", "os.chmod"):
        _watching.append((event, args))


sys.addaudithook(_audit)  # permanent for the process, idle unless a test is watching


@pytest.fixture
def file_events() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    global _watching
    _watching = []
    try:
        yield _watching
    finally:
        _watching = None


WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _writes_to(events: list[tuple[str, tuple[Any, ...]]], target: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The opens of ``target`` for writing."""
    found = []
    for event, args in events:
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.fsdecode(args[0])
            mode, flags = args[1], args[2]
            writing = (mode is not None and any(c in mode for c in "wax+")) or bool(flags & WRITE_FLAGS)
            if writing and os.path.abspath(path) == target:
                found.append((event, args))
    return found


@pytest.mark.parametrize("args", params(WRITERS))
@pytest.mark.parametrize("existing_mode", [None, 0o600, 0o640, 0o755])
def test_every_output_is_atomic(args: tuple[str, ...], existing_mode: int | None, folder: Path,
                                file_events: list[tuple[str, tuple[Any, ...]]]) -> None:
    target = str(folder / OUT)
    if existing_mode is not None:
        (folder / OUT).write_bytes(OLD)
        os.chmod(target, existing_mode)
    before = set(listing(folder)) | {OUT}
    umask = os.umask(0o022)
    file_events.clear()  # only costcalc's own
    try:
        result = run(*args)
    finally:
        os.umask(umask)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    written = (folder / OUT).read_bytes()
    assert written != OLD and (written.endswith(b"\n") or args[0] == "export")  # an ONNX model is binary
    if "json" in args or args[0] == "snapshot":
        json.loads(written)
    # the file's mode: the replaced file's, else what a new file gets under the umask
    expected_mode = existing_mode if existing_mode is not None else 0o644
    assert stat.S_IMODE(os.stat(target).st_mode) == expected_mode
    assert set(listing(folder)) == before, "a temporary file was left behind, or another file written"
    # how: never by opening the target for writing; one rename onto it, from a hidden temporary beside it
    assert _writes_to(file_events, target) == [], "the target was opened for writing: not atomic"
    renames = [event_args for event, event_args in file_events if event == "os.rename"]
    onto = [(os.fsdecode(src), os.fsdecode(dst)) for src, dst, *_ in renames
            if os.path.abspath(os.fsdecode(dst)) == target]
    assert len(onto) == 1, renames
    source = onto[0][0]
    assert os.path.dirname(os.path.abspath(source)) == str(folder), "the temporary file must be in the same folder"
    assert TEMP.match(os.path.basename(source)), source


def test_snapshot_to_the_budgets_files_baseline_is_atomic(folder: Path,
                                                          file_events: list[tuple[str, tuple[Any, ...]]]) -> None:
    """``snapshot`` without -o writes the budgets file's ``baseline`` (next to it), the same way."""
    (folder / "baseline.json").write_bytes(OLD)
    os.chmod(folder / "baseline.json", 0o640)
    file_events.clear()
    result = run("snapshot")
    assert result.exit_code == 0, result.stderr
    target = str(folder / "baseline.json")
    assert json.loads((folder / "baseline.json").read_bytes())["costcalc_baseline"] == 1
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert _writes_to(file_events, target) == []
    assert [os.path.abspath(os.fsdecode(a[1])) for e, a in file_events if e == "os.rename"] == [target]
    assert temporaries(folder) == []


# --- a failed run writes nothing --------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(FAILING))
@pytest.mark.parametrize("existing", [True, False], ids=["existing", "absent"])
def test_failed_run_writes_nothing(command: str, existing: bool, folder: Path) -> None:
    if existing:
        (folder / OUT).write_bytes(OLD)
        before = snapshot_of(folder / OUT)
    names = listing(folder)
    result = run(*FAILING[command])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert MESSAGE.get(command, "bad.yaml:4:") in result.stderr  # the input's error, not the output's
    assert listing(folder) == names  # nothing created, no temporary file
    if existing:
        assert snapshot_of(folder / OUT) == before


def test_failed_run_with_a_usage_error_writes_nothing(folder: Path) -> None:
    (folder / OUT).write_bytes(OLD)
    before = snapshot_of(folder / OUT)
    result = run("report", "net.yaml", "--rho", "1", "--resolution", "32", "--format", "json", "-o", OUT)
    assert result.exit_code == 2
    assert snapshot_of(folder / OUT) == before
    assert temporaries(folder) == []


def test_failed_run_with_an_internal_error_writes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug while rendering (exit 3) must not leave a half-made file either."""
    from costcalc.render import report_formats as json_report

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("simulated bug in a renderer")

    monkeypatch.setattr(json_report, "to_json", broken)
    (folder / OUT).write_bytes(OLD)
    before = snapshot_of(folder / OUT)
    result = run("report", "net.yaml", "--format", "json", "-o", OUT)
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert snapshot_of(folder / OUT) == before
    assert temporaries(folder) == []


# --- the write itself fails -------------------------------------------------------------------------------


CANNOT_WRITE = re.compile(r"^out\.json: error(\[E[0-9]+\])?: cannot write: (?P<reason>.+)\n$")


class _FailingFile:
    """A file whose write puts half the text down, then fails as a full disk does."""

    def __init__(self, handle: Any):
        self._handle = handle

    def write(self, text: str) -> int:
        self._handle.write(text[: len(text) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def _fail_at(stage: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the given step of writing fail; the strerror costcalc should report."""
    if stage == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: _FailingFile(real_fdopen(*a, **k)))
        return os.strerror(errno.ENOSPC)
    if stage == "fsync":
        def fsync(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", fsync)
        return os.strerror(errno.ENOSPC)
    if stage == "rename":
        def replace(src: Any, dst: Any, **kwargs: Any) -> None:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "rename", replace)
        return os.strerror(errno.EACCES)
    raise AssertionError(stage)


@pytest.mark.parametrize("args", [pytest.param(invocations[0], id=name) for name, invocations in WRITERS.items()]
                         + [pytest.param(WRITERS["report"][4], id="report-svg")])
@pytest.mark.parametrize("stage", ["write", "fsync", "rename"])
@pytest.mark.parametrize("existing", [True, False], ids=["existing", "absent"])
def test_write_failure_keeps_the_previous_file(args: tuple[str, ...], stage: str, existing: bool, folder: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if existing:
        (folder / OUT).write_bytes(OLD)
        before = snapshot_of(folder / OUT)
    names = listing(folder)
    reason = _fail_at(stage, monkeypatch)
    result = run(*args)
    monkeypatch.undo()
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.stdout == ""
    match = CANNOT_WRITE.match(result.stderr)
    assert match, result.stderr
    assert match.group("reason") == reason
    assert "Traceback" not in result.stderr
    assert listing(folder) == names, "the temporary file must be removed, and nothing created"
    if existing:
        assert snapshot_of(folder / OUT) == before


def test_write_failure_into_a_missing_folder(folder: Path) -> None:
    result = run("report", "net.yaml", "--format", "json", "-o", "no/such/folder/out.json")
    assert result.exit_code == 2
    assert re.match(r"^no/such/folder/out\.json: error(\[E[0-9]+\])?: cannot write: No such file or directory\n$",
                    result.stderr), result.stderr
    assert not (folder / "no").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_write_failure_into_a_read_only_folder(folder: Path) -> None:
    locked = folder / "locked"
    locked.mkdir()
    (locked / OUT).write_bytes(OLD)
    locked.chmod(0o555)
    try:
        result = run("report", "net.yaml", "--format", "json", "-o", f"locked/{OUT}")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2
    assert re.match(r"^locked/out\.json: error(\[E[0-9]+\])?: cannot write: Permission denied\n$", result.stderr)
    assert (locked / OUT).read_bytes() == OLD
    assert listing(locked) == [OUT]


# --- killed mid-write -------------------------------------------------------------------------------------

# Runs the CLI as `python -m costcalc` would, but pauses at one step of writing the output file: writes a byte to
# the pipe whose write end is file descriptor argv[1] and sleeps, so that the test, blocked on the pipe's read end
# (no clock), can look at the folder and kill the process there.
#   write:  half the text written to the temporary file (and flushed to it), the other half not yet;
#   rename: the temporary file complete and fsynced, not yet renamed over the target (an audit hook on the
#           rename, so this stage does not depend on how the file is written).
PAUSING_RUNNER = textwrap.dedent("""\
    import os, sys, time

    paused, stage, target = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    def pause():
        os.write(paused, b"p")
        time.sleep(120)

    if stage == "write":
        real_fdopen = os.fdopen

        class Slow:
            def __init__(self, handle):
                self._handle = handle
            def write(self, text):
                half = len(text) // 2
                self._handle.write(text[:half])
                self._handle.flush()
                pause()
                return self._handle.write(text[half:])
            def __getattr__(self, name):
                return getattr(self._handle, name)
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                self._handle.close()

        os.fdopen = lambda *args, **kwargs: Slow(real_fdopen(*args, **kwargs))
    elif stage == "rename":
        def hook(event, args):
            if event == "os.rename" and os.path.basename(os.fsdecode(args[1])) == target:
                pause()
        sys.addaudithook(hook)

    sys.argv = ["costcalc"] + sys.argv[4:]
    from costcalc.cli import run
    run()
""")


def _start_paused(folder: Path, stage: str, args: tuple[str, ...], target: str = OUT) -> subprocess.Popen[bytes]:
    env = {**os.environ, **{key: value for key, value in ENV.items() if value is not None}}
    read_end, write_end = os.pipe()
    process = subprocess.Popen([sys.executable, "-c", PAUSING_RUNNER, str(write_end), stage, target, *args],
                               cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_end,))
    os.close(write_end)
    try:
        paused = os.read(read_end, 1)  # b"" when the run ended without pausing: every write end is closed
    finally:
        os.close(read_end)
    if not paused:
        out, err = process.communicate()
        pytest.fail(f"the run ended (exit {process.returncode}) before pausing at {stage!r}: the write path "
                    f"changed? stdout={out[:500]!r} stderr={err[-2000:]!r}")
    return process


KILLED = [pytest.param(("report", "net.yaml", "--format", "json", "-o", OUT), id="report-json"),
          pytest.param(("report", "net.yaml", "--format", "svg", "-o", OUT), id="report-svg"),
          pytest.param(("sweep", "net.yaml", "--alpha", "0.5,1", "--resolution", "16,32", "--format", "csv", "-o", OUT),
                       id="sweep-csv"),
          pytest.param(("snapshot", "-o", OUT), id="snapshot")]


@pytest.mark.parametrize("args", KILLED)
@pytest.mark.parametrize("stage", ["write", "rename"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_mid_write_keeps_the_previous_file(args: tuple[str, ...], stage: str, sig: int, folder: Path) -> None:
    (folder / OUT).write_bytes(OLD)
    os.chmod(folder / OUT, 0o640)
    before = snapshot_of(folder / OUT)
    names = listing(folder)
    process = _start_paused(folder, stage, args)
    try:
        # while paused: a reader sees the previous file whole, and the new text is in a hidden temporary file
        assert snapshot_of(folder / OUT) == before
        pending = temporaries(folder)
        assert len(pending) == 1, listing(folder)
        partial = (folder / pending[0]).read_bytes()
        assert partial and partial != OLD
        if stage == "rename" and "json" in args:
            json.loads(partial)  # complete before the rename
    finally:
        process.send_signal(sig)
        _, err = process.communicate()
    assert snapshot_of(folder / OUT) == before, "the previous file was damaged by a killed run"
    if sig == signal.SIGTERM:
        # costcalc turns SIGTERM (a cancelled CI job) into a clean exit: the temporary file is removed.
        assert process.returncode == 128 + signal.SIGTERM, (process.returncode, err)
        assert b"Traceback" not in err, err
        assert set(listing(folder)) == set(names)
    else:
        # No process can clean up after SIGKILL: the hidden temporary file stays behind (and a later run does
        # not remove it). Nothing else is left.
        assert process.returncode == -sig, (process.returncode, err)
        assert temporaries(folder) == pending
        assert set(listing(folder)) == set(names) | set(pending)
    # a later run replaces the file as usual
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert (folder / OUT).read_bytes() != OLD
    assert stat.S_IMODE(os.stat(folder / OUT).st_mode) == 0o640


@pytest.mark.parametrize("stage", ["write", "rename"])
def test_interrupted_mid_write_cleans_up(stage: str, folder: Path) -> None:
    """Ctrl-C (SIGINT) mid-write: the previous file intact and the temporary file removed."""
    (folder / OUT).write_bytes(OLD)
    before = snapshot_of(folder / OUT)
    names = listing(folder)
    process = _start_paused(folder, stage, ("report", "net.yaml", "--format", "json", "-o", OUT))
    process.send_signal(signal.SIGINT)
    _, err = process.communicate()
    assert process.returncode != 0
    assert b"Traceback" not in err, err
    assert snapshot_of(folder / OUT) == before
    assert listing(folder) == names, "the temporary file must be removed on an interrupt"


# --- special targets --------------------------------------------------------------------------------------


def test_output_through_a_symlink_updates_the_file_it_points_to(folder: Path) -> None:
    (folder / "real.json").write_bytes(OLD)
    (folder / OUT).symlink_to("real.json")
    result = run("report", "net.yaml", "--format", "json", "-o", OUT)
    assert result.exit_code == 0
    assert (folder / OUT).is_symlink()
    assert json.loads((folder / "real.json").read_bytes())["totals"]


def test_output_to_a_fifo_writes_into_it(folder: Path) -> None:
    import threading

    fifo = folder / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        result = run("report", "net.yaml", "--format", "json", "-o", "pipe")
        assert result.exit_code == 0, result.stderr
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a regular file"
        reader.join()  # the write is done: the reader has its end of file
        assert received and json.loads(received[0])["totals"]
    finally:
        if reader.is_alive():  # unblock the reader: open the FIFO's write end once
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if stat.S_ISFIFO(os.stat(fifo).st_mode) else None
            if fd is not None:
                os.close(fd)
            reader.join(timeout=5)


# --- $GITHUB_STEP_SUMMARY (check --format github) ---------------------------------------------------------


def test_step_summary_is_appended_to_and_keeps_what_was_there(folder: Path) -> None:
    summary = folder / "summary.md"
    summary.write_bytes(b"# earlier step\n")
    result = run("check", "net.yaml", "--max-params", "10K", "--format", "github",
                 env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0, result.stderr
    text = summary.read_bytes()
    assert text.startswith(b"# earlier step\n") and len(text) > len(b"# earlier step\n")
    assert temporaries(folder) == []


def test_step_summary_untouched_by_a_failed_check(folder: Path) -> None:
    summary = folder / "summary.md"
    summary.write_bytes(b"# earlier step\n")
    before = snapshot_of(summary)
    result = run("check", "bad.yaml", "--max-params", "10K", "--format", "github",
                 env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 2
    assert snapshot_of(summary) == before


@pytest.mark.parametrize("limit", ["10K", "1K"])
@pytest.mark.parametrize("where", ["missing-folder", "directory"])
def test_step_summary_that_cannot_be_written_is_a_warning(where: str, limit: str, folder: Path) -> None:
    """The runner's file is not the check's verdict: a summary costcalc cannot write is a warning (W101), and the
    exit code is the check's own (0 within the budget, 1 over it), never 2 (docs/budgets.md)."""
    path = folder / "no" / "summary.md" if where == "missing-folder" else folder
    result = run("check", "net.yaml", "--max-params", limit, "--format", "github",
                 env={"GITHUB_STEP_SUMMARY": str(path)})
    assert result.exit_code == (0 if limit == "10K" else 1), (result.exit_code, result.stderr)
    assert re.fullmatch(re.escape(str(path)) + r": warning\[W101\]: the job summary \(\$GITHUB_STEP_SUMMARY\) is not "
                        r"written \(cannot write: [^)]+\); the check's result stands\n", result.stderr), result.stderr
    assert "params" in result.stdout and ("::error" in result.stdout) == (limit == "1K")  # the report is written
