"""The command-line application: the click group, and the translation of errors into exit codes (0 ok, 1 a
budget is not met, 2 bad usage or bad input, 3 a bug; 141 when stdout's reader is gone, 130/143 on
SIGINT/SIGTERM: docs/errors.md, "Exit codes").

Each command lives in a module of this package by what it is for (report.py, whatifs.py, budget.py), with the
options they share in options.py and the writing of their output in output.py; imports inside the commands
are lazy, so ``report --format json`` never loads rich or sympy.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable

import click

EXIT_BUDGET = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a program stopped by it: never 1, "over budget"


def guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Bad input -> its diagnostics on stderr and exit 2; warnings -> stderr as they come; stdout closed by its
    reader -> a quiet exit 141; anything else is a bug -> exit 3."""
    import functools

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        import warnings

        from costcalc.errors import CostcalcError, CostcalcWarning

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", CostcalcWarning)
                warnings.showwarning = _show_warning(warnings.showwarning)
                command(*args, **kwargs)
        except CostcalcError as error:
            from costcalc.render.sinks.github import plain

            if not error.diagnostics:  # bad input always says why; an error without a word is a bug
                internal_error(RuntimeError(f"{type(error).__name__} without a diagnostic"))
            for diagnostic in error.diagnostics:  # made printable (terminal sink); plain: the runner reads stderr
                click.echo(plain(str(diagnostic)), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:
            broken_pipe()
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: say so, briefly, unless --debug
            if click.get_current_context().find_root().params.get("debug"):
                raise
            internal_error(error)

    return run


def internal_error(error: Exception) -> None:
    """A bug in costcalc: say so in two lines on stderr and exit 3."""
    from costcalc.render.sinks.terminal import visible

    click.echo(f"costcalc: internal error: {type(error).__name__}: {visible(str(error))}", err=True)
    click.echo("This is a bug in costcalc, not in your input. Please report it on the costcalc issue tracker "
               "with the command line and the spec (run again with --debug for the traceback).", err=True)
    sys.exit(EXIT_INTERNAL)


def _show_warning(fallback: Callable[..., None]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints costcalc's warnings as ``PLACE: warning[W100]: ...``, each once."""
    from costcalc.errors import CostcalcWarning

    shown: set[str] = set()

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not isinstance(message, CostcalcWarning):
            fallback(message, category, *args, **kwargs)
            return
        text = str(message.diagnostic)
        if text not in shown:
            shown.add(text)
            click.echo(text, err=True)

    return show


def broken_pipe() -> None:
    """Stdout's reader is gone (``costcalc report | head -1``): exit quietly with 141, as a program stopped by
    SIGPIPE would, with stdout pointed at /dev/null so that Python's last flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (a test's runner)
        pass
    sys.exit(EXIT_BROKEN_PIPE)


# Each command -> the module of this package that defines it (and registers it on ``main`` when imported).
COMMAND_MODULES = {
    "calibrate": "calibrate", "check": "budget", "compare": "whatifs", "explain": "report", "export": "models",
    "formula": "report", "import": "models", "list": "report", "report": "report", "snapshot": "budget",
    "solve": "whatifs", "sweep": "whatifs",
}


COMPLETE_VAR = "_COSTCALC_COMPLETE"  # click's variable for `costcalc` (docs/output.md, "Shell completion")


class CommandsOnDemand(click.Group):
    """A group that imports a command's module only when that command is asked for: ``report`` then never
    loads the options, imports and decorators of ``check``, ``sweep`` or ``calibrate`` (start-up, issue 17).
    ``--help`` and shell completion list every command, and so import them all."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            import importlib

            importlib.import_module(f"costcalc.cli.{module}")
        if COMPLETE_VAR in os.environ:  # the shell asks for completions: the completers are needed (once)
            from costcalc.cli.completion import attach

            attach(self)
        return self.commands.get(cmd_name)


@click.group(cls=CommandsOnDemand, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="costcalc", message="costcalc %(version)s")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an internal error.")
def main(debug: bool) -> None:
    """Exact Mult-Adds and parameter counts of a convolutional network described in YAML, for any width
    multiplier alpha and resolution multiplier rho (MobileNets, Howard et al. 2017).

    \b
    costcalc report                       MobileNet-224, as in the paper
    costcalc report --alpha 0.75 --resolution 192 --format json
    costcalc report my_net.yaml --symbolic
    costcalc formula                      the per-kind formulas, derived by sympy
    costcalc list                         the bundled specs
    """


def run() -> None:
    """The ``costcalc`` command: ``main``, with SIGTERM (a CI job cancelled, a ``kill``) and Ctrl-C turned into
    a clean exit (status 128 + the signal: 143, 130; not click's 1, which is costcalc's "over budget"), so
    that a file being written is left as it was and its temporary file is removed. SIGKILL cannot be caught:
    then the temporary file stays, and the previous file is intact.

    The process then ends as mypy's does (``finish``): its output flushed and its exit handlers run, without
    the interpreter's teardown of every module and object, which took longer than a bundled report's whole
    computation (start-up, issue 17). ``main`` itself, called in a process that goes on (tests, the API's
    users), returns or raises as click does."""
    if TYPE_CHECKING:
        import signal as signals
    else:  # signal.py's C core: the same functions and numbers, without the enums signal.py builds (0.45 ms)
        import _signal as signals

    def stop(signum: int, _frame: Any) -> None:
        sys.stderr.write("costcalc: interrupted\n")
        raise SystemExit(128 + signum)

    signals.signal(signals.SIGTERM, stop)
    signals.signal(signals.SIGINT, stop)
    try:
        main(prog_name="costcalc")
    except BrokenPipeError:
        broken_pipe()
    except SystemExit as stopped:
        # click turns a broken pipe outside the commands (--help, --version) into exit 1, "over budget"
        # click wraps stdout in its (_)PacifyFlushWrapper once it has found it closed
        if stopped.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            broken_pipe()
        finish(stopped.code)
    finish(0)


def finish(code: object) -> None:
    """End the process with ``code`` (``SystemExit``'s: None is 0, a text is printed and is 1) once its output
    is written: stdout and stderr flushed (a reader gone by then is a quiet 141, as anywhere else), the
    ``atexit`` handlers run (a library's clean-up, coverage's data), then ``os._exit``, which skips only the
    interpreter's freeing of what the process is about to give back to the system anyway."""
    import atexit

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    try:
        if sys.stdout is not None:  # None under pythonw
            sys.stdout.flush()
    except BrokenPipeError:
        broken_pipe()
    except (OSError, ValueError):  # stdout closed or gone: nothing more can be written to it
        pass
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):
        pass
    atexit._run_exitfuncs()
    os._exit(status)
