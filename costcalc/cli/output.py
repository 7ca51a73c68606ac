"""Where a command's output goes: stdout, or a file written atomically (a temporary file in the same folder, then
a rename, so a failed or interrupted run never leaves a half-written report: docs/errors.md), in the format
asked for.

``show`` is the one dispatch from a result to text: ``--format table|svg|html`` renders
``costcalc.render.<command>_table.render(result, view, width)`` through rich; every other format is
``costcalc.render.<command>_formats.to_<format>(result, view)`` (costcalc.render.view), or, for an output that
can be millions of lines (a sweep's CSV), ``stream_<format>(result, view)``, whose chunks are written as they
are made.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click

from costcalc.errors import Diagnostic, Location, OutputError


def _mode_for(path: str) -> int:
    """The mode of the file being replaced, or what a new file gets under the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _encoded(text: str | bytes | Iterable[str]) -> Iterator[bytes]:
    """The bytes to write: a text, a model, or the chunks of a streamed output (a sweep's CSV)."""
    if isinstance(text, (str, bytes)):
        yield text if isinstance(text, bytes) else text.encode("utf-8")
    else:
        for chunk in text:
            yield chunk.encode("utf-8")


def write_atomic(path: str, text: str | bytes | Iterable[str]) -> None:
    """Write ``text`` (or bytes: an exported model) to ``path`` or leave ``path`` as it was; failures are ``OutputError``s naming ``path``.

    A symbolic link is followed: the file it points to is replaced, and the link stays. A link to nothing is
    refused (E601): following it would create a file wherever it points, which whoever made the link chose. A
    FIFO or a device (``/dev/stdout``) cannot be replaced, and is written to directly."""
    if os.path.islink(path) and not os.path.exists(path):
        raise OutputError(Diagnostic(Location(path), "is a symbolic link to a file that does not exist; costcalc does "
                                                     "not create files through a link: remove the link, or write "
                                                     "elsewhere", "E601"))
    try:
        target = os.path.realpath(path)
        if os.path.exists(target) and not stat.S_ISREG(os.stat(target).st_mode):
            with open(target, "wb") as raw:
                for chunk in _encoded(text):
                    raw.write(chunk)
            return
        _write(target, text)
    except OSError as error:
        raise cannot_write(path, error) from None


def append(path: str, text: str) -> None:
    """Append ``text`` to ``path`` (a file another program owns, such as ``$GITHUB_STEP_SUMMARY``)."""
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise cannot_write(path, error) from None


