"""Validation: YAML data (with positions) -> a ``Spec`` of layer objects, or every problem found.

Spec format v1 (docs/spec-format.md)::

    name: mobilenet_v1
    description: one line for `costcalc list`
    input: {channels: 3, size: 224}          # or height: / width:
    width: {rounding: truncate}              # how alpha·n is rounded: truncate | make_divisible | none
    layers:
      - conv: {kernel: 3, filters: 32, stride: 2}
      - batch_norm
      - relu
      - repeat: 5
        layers:
          - separable: {kernel: 3, filters: 512, batch_norm: true, activation: relu}

A layer is ``KIND`` alone or ``KIND: {field: value, ...}``; the fields of each kind are its declared
``spec_field``s (``costcalc.layers``). All problems of this stage are collected before it stops.
"""

from __future__ import annotations

import os
from typing import Any

from costcalc.arith import WidthRule
from costcalc.errors import Diagnostic, Location, SpecError, closest, did_you_mean
from costcalc.layers import KINDS, SHORTHANDS
from costcalc.layers import fields as f
from costcalc.spec.model import Entry, InputSpec, LayerEntry, RepeatEntry, Spec
from costcalc.spec.yaml_source import Mapping, Sequence, read_yaml

TOP_LEVEL_KEYS = ("version", "name", "description", "reference", "input", "width", "layers")
ROUNDING_RULES = ("truncate", "make_divisible", "none")
MAX_NESTING = 64


class _Problems:
    """Collects diagnostics of one stage."""

    def __init__(self) -> None:
        self.found: list[Diagnostic] = []

    def add(self, location: Location, message: str) -> None:
        self.found.append(Diagnostic(location, message))


def _type_name(value: Any) -> str:
    return f.describe(value)


def _field(problems: _Problems, mapping: Mapping, key: str, parse: Any, context: str) -> Any:
    try:
        return parse(mapping[key])
    except f.FieldError as error:
        problems.add(mapping.value_at[key], f"{context}'{key}': {error}")
        return None


def _unknown_keys(problems: _Problems, mapping: Mapping, allowed: Any, context: str) -> set[str]:
    """Report keys not in ``allowed``; return the allowed keys they look like typos of."""
    misspelt = set()
    for key in mapping:
        if key not in allowed:
            match = closest(key, allowed)
            hint = f" (did you mean '{match}'?)" if match else ""
            if match:
                misspelt.add(match)
            listed = ", ".join(allowed)
            problems.add(mapping.key_at[key], f"{context}unknown key '{key}'{hint}; expected one of: {listed}")
    return misspelt


def _parse_input(problems: _Problems, value: Any, location: Location) -> InputSpec | None:
    if not isinstance(value, Mapping):
        problems.add(location, f"'input' must be a mapping like {{channels: 3, size: 224}}, got {_type_name(value)}")
        return None
    misspelt = _unknown_keys(problems, value, ("channels", "size", "height", "width"), "input: ")
    channels = _field(problems, value, "channels", f.positive_int, "input ") if "channels" in value else 3
    if "size" in value:
        if "height" in value or "width" in value:
            problems.add(value.key_at["size"], "input: give either 'size' or 'height' and 'width', not both")
        size = _field(problems, value, "size", f.positive_int, "input ")
        height = width = size
    elif "height" in value and "width" in value:
        height = _field(problems, value, "height", f.positive_int, "input ")
        width = _field(problems, value, "width", f.positive_int, "input ")
    else:
        if not misspelt & {"size", "height", "width"}:
            problems.add(value.location, "input: needs 'size' (square) or both 'height' and 'width'")
        return None
    if channels is None or height is None or width is None:
        return None
    return InputSpec(channels=channels, height=height, width=width)


