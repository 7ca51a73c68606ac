"""How the ``costcalc`` process ends (``costcalc.cli.app.finish``): it skips the interpreter's teardown for
start-up's sake (issue 17), so these check that nothing a normal exit does is lost: every byte of stdout, even
past a pipe's buffer; the exit status of each outcome; ``atexit`` handlers (a library's clean-up, coverage's
data); and ``SystemExit``'s text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AT_EXIT = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
sys.argv = ["costcalc", *sys.argv[1:]]
from costcalc.cli import run
run()
print("not reached", file=sys.stderr)
"""


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "PYTHONSTARTUP")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", AT_EXIT, *args], capture_output=True, text=True, encoding="utf-8",
                          env=_env(), cwd=cwd, timeout=120)


@pytest.mark.parametrize(("args", "status"), [
    (("report", "--format", "json"), 0),
    (("--help",), 0),
    (("report", "no_such_spec"), 2),
    (("report", "--alpha", "two"), 2),
])
def test_each_outcome_keeps_its_status_and_runs_the_exit_handlers(args: tuple[str, ...], status: int) -> None:
    done = _run(*args)
    assert done.returncode == status, done.stderr
    assert done.stderr.endswith("atexit ran\n")
    assert "not reached" not in done.stderr
    if args[0] == "report" and status == 0:
        assert json.loads(done.stdout)["totals"]["mult_adds"] == 568_740_352


def test_an_output_larger_than_a_pipe_buffer_arrives_whole(tmp_path: Path) -> None:
    """A sweep's CSV of ~10,000 rows (far past a 64 KiB pipe buffer) written to stdout: every row arrives."""
    done = _run("sweep", "mobilenet_v1", "--alpha", "0.25:1.25:0.01", "--resolution", "96:192:1", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    assert len(done.stdout.encode()) > 1 << 16
    assert len(rows) == 1 + 101 * 97
    assert rows[-1].count(",") == rows[0].count(",")


def test_a_text_exit_is_printed_and_is_status_1() -> None:
    probe = "from costcalc.cli.app import finish\nprint('out')\nfinish('stopped: a reason')\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (1, "out\n", "stopped: a reason\n")


def test_a_reader_gone_before_the_last_flush_is_a_quiet_141() -> None:
    """stdout's reader closes before costcalc has written: the broken pipe is exit 141 with nothing on stderr
    but the exit handlers' line, as without the fast exit."""
    process = subprocess.Popen([sys.executable, "-c", AT_EXIT, "sweep", "mobilenet_v1", "--alpha", "0.25:1.25:0.01",
                                "--resolution", "96:192:1", "--format", "csv"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=_env())
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in error and "internal error" not in error


def test_the_command_sets_its_collector_and_a_library_import_does_not() -> None:
    """``costcalc.__main__.main`` (the ``costcalc`` script and ``python -m costcalc``) sets the collector's
    thresholds before it imports the command line; importing costcalc as a library changes nothing."""
    from costcalc.__main__ import GC_THRESHOLDS

    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: sys.stderr.write(repr(gc.get_threshold()) + '\\n'))\n"
             "sys.argv = ['costcalc', 'report', '--format', 'json']\n"
             "from costcalc.__main__ import main\n"
             "main()\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == repr(GC_THRESHOLDS)
    library = ("import gc\nbefore = gc.get_threshold()\n"
               "import costcalc.api, costcalc.cli, costcalc.__main__\n"
               "costcalc.api.report('mobilenet_v1')\n"
               "print(gc.get_threshold() == before)\n")
    done = subprocess.run([sys.executable, "-c", library], capture_output=True, text=True, env=_env(), timeout=120)
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr
