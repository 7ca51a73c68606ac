"""Validation of ``blocks``: reusable groups of entries with arguments, defined once and used by name.

    blocks:
      bottleneck:
        args: {planes: required, stride: 1}
        layers:
          - conv: {kernel: 1, filters: planes}
          ...

Arguments are names with a default (``required`` when every use must give one). A block may use other
blocks; a block that uses itself, directly or through others, is an error at the use that closes the
cycle.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from costcalc.errors import Location
from costcalc.layers import KINDS, SHORTHANDS
from costcalc.layers import fields as f
from costcalc.source.positioned import Mapping
from costcalc.source.problems import Problems, describe, unknown_keys
from costcalc.spec import values as v
from costcalc.spec.entries import STRUCTURES, parse_body
from costcalc.spec.model import (
    BlockCall,
    BlockDef,
    ConcatEntry,
    Entry,
    IfEntry,
    ParamsOnlyEntry,
    RepeatEntry,
    ResidualEntry,
)
from costcalc.spec.values import Scope

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*\Z"  # a pattern's text: re compiles it when first used, and caches it (start-up, issue 17)
_RESERVED_ARGS = {*v.RUNTIME_NAMES, "name", "and", "or", "not", "true", "false", "True", "False",
                  "ceil", "floor", "round", "int", "min", "max", "make_divisible", "pow", "log", "round_repeats",
                  "head", "expanded"}  # = costcalc.spec.expressions.FUNCTIONS, without importing it at start-up


def parse_args(problems: Problems, value: Any, location: Location, block: str | None) -> dict[str, Any] | None:
    """The ``args`` of a block (``block``: its name), or of the spec itself (``block`` None): names and
    defaults (``required``: every use, or every variant, gives it)."""
    context = f"block '{block}': " if block is not None else "args: "
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(location, f"{context}'args' must be a mapping of argument names to defaults "
                               f"(`required` for none), like {{planes: required, stride: 1}}, got {describe(value)}", "E305")
        return None
    args: dict[str, Any] = {}
    for name, default in value.items():
        at = value.key_at[name]
        if not isinstance(name, str) or not re.match(_IDENTIFIER, name):
            problems.add(at, f"{context}argument name {name!r} must be a name of letters, digits and _", "E305")
            continue
        if name in _RESERVED_ARGS:
            problems.add(at, f"{context}'{name}' is reserved and cannot name an argument", "E305")
            continue
        try:
            default = [v.literal(item) for item in default] if isinstance(default, list) else v.literal(default)
        except f.FieldError as error:
            problems.add(value.value_at[name], f"{context}the default of '{name}': {error}",
                         error.code or "E305")
            continue
        numbers = isinstance(default, list) and default and all(
            isinstance(item, (int, Fraction)) and not isinstance(item, bool) for item in default)
        if isinstance(default, dict) or default is None or (isinstance(default, list) and not numbers):
            problems.add(value.value_at[name], f"{context}the default of '{name}' must be a number, "
                                               f"true/false, a string, a list of numbers or `required`, got "
                                               f"{describe(default)}", "E305")
            continue
        args[name] = default
    return args


def parse_block_headers(problems: Problems, value: Any, location: Location) -> dict[str, tuple[Mapping, dict[str, Any]]]:
    """Each block's definition and declared arguments (bodies are parsed once every name is known)."""
    if not isinstance(value, Mapping):
        problems.add(location, f"'blocks' must be a mapping of block names to definitions, got {describe(value)}", "E202")
        return {}
    headers = {}
    for name, definition in value.items():
        at = value.key_at[name]
        if not isinstance(name, str) or not re.match(_IDENTIFIER, name):
            problems.add(at, f"block name {name!r} must be a name of letters, digits and _", "E305")
            continue
        if name in KINDS or name in SHORTHANDS or name in STRUCTURES:
            problems.add(at, f"block name '{name}' is already a layer kind or keyword; choose another", "E305")
            continue
        if not isinstance(definition, Mapping):
            problems.add(value.value_at[name], f"block '{name}' must be a mapping with 'layers' (and 'args'), "
                                               f"got {describe(definition)}", "E202")
            continue
        unknown_keys(problems, definition, ("args", "layers"), f"block '{name}': ")
        args = parse_args(problems, definition.get("args"), definition.value_at.get("args", at), name)
        if "layers" not in definition:
            problems.add(at, f"block '{name}' needs 'layers'", "E201")
            continue
        if args is not None:
            headers[name] = (definition, args)
    return headers


def parse_blocks(problems: Problems, value: Any, location: Location) -> tuple[dict[str, BlockDef], dict[str, dict[str, Any]]]:
    headers = parse_block_headers(problems, value, location)
    declared = {name: args for name, (_definition, args) in headers.items()}
    blocks = {}
    for name, (definition, args) in headers.items():
        body = parse_body(problems, definition["layers"], definition.value_at["layers"], 1, Scope(args, declared))
        if body is not None:
            blocks[name] = BlockDef(name=name, args=args, body=body, location=value.key_at[name])
    _check_cycles(problems, blocks)
    return blocks, declared


def calls(entries: tuple[Entry, ...]) -> list[BlockCall]:
    """Every block call in ``entries``, at any depth."""
    found: list[BlockCall] = []
    for entry in entries:
        if isinstance(entry, BlockCall):
            found.append(entry)
        elif isinstance(entry, RepeatEntry):
            found += calls(entry.body)
        elif isinstance(entry, IfEntry):
            found += calls(entry.body) + calls(entry.orelse)
        elif isinstance(entry, ResidualEntry):
            found += calls(entry.body) + calls(entry.shortcut)
        elif isinstance(entry, ParamsOnlyEntry):
            found += calls(entry.body)
        elif isinstance(entry, ConcatEntry):
            for branch in entry.branches:
                found += calls(branch)
    return found


def _check_cycles(problems: Problems, blocks: dict[str, BlockDef]) -> None:
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for call in calls(blocks[name].body):
            if call.block not in blocks:
                continue
            if state.get(call.block) == 1:
                cycle = " -> ".join([*trail[trail.index(call.block):], call.block])
                problems.add(call.location, f"block '{name}' uses '{call.block}', which uses it in turn "
                                            f"({cycle}): blocks cannot be recursive", "E304")
            elif call.block not in state:
                visit(call.block, [*trail, call.block])
        state[name] = 2

    for name in blocks:
        if name not in state:
            visit(name, [name])