def _parse_width(problems: _Problems, value: Any, location: Location) -> WidthRule:
    if not isinstance(value, Mapping):
        problems.add(location, f"'width' must be a mapping like {{rounding: truncate}}, got {_type_name(value)}")
        return WidthRule()
    _unknown_keys(problems, value, ("rounding", "divisor", "min_channels"), "width: ")
    options: dict[str, Any] = {}
    if "rounding" in value:
        options["rounding"] = _field(problems, value, "rounding", f.choice(*ROUNDING_RULES), "width ")
    for key in ("divisor", "min_channels"):
        if key in value:
            options[key] = _field(problems, value, key, f.positive_int, "width ")
    options = {key: option for key, option in options.items() if option is not None}
    if options.get("rounding", "truncate") != "make_divisible":
        for key in ("divisor", "min_channels"):
            if key in value:
                problems.add(value.key_at[key], f"width: '{key}' applies to `rounding: make_divisible` only")
    return WidthRule(**options)


def _parse_layer(problems: _Problems, kind: str, fields_value: Any, location: Location,
                 fields_location: Location, preset: dict[str, Any], preset_of: str = "") -> LayerEntry | None:
    cls = KINDS[kind]
    schema = {field.name: field for field in cls.fields}
    values: dict[str, Any] = dict(preset)
    if fields_value is None:
        fields_value = Mapping()
        fields_value.location, fields_value.key_at, fields_value.value_at = fields_location, {}, {}
    if not isinstance(fields_value, Mapping):
        problems.add(fields_location, f"the fields of '{kind}' must be a mapping like "
                                      f"{{{_example_fields(cls)}}}, got {_type_name(fields_value)}")
        return None
    name = fields_value.get("name")
    context = f"layer '{name}': " if isinstance(name, str) and name else f"{kind}: "
    before = len(problems.found)
    misspelt: set[str] = set()  # a required field written with a typo is reported once, as the typo
    for key in fields_value:
        if key in preset:
            problems.add(fields_value.key_at[key], f"{context}'{preset_of}' is short for "
                                                   f"`{kind}: {{{key}: {preset[key]}}}`; write `{kind}` to set '{key}'")
            continue
        if key not in schema:
            match = closest(key, schema)
            hint = f" (did you mean '{match}'?)" if match else ""
            if match:
                misspelt.add(match)
            problems.add(fields_value.key_at[key],
                         f"{context}unknown field '{key}'{hint}; '{kind}' takes: {', '.join(schema)}")
            continue
        values[key] = _field(problems, fields_value, key, schema[key].parse, context)
    for field in schema.values():
        if field.name not in values and field.required and field.name not in misspelt:
            problems.add(location, f"{context}missing required field '{field.name}' ({field.doc})")
    if len(problems.found) > before:
        return None
    return LayerEntry(cls(**values), location)


def _example_fields(cls: type) -> str:
    required = [field.name for field in cls.fields if field.required]
    return ", ".join(f"{name}: ..." for name in required) or "name: ..."


def _parse_entry(problems: _Problems, entry: Any, location: Location, depth: int) -> Entry | None:
    if isinstance(entry, str):
        return _parse_kind(problems, entry, None, location, location)
    if isinstance(entry, Mapping):
        if not entry:
            problems.add(location, "an empty mapping is not a layer; write a kind, like `- relu` or "
                                   "`- conv: {kernel: 3, filters: 32}`")
            return None
        if "repeat" in entry:
            return _parse_repeat(problems, entry, depth)
        kinds = [key for key in entry if key in KINDS or key in SHORTHANDS]
        if len(entry) == 1:
            key = next(iter(entry))
            return _parse_kind(problems, key, entry[key], entry.key_at[key], entry.value_at[key])
        if len(kinds) == 1:
            problems.add(location, f"the fields of '{kinds[0]}' go inside it, as in "
                                   f"`- {kinds[0]}: {{{', '.join(f'{k}: ...' for k in entry if k != kinds[0])}}}`")
        else:
            problems.add(location, "a layer is one kind with its fields, like `- conv: {kernel: 3, filters: 32}`; "
                                   f"this entry has {len(entry)} keys: {', '.join(map(str, entry))}")
        return None
    problems.add(location, f"a layer must be a kind name or `KIND: {{fields}}`, got {_type_name(entry)}")
    return None


