"""Validation of the entries of ``layers`` (and of block bodies): YAML data -> ``Entry`` trees.

An entry is one of (docs/spec-format.md):

- ``KIND`` or ``KIND: {field: value, ...}`` -- a layer; numeric fields may be expressions;
- ``BLOCK`` or ``BLOCK: {arg: value, ...}`` -- a use of a block defined under ``blocks``;
- ``repeat: N`` with ``layers`` (and ``index: NAME``) -- the layers N times; ``round_repeats(n)`` in N scales
  it by the depth multiplier, and the body's expressions read the copy's number (0, 1, ...) as NAME;
- ``if: CONDITION`` with ``layers`` (and ``else``) -- chosen by the arguments, or by ``in``/``block_in``
  (the channels flowing in) when the network is evaluated;
- ``residual: {layers, shortcut}`` -- a main path plus a shortcut (the identity when absent), summed;
- ``concat: {branches, split}`` -- parallel branches stacked along the channels.

All problems are collected; nothing is evaluated here except expressions of constants.
"""

from __future__ import annotations

from typing import Any

from costcalc.errors import Location, closest, did_you_mean, quoted
from costcalc.layers import KINDS, SHORTHANDS
from costcalc.layers import fields as f
from costcalc.layers.foreign_names import FIELD_NAMES, field_hint, kind_hint
from costcalc.source.positioned import Mapping, Sequence
from costcalc.source.problems import Problems, describe, empty_mapping, unknown_keys
from costcalc.spec import values as v
from costcalc.spec.model import (
    BlockCall,
    ConcatEntry,
    Entry,
    IfEntry,
    LayerEntry,
    ParamsOnlyEntry,
    RepeatEntry,
    ResidualEntry,
)
from costcalc.spec.values import FAILED, Scope, arg_value, field_value, parse_expression_at

MAX_NESTING = 64
STRUCTURES = ("repeat", "if", "residual", "concat", "params_only")


def _parse_layer(problems: Problems, kind: str, fields_value: Any, location: Location, fields_location: Location,
                 preset: dict[str, Any], written: str, scope: Scope) -> LayerEntry | None:
    cls = KINDS[kind]
    schema = {field.name: field for field in cls.fields}
    values: dict[str, Any] = dict(preset)
    value_at: dict[str, Location] = {}
    if fields_value is None:
        fields_value = empty_mapping(fields_location)
    if not isinstance(fields_value, Mapping):
        problems.add(fields_location, f"the fields of '{written}' must be a mapping like "
                                      f"{{{_example_fields(cls)}}}, got {describe(fields_value)}", "E202")
        return None
    name = fields_value.get("name")
    context = f"layer '{name}': " if isinstance(name, str) and name else f"{kind}: "
    failed = False
    misspelt: set[str] = set()  # a required field written with a typo is reported once, as the typo
    for key in fields_value:
        if key in preset:
            problems.add(fields_value.key_at[key], f"{context}'{written}' is short for "
                                                   f"`{kind}: {{{key}: {preset[key]}}}`; write `{kind}` to set '{key}'", "E206")
            failed = True
            continue
        if key not in schema:
            foreign = field_hint(str(key), schema)  # out_channels, kernel_size: PyTorch's and Keras's names
            match = FIELD_NAMES[key][0] if foreign else closest(key, schema)
            hint = foreign or (f" (did you mean '{match}'?)" if match else "")
            if match:
                misspelt.add(match)
            problems.add(fields_value.key_at[key],
                         f"{context}unknown field {quoted(str(key))}{hint}; '{kind}' takes: {', '.join(schema)}",
                         "E206")
            failed = True
            continue
        values[key] = field_value(problems, fields_value, key, schema[key], context, scope)
        value_at[key] = fields_value.value_at[key]
        failed = failed or values[key] is FAILED
    for field in schema.values():
        if field.name not in values and field.required and field.name not in misspelt:
            problems.add(location, f"{context}missing required field '{field.name}' ({field.doc})", "E207")
            failed = True
    if failed:
        return None
    deferred = any(v.is_deferred(value) for value in values.values())
    return LayerEntry(cls, values, value_at, location, None if deferred else cls(**values))


def _example_fields(cls: type) -> str:
    required = [field.name for field in cls.fields if field.required]  # type: ignore[attr-defined]
    return ", ".join(f"{name}: ..." for name in required) or "name: ..."


def _parse_kind(problems: Problems, kind: Any, fields_value: Any, location: Location, fields_location: Location,
                scope: Scope) -> Entry | None:
    if kind in scope.blocks:
        return _parse_call(problems, kind, fields_value, location, fields_location, scope)
    preset: dict[str, Any] = {}
    written = kind
    if kind in SHORTHANDS:
        kind, preset = SHORTHANDS[kind]
    if kind not in KINDS:
        hint = kind_hint(str(kind), [*KINDS, *SHORTHANDS]) or did_you_mean(kind, [*KINDS, *SHORTHANDS, *scope.blocks,
                                                                                     *STRUCTURES[2:]])
        what = "layer kind or block" if scope.blocks else "layer kind"
        problems.add(location, f"unknown {what} {quoted(str(kind))}{hint}", "E205")
        return None
    return _parse_layer(problems, kind, fields_value, location, fields_location, preset, written, scope)


def parse_entry(problems: Problems, entry: Any, location: Location, depth: int, scope: Scope) -> Entry | None:
    if isinstance(entry, str):
        if entry in _STRUCTURE_KEYS:
            problems.add(location, f"'{entry}' needs its parts, as in `- {entry}: {{{_STRUCTURE_KEYS[entry]}}}`", "E202")
            return None
        return _parse_kind(problems, entry, None, location, location, scope)
    if isinstance(entry, Mapping):
        if not entry:
            problems.add(location, "an empty mapping is not a layer; write a kind, like `- relu` or "
                                   "`- conv: {kernel: 3, filters: 32}`", "E208")
            return None
        if "repeat" in entry:
            return _parse_repeat(problems, entry, depth, scope)
        if "if" in entry:
            return _parse_if(problems, entry, depth, scope)
        if len(entry) == 1:
            key = next(iter(entry))
            if key == "residual":
                return _parse_residual(problems, entry[key], entry.key_at[key], depth, scope)
            if key == "concat":
                return _parse_concat(problems, entry[key], entry.key_at[key], depth, scope)
            if key == "params_only":
                return _parse_params_only(problems, entry[key], entry.key_at[key], depth, scope)
            return _parse_kind(problems, key, entry[key], entry.key_at[key], entry.value_at[key], scope)
        kinds = [key for key in entry if key in KINDS or key in SHORTHANDS or key in scope.blocks]
        if len(kinds) == 1:
            problems.add(location, f"the fields of '{kinds[0]}' go inside it, as in "
                                   f"`- {kinds[0]}: {{{', '.join(f'{k}: ...' for k in entry if k != kinds[0])}}}`", "E208")
        else:
            problems.add(location, "a layer is one kind with its fields, like `- conv: {kernel: 3, filters: 32}`; "
                                   f"this entry has {len(entry)} keys: {', '.join(map(str, entry))}", "E208")
        return None
    problems.add(location, f"a layer must be a kind name or `KIND: {{fields}}`, got {describe(entry)}", "E208")
    return None


_STRUCTURE_KEYS = {"residual": "layers: [...], shortcut: [...]", "concat": "branches: [[...], [...]]",
                   "params_only": "layers: [...]"}


def _count_or_condition(problems: Problems, entry: Mapping, key: str, parse: Any, scope: Scope) -> Any:
    """A repeat count (which may call round_repeats), or an if/when condition (which may read the channels
    flowing in): a value, or an expression kept for the build (or, reading channels, the evaluation)."""
    raw, at = entry[key], entry.value_at[key]
    if isinstance(raw, str):
        names = set(scope.args or ()) | (set(v.CONDITION_NAMES) if key != "repeat" else set())
        functions = v.DEPTH_FUNCTIONS if key == "repeat" else ()
        expr = parse_expression_at(problems, raw, at, f"{key}: ", names, False, functions)
        if expr is FAILED or expr.variables or expr.scaled:
            return expr
        try:
            raw = v.evaluate(expr, {})
        except f.FieldError as error:
            problems.add(at, f"'{key}': {error}", error.code or "E300")
            return FAILED
    try:
        return parse(raw)
    except f.FieldError as error:
        problems.add(at, f"'{key}': {error}", error.code or "E204")
        return FAILED


def _parse_repeat(problems: Problems, entry: Mapping, depth: int, scope: Scope) -> RepeatEntry | None:
    unknown_keys(problems, entry, ("repeat", "index", "layers"), "repeat: ")
    count = _count_or_condition(problems, entry, "repeat", f.positive_int, scope)
    index = None
    if "index" in entry:
        index = v.index_name(problems, entry["index"], entry.value_at["index"], scope)
        if index is not None:
            scope = scope._replace(args={**(scope.args or {}), index: 0})
    if "layers" not in entry:
        problems.add(entry.location, "'repeat' needs 'layers': the list of layers to repeat", "E201")
        return None
    body = parse_body(problems, entry["layers"], entry.value_at["layers"], depth + 1, scope)
    if count is FAILED or body is None or (index is None and "index" in entry):
        return None
    return RepeatEntry(count=count, body=body, location=entry.location, index_name=index)


def _parse_if(problems: Problems, entry: Mapping, depth: int, scope: Scope) -> IfEntry | None:
    unknown_keys(problems, entry, ("if", "layers", "else"), "if: ")
    condition = _count_or_condition(problems, entry, "if", f.boolean, scope)
    if "layers" not in entry:
        problems.add(entry.location, "'if' needs 'layers': the layers to use when the condition holds", "E201")
        return None
    body = parse_body(problems, entry["layers"], entry.value_at["layers"], depth + 1, scope, allow_empty=True)
    orelse: tuple[Entry, ...] | None = ()
    if "else" in entry:
        orelse = parse_body(problems, entry["else"], entry.value_at["else"], depth + 1, scope, allow_empty=True)
    if condition is FAILED or body is None or orelse is None:
        return None
    return IfEntry(condition=condition, body=body, orelse=orelse, location=entry.location)


def _structure(problems: Problems, kind: str, value: Any, location: Location) -> Mapping | None:
    if not isinstance(value, Mapping):
        problems.add(location, f"'{kind}' takes a mapping like {{{_STRUCTURE_KEYS[kind]}}}, got {describe(value)}", "E202")
        return None
    return value


def _name(problems: Problems, value: Mapping, context: str) -> Any:
    if "name" not in value:
        return None
    try:
        return f.text(value["name"])
    except f.FieldError as error:
        problems.add(value.value_at["name"], f"{context}'name': {error}", error.code or "E204")
        return FAILED


def _parse_residual(problems: Problems, value: Any, location: Location, depth: int,
                    scope: Scope) -> ResidualEntry | None:
    value = _structure(problems, "residual", value, location)
    if value is None:
        return None
    unknown_keys(problems, value, ("layers", "shortcut", "when", "name"), "residual: ")
    name = _name(problems, value, "residual: ")
    when = _count_or_condition(problems, value, "when", f.boolean, scope) if "when" in value else True
    if "layers" not in value:
        problems.add(location, "'residual' needs 'layers': its main path (and optionally 'shortcut')", "E201")
        return None
    body = parse_body(problems, value["layers"], value.value_at["layers"], depth + 1, scope)
    shortcut: tuple[Entry, ...] | None = ()
    if "shortcut" in value:
        shortcut = parse_body(problems, value["shortcut"], value.value_at["shortcut"], depth + 1, scope,
                              allow_empty=True)
    if body is None or shortcut is None or name is FAILED or when is FAILED:
        return None
    return ResidualEntry(body=body, shortcut=shortcut, name=name, location=location, when=when)


def _parse_params_only(problems: Problems, value: Any, location: Location, depth: int,
                       scope: Scope) -> ParamsOnlyEntry | None:
    """``params_only: {layers: [...], name: ...}``: layers whose parameters count and which never run."""
    value = _structure(problems, "params_only", value, location)
    if value is None:
        return None
    unknown_keys(problems, value, ("layers", "name"), "params_only: ")
    name = _name(problems, value, "params_only: ")
    if "layers" not in value:
        problems.add(location, "'params_only' needs 'layers': the layers whose parameters count", "E201")
        return None
    body = parse_body(problems, value["layers"], value.value_at["layers"], depth + 1, scope)
    if body is None or name is FAILED:
        return None
    return ParamsOnlyEntry(body=body, name=name, location=location)


