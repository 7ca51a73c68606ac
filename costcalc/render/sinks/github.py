"""The GitHub Actions sink: output that the Actions runner reads for workflow commands.

The runner reads every line a step prints (stdout and stderr; a line ends at LF, CR or CR LF) and acts on two
forms of command (GitHub's "Workflow commands for GitHub Actions", and the runner's parser):

- ``::name key=value,key=value::data`` when the line, its leading white space removed, starts with ``::``;
  ``name`` is a registered command (``error``, ``add-mask``, ``stop-commands``, ``set-output``, …, and after
  ``::stop-commands::TOKEN``, TOKEN itself), in any case;
- ``##[name key=value;key=value]data``, the older form, found ANYWHERE in the line.

Its escaping: in data, ``%`` is ``%25``, CR ``%0D``, LF ``%0A``; in a property value also ``:`` is ``%3A`` and
``,`` is ``%2C``. So a name from a file holding a line break and ``::add-mask::…`` would, printed as it is,
become a command of its own.

Rules:

1. ``data(text)`` and ``property_value(text)``: the text is first made ``terminal.visible`` (no control
   character, so no line break and no escape sequence reaches the log), every ``##[`` in it becomes ``##\\[``,
   and then GitHub's escaping above is applied (``%`` first).
2. ``command(name, properties, message)``: one line ``::name k=v,k=v::data``, every value escaped by rule 1.
3. ``plain(line)``: any other line costcalc prints in the github format (the text report after the
   annotations) is made one the runner cannot read as a command: a backslash goes before a ``::`` that starts
   the line after white space and invisible characters (``\\::add-mask::x``), and every ``##[`` becomes
   ``##\\[``. ``plain_text(text)`` does this to every line of a text.

Guarantees: every line of ``command(...)`` is exactly one command, of the name costcalc gives, whose
properties and data the runner unescapes to the ``terminal.visible`` form of what costcalc meant (with
``##\\[`` for ``##[``; the runner drops an empty value and trims the end of the last one, which is why
costcalc's ``title`` ends with the metric); no line of ``plain_text(...)`` is a command of either form,
whatever text from a file it holds. Diagnostics on stderr go through ``plain`` too (the runner reads stderr as well).
"""

from __future__ import annotations

import re

from costcalc.render.sinks.terminal import visible

LEGACY_PREFIX = "##["
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def _unlegacy(text: str) -> str:
    """``##[`` broken as ``##\\[``: no ``[`` is preceded by ``##`` afterwards, so one pass is enough."""
    return text.replace(LEGACY_PREFIX, "##\\[")


def data(text: str) -> str:
    """The data of a workflow command (after the second ``::``)."""
    escaped = _unlegacy(visible(text))
    return escaped.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def property_value(text: str) -> str:
    """The value of a workflow command's property (``file=``, ``title=``)."""
    return data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    """``::name key=value,...::message``, one line, every value and the message escaped."""
    listed = ",".join(f"{key}={property_value(value)}" for key, value in properties.items())
    return f"::{name}{' ' + listed if listed else ''}::{data(message)}"


def _is_skipped(char: str) -> bool:
    """White space the runner trims, and, to be safe, any character that cannot be seen."""
    return char.isspace() or not char.isprintable()


def plain(line: str) -> str:
    """``line`` (without its line break) made a line that the runner does not read as a command."""
    start = 0
    while start < len(line) and _is_skipped(line[start]):
        start += 1
    if line.startswith("::", start):
        line = f"{line[:start]}\\{line[start:]}"
    return _unlegacy(line)


def plain_text(text: str) -> str:
    """Every line of ``text`` (split where the runner splits: LF, CR, CR LF) through ``plain``, the line
    breaks kept."""
    pieces = _LINE_BREAK.split(text)  # lines at even positions, their breaks at odd ones
    return "".join(piece if index % 2 else plain(piece) for index, piece in enumerate(pieces))