def _parse_kind(problems: _Problems, kind: Any, fields_value: Any, location: Location,
                fields_location: Location) -> LayerEntry | None:
    preset: dict[str, Any] = {}
    written = kind
    if kind in SHORTHANDS:
        kind, preset = SHORTHANDS[kind]
    if kind not in KINDS:
        hint = did_you_mean(kind, [*KINDS, *SHORTHANDS])
        problems.add(location, f"unknown layer kind '{kind}'{hint}")
        return None
    return _parse_layer(problems, kind, fields_value, location, fields_location, preset, written)


def _parse_repeat(problems: _Problems, entry: Mapping, depth: int) -> RepeatEntry | None:
    _unknown_keys(problems, entry, ("repeat", "layers"), "repeat: ")
    count = _field(problems, entry, "repeat", f.positive_int, "")
    if "layers" not in entry:
        problems.add(entry.location, "'repeat' needs 'layers': the list of layers to repeat")
        return None
    body = _parse_body(problems, entry["layers"], entry.value_at["layers"], depth + 1)
    if count is None or body is None:
        return None
    return RepeatEntry(count=count, body=body, location=entry.location)


def _parse_body(problems: _Problems, value: Any, location: Location, depth: int) -> tuple[Entry, ...] | None:
    if depth > MAX_NESTING:
        problems.add(location, f"repeats are nested more than {MAX_NESTING} deep")
        return None
    if not isinstance(value, Sequence) or not value:
        problems.add(location, f"'layers' must be a non-empty list of layers, got {_type_name(value)}")
        return None
    entries = [_parse_entry(problems, item, item_location, depth) for item, item_location in zip(value, value.item_at)]
    if any(entry is None for entry in entries):
        return None
    return tuple(entries)  # type: ignore[arg-type]


def parse_spec(data: Any, path: str) -> Spec:
    """Validate parsed YAML into a ``Spec``; raise ``SpecError`` with every problem found."""
    problems = _Problems()
    top = Location(path, 1, 1)
    if not isinstance(data, Mapping):
        what = "empty" if data is None else f"{_type_name(data)}, not a mapping"
        raise SpecError(Diagnostic(top, f"a spec is a mapping with 'input' and 'layers'; this file is {what}"))
    misspelt = _unknown_keys(problems, data, TOP_LEVEL_KEYS, "")
    if "version" in data and (type(data["version"]) is not int or data["version"] != 1):
        problems.add(data.value_at["version"],
                     f"unsupported spec version {f.describe(data['version'])}; this costcalc reads version 1")
    stem = os.path.splitext(os.path.basename(path))[0]
    name = _field(problems, data, "name", f.text, "") if "name" in data else stem
    description = _field(problems, data, "description", f.text, "") if "description" in data else ""
    reference = _field(problems, data, "reference", f.text, "") if "reference" in data else ""
    spec_input = None
    if "input" in data:
        spec_input = _parse_input(problems, data["input"], data.value_at["input"])
    elif "input" not in misspelt:
        problems.add(top, "missing 'input' (for example `input: {channels: 3, size: 224}`)")
    width = _parse_width(problems, data["width"], data.value_at["width"]) if "width" in data else WidthRule()
    body = None
    if "layers" in data:
        body = _parse_body(problems, data["layers"], data.value_at["layers"], 0)
    elif "layers" not in misspelt:
        problems.add(top, "missing 'layers' (the list of layers)")
    if problems.found or spec_input is None or body is None:
        raise SpecError(sorted(problems.found, key=lambda found: (found.location.line, found.location.column)))
    return Spec(path=path, name=name or stem, description=description or "", reference=reference or "",
                input=spec_input, width=width, body=body)


def load_spec(path: str) -> Spec:
    """Read, parse and validate a spec file."""
    return parse_spec(read_yaml(path), path)