def _parse_concat(problems: Problems, value: Any, location: Location, depth: int,
                  scope: Scope) -> ConcatEntry | None:
    value = _structure(problems, "concat", value, location)
    if value is None:
        return None
    unknown_keys(problems, value, ("branches", "split", "name"), "concat: ")
    name = _name(problems, value, "concat: ")
    split = False
    if "split" in value:
        try:
            split = f.boolean(value["split"])
        except f.FieldError as error:
            problems.add(value.value_at["split"], f"concat: 'split': {error}", error.code or "E204")
            return None
    branches_value = value.get("branches")
    if not isinstance(branches_value, Sequence) or len(branches_value) < 2:
        at = value.value_at.get("branches", location)
        got = f"a list of {len(branches_value)}" if isinstance(branches_value, Sequence) else describe(branches_value)
        problems.add(at, f"concat: 'branches' must be a list of two or more branches, each a list of layers "
                         f"(`[]` passes the input through), got {got}", "E202")
        return None
    branches: list[tuple[Entry, ...] | None] = []
    for item, at in zip(branches_value, branches_value.item_at):
        if not isinstance(item, Sequence):
            problems.add(at, f"concat: each branch is a list of layers (`[]` passes the input through), "
                             f"got {describe(item)}", "E202")
            branches.append(None)
            continue
        branches.append(parse_body(problems, item, at, depth + 1, scope, allow_empty=True))
    if any(branch is None for branch in branches) or name is FAILED:
        return None
    return ConcatEntry(branches=tuple(branches), split=split, name=name, location=location)  # type: ignore[arg-type]


def _parse_call(problems: Problems, block: str, value: Any, location: Location, value_location: Location,
                scope: Scope) -> BlockCall | None:
    declared = scope.blocks[block]
    if value is None:
        value = empty_mapping(value_location)
    if not isinstance(value, Mapping):
        problems.add(value_location, f"the arguments of block '{block}' must be a mapping like "
                                     f"{{{', '.join(f'{a}: ...' for a in declared) or 'name: ...'}}}, got {describe(value)}", "E202")
        return None
    context = f"block '{block}': "
    args: dict[str, Any] = {}
    arg_at: dict[str, Location] = {}
    failed = False
    name = _name(problems, value, context)
    misspelt: set[str | None] = set()  # a required argument written with a typo is reported once, as the typo
    for key in value:
        if key == "name":
            continue
        if key not in declared:
            hint = did_you_mean(key, declared)
            misspelt.add(closest(key, declared))
            takes = f"'{block}' takes: {', '.join(declared)}" if declared else f"'{block}' takes no arguments"
            problems.add(value.key_at[key], f"{context}unknown argument '{key}'{hint}; {takes}", "E302")
            failed = True
            continue
        args[key] = arg_value(problems, value[key], value.value_at[key], f"{context}'{key}': ", scope)
        arg_at[key] = value.value_at[key]
        failed = failed or args[key] is FAILED
    from costcalc.spec.model import REQUIRED_ARG

    missing = [arg for arg, default in declared.items()
               if default == REQUIRED_ARG and arg not in args and arg not in misspelt]
    if missing:
        problems.add(location, f"{context}missing required argument{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(repr(arg) for arg in missing)}", "E303")
        failed = True
    if failed or name is FAILED:
        return None
    return BlockCall(block=block, args=args, arg_at=arg_at, name=name, location=location)


def parse_body(problems: Problems, value: Any, location: Location, depth: int, scope: Scope,
               allow_empty: bool = False) -> tuple[Entry, ...] | None:
    if depth > MAX_NESTING:
        problems.add(location, f"entries are nested more than {MAX_NESTING} deep", "E210")
        return None
    if not isinstance(value, Sequence) or (not value and not allow_empty):
        wanted = "a list of layers" if allow_empty else "a non-empty list of layers"
        problems.add(location, f"'layers' must be {wanted}, got {describe(value)}", "E202")
        return None
    entries = [parse_entry(problems, item, item_location, depth, scope)
               for item, item_location in zip(value, value.item_at)]
    if any(entry is None for entry in entries):
        return None
    return tuple(entries)  # type: ignore[arg-type]