def cannot_write(path: str, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    return OutputError(Diagnostic(Location(path), f"cannot write: {reason}", "E600"))


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (a power cut right after it keeps the new file), where the system
    allows opening a folder."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _write(path: str, text: str | bytes | Iterable[str]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile  # only a command that writes a file needs it (start-up: docs/architecture.md)

    handle, temporary = tempfile.mkstemp(prefix=".costcalc-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(handle, _mode_for(path))  # mkstemp makes 0600; the file should look like any file we write
        with os.fdopen(handle, "wb") as out:
            for chunk in _encoded(text):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        _sync_folder(folder)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


RICH_FORMATS = ("table", "svg", "html")


# The format a file's extension names, for ``-o FILE`` without ``--format`` (issue 18).
EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".svg": "svg",
              ".html": "html", ".htm": "html", ".txt": "table", ".tex": "latex"}


def format_for(output_format: str, output: str | None) -> str:
    """``output_format``, or when ``--format`` was not given, the format ``output``'s extension names
    (``-o report.json`` writes JSON) if the command has it; ``.txt`` is the text table or the plain text."""
    if not output:
        return output_format
    from click.core import ParameterSource

    context = click.get_current_context(silent=True)
    if context is None or context.get_parameter_source("output_format") is not ParameterSource.DEFAULT:
        return output_format
    wanted = EXTENSIONS.get(os.path.splitext(output)[1].lower())
    choices = [choice for param in context.command.params if param.name == "output_format"
               for choice in getattr(param.type, "choices", ())]
    if wanted == "table" and "table" not in choices:
        wanted = "text"
    return wanted if wanted is not None and wanted in choices else output_format


def show(command: str, result: Any, view: Any, output_format: str, output: str | None = None,
         title: str = "") -> None:
    """Render ``result`` of ``command`` in ``output_format`` (or the format ``output``'s extension names, when
    ``--format`` was not given) and write it to stdout or ``output``."""
    import importlib

    output_format = format_for(output_format, output)

    if output_format in RICH_FORMATS:
        render = importlib.import_module(f"costcalc.render.{command}_table").render
        show_rich(lambda width: render(result, view, width), output_format, output, title or f"costcalc {command}")
        return
    formats = importlib.import_module(f"costcalc.render.{command}_formats")
    name = output_format.replace("-", "_")  # pr-comment: to_pr_comment
    stream = getattr(formats, f"stream_{name}", None)
    if stream is not None:  # a long output, written as it is made (its chunks end with a line break)
        if output:
            write_atomic(output, stream(result, view))
        else:
            for chunk in stream(result, view):
                click.echo(chunk, nl=False)
        return
    emit(getattr(formats, f"to_{name}")(result, view), output)


def emit(text: str, output: str | None) -> None:
    """``text`` to ``output`` (atomically), or to stdout; a line break at the end either way."""
    if output:
        write_atomic(output, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def console_width() -> int | None:
    """The terminal's width (``COLUMNS`` when set), or None for a pipe, which gets every column: a pipe has no
    width to crop to, and what reads it should not lose the columns a narrow guess would hide."""
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and 0 < int(columns) <= 10_000:
        return int(columns)
    if sys.stdout.isatty():
        import shutil  # only here: it loads zlib, bz2 and lzma, milliseconds of every table's start-up

        return shutil.get_terminal_size((132, 24)).columns
    return None


UNLIMITED = 1000  # the width a table is made for when nothing limits it (a file, a pipe)

_COLOUR_CODE = r"\x1b\[[0-9;]*m"  # a pattern's text: re compiles it when first used (start-up, issue 17)


def _without_trailing(line: str) -> str:
    """``line`` without the spaces that end it, among the colour codes that end it (which stay, in order): the
    end is read backwards, a space or a colour code at a time (a regular expression anchored at the end was
    tried at every space of a line, a millisecond of every table: issue 17)."""
    if "\x1b" not in line:
        return line.rstrip(" ")
    end = len(line)
    codes: list[str] = []
    while True:
        end = len(line[:end].rstrip(" "))
        start = line.rfind("\x1b", 0, end)  # a colour code has no escape inside
        if start < 0 or not re.compile(_COLOUR_CODE).fullmatch(line, start, end):
            break
        codes.append(line[start:end])
        end = start
    return line[:end] + "".join(reversed(codes))


def without_trailing_spaces(text: str) -> str:
    """Each line of ``text`` without the spaces rich pads it with, keeping the colour codes that end it."""
    return "\n".join(map(_without_trailing, text.split("\n")))


def show_rich(make: Callable[[int], Any], output_format: str, output: str | None, title: str) -> None:
    """Print a rich renderable (``make(width)``) to the terminal, or export it as text, SVG or HTML.

    On a terminal, every table is fitted to its width by whole columns (costcalc.render.fit): no number is
    ever cropped. The renderers make every name from a file a ``Text`` through the terminal sink, so rich reads
    no markup from it and it holds no control character; rich escapes the text of SVG and HTML, and the markup
    sink writes visibly any character XML does not allow (``costcalc.render.sinks``)."""
    from rich.console import Console

    from costcalc.render.fit import fit

    width = console_width() if output_format == "table" and not output else None
    if width is not None:
        console = Console(width=width, highlight=False, emoji=False)
        with console.capture() as capture:
            console.print(fit(make(width), width))
        emit(without_trailing_spaces(capture.get()), None)
        return
    import io

    from costcalc.render.sections import natural_width

    renderable = make(UNLIMITED)
    width = max(132, natural_width(renderable))  # a file has no terminal to crop a wide table to
    console = Console(file=io.StringIO(), width=width, record=True, highlight=False, emoji=False,
                      color_system=None if output_format == "table" else "truecolor", force_terminal=output_format != "table")
    console.print(renderable)
    if output_format == "table":
        emit(without_trailing_spaces(console.export_text()), output)
        return
    from costcalc.render.sinks.markup import document  # SVG and HTML only: its escaping tables

    if output_format == "svg":
        from costcalc.render.sinks.terminal import visible

        emit(document(console.export_svg(title=visible(title))), output)
    else:
        from rich.terminal_theme import MONOKAI

        # a dark page: the heat map's colours need it
        emit(document(console.export_html(inline_styles=True, theme=MONOKAI)), output)
