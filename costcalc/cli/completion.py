"""Shell completion (click's: ``_COSTCALC_COMPLETE=bash_source costcalc``, docs/output.md): a SPEC completes to
the bundled specs' names (variants too) and to files, ``--device`` to the bundled device profiles and files,
``--convention`` and ``--vs`` to the built-in conventions and files.

The completers are attached to every command's parameters by name once the commands are registered, so a
command added later completes the same way without repeating them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from costcalc.cli.options import CONVENTION_NAMES

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


def _matching(names: list[str], incomplete: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    items = [CompletionItem(name) for name in names if name.startswith(incomplete)]
    return items + [CompletionItem(incomplete, type="file")]  # a path is a spec, a device or a convention too


def complete_specs(context: Any, parameter: Any, incomplete: str) -> list[CompletionItem]:
    from costcalc.source.bundled import bundled_specs

    return _matching(list(bundled_specs()), incomplete)


def complete_devices(context: Any, parameter: Any, incomplete: str) -> list[CompletionItem]:
    from costcalc.devices.profiles import bundled_devices

    return _matching(list(bundled_devices()), incomplete)


def complete_conventions(context: Any, parameter: Any, incomplete: str) -> list[CompletionItem]:
    return _matching(list(CONVENTION_NAMES), incomplete)


COMPLETERS = {"spec": complete_specs, "specs": complete_specs, "device": complete_devices,
              "convention": complete_conventions, "versus": complete_conventions}


def attach(group: click.Group) -> None:
    """Give each parameter named in ``COMPLETERS`` its completer, in every command of ``group``."""
    for command in group.commands.values():
        for parameter in command.params:
            completer = COMPLETERS.get(parameter.name or "")
            if completer is not None and parameter._custom_shell_complete is None:
                parameter._custom_shell_complete = completer
