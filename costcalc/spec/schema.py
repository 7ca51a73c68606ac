"""Validation: YAML data (with positions) -> a ``Spec``, or every problem found.

Spec format v1 (docs/spec-format.md)::

    name: mobilenet_v1
    description: one line for `costcalc list`
    input: {channels: 3, size: 224}          # or height: / width:
    width: {rounding: truncate}              # how alpha·n is rounded: truncate | make_divisible | none
    blocks: {...}                            # reusable groups of entries with arguments (costcalc.spec.blocks)
    layers:
      - conv: {kernel: 3, filters: 32, stride: 2}
      - batch_norm
      - relu
      - repeat: 5
        layers:
          - separable: {kernel: 3, filters: 512, batch_norm: true, activation: relu}

This module checks the top level (``input``, ``width``); ``costcalc.spec.entries`` the entries of ``layers``
and of block bodies, ``costcalc.spec.blocks`` the block definitions. All problems of this stage are
collected before it stops.
"""

from __future__ import annotations

import os
from typing import Any

from costcalc.errors import Diagnostic, Location, SpecError
from costcalc.layers import fields as f
from costcalc.layers.width import WidthRule
from costcalc.source.positioned_yaml import Mapping, read_yaml
from costcalc.source.problems import Problems, describe, kind_of, unknown_keys
from costcalc.spec.blocks import parse_blocks
from costcalc.spec.entries import parse_body
from costcalc.spec.model import BlockDef, InputSpec, Spec
from costcalc.spec.values import Scope

TOP_LEVEL_KEYS = ("version", "name", "description", "reference", "input", "width", "blocks", "layers")
ROUNDING_RULES = ("truncate", "make_divisible", "none")


def field(problems: Problems, mapping: Mapping, key: str, parse: Any, context: str) -> Any:
    try:
        return parse(mapping[key])
    except f.FieldError as error:
        problems.add(mapping.value_at[key], f"{context}'{key}': {error}", error.code or "E204")
        return None


def _parse_input(problems: Problems, value: Any, location: Location) -> InputSpec | None:
    if not isinstance(value, Mapping):
        problems.add(location, f"'input' must be a mapping like {{channels: 3, size: 224}}, got {describe(value)}", "E202")
        return None
    misspelt = unknown_keys(problems, value, ("channels", "size", "height", "width"), "input: ")
    channels = field(problems, value, "channels", f.positive_int, "input ") if "channels" in value else 3
    if "size" in value:
        if "height" in value or "width" in value:
            problems.add(value.key_at["size"], "input: give either 'size' or 'height' and 'width', not both", "E202")
        size = field(problems, value, "size", f.positive_int, "input ")
        height = width = size
    elif "height" in value and "width" in value:
        height = field(problems, value, "height", f.positive_int, "input ")
        width = field(problems, value, "width", f.positive_int, "input ")
    else:
        if not misspelt & {"size", "height", "width"}:
            problems.add(value.location, "input: needs 'size' (square) or both 'height' and 'width'", "E201")
        return None
    if channels is None or height is None or width is None:
        return None
    return InputSpec(channels=channels, height=height, width=width)


def _parse_width(problems: Problems, value: Any, location: Location) -> WidthRule:
    if not isinstance(value, Mapping):
        problems.add(location, f"'width' must be a mapping like {{rounding: truncate}}, got {describe(value)}", "E202")
        return WidthRule()
    unknown_keys(problems, value, ("rounding", "divisor", "min_channels"), "width: ")
    options: dict[str, Any] = {}
    if "rounding" in value:
        options["rounding"] = field(problems, value, "rounding", f.choice(*ROUNDING_RULES), "width ")
    for key in ("divisor", "min_channels"):
        if key in value:
            options[key] = field(problems, value, key, f.positive_int, "width ")
    options = {key: option for key, option in options.items() if option is not None}
    if options.get("rounding", "truncate") != "make_divisible":
        for key in ("divisor", "min_channels"):
            if key in value:
                problems.add(value.key_at[key], f"width: '{key}' applies to `rounding: make_divisible` only", "E200")
    return WidthRule(**options)


def parse_spec(data: Any, path: str) -> Spec:
    """Validate parsed YAML into a ``Spec``; raise ``SpecError`` with every problem found."""
    problems = Problems()
    top = Location(path, 1, 1)
    if not isinstance(data, Mapping):
        what = "empty" if data is None else f"{kind_of(data)}, not a mapping"  # never its text (docs/errors.md)
        raise SpecError(Diagnostic(top, f"a spec is a mapping with 'input' and 'layers'; this file is {what}", "E106"))
    misspelt = unknown_keys(problems, data, TOP_LEVEL_KEYS, "")
    if "version" in data and (type(data["version"]) is not int or data["version"] != 1):
        problems.add(data.value_at["version"],
                     f"unsupported spec version {describe(data['version'])}; this costcalc reads version 1", "E203")
    stem = os.path.splitext(os.path.basename(path))[0]
    name = field(problems, data, "name", f.text, "") if "name" in data else stem
    description = field(problems, data, "description", f.text, "") if "description" in data else ""
    reference = field(problems, data, "reference", f.text, "") if "reference" in data else ""
    spec_input = None
    if "input" in data:
        spec_input = _parse_input(problems, data["input"], data.value_at["input"])
    elif "input" not in misspelt:
        problems.add(top, "missing 'input' (for example `input: {channels: 3, size: 224}`)", "E201")
    width = _parse_width(problems, data["width"], data.value_at["width"]) if "width" in data else WidthRule()
    blocks: dict[str, BlockDef] = {}
    declared: dict[str, dict[str, Any]] = {}
    if "blocks" in data:
        blocks, declared = parse_blocks(problems, data["blocks"], data.value_at["blocks"])
    body = None
    if "layers" in data:
        body = parse_body(problems, data["layers"], data.value_at["layers"], 0, Scope(None, declared))
    elif "layers" not in misspelt:
        problems.add(top, "missing 'layers' (the list of layers)", "E201")
    if problems.found or spec_input is None or body is None:
        raise SpecError(problems.sorted())
    return Spec(path=path, name=name or stem, description=description or "", reference=reference or "",
                input=spec_input, width=width, body=body, blocks=blocks)


def load_spec(path: str) -> Spec:
    """Read, parse and validate a spec file."""
    return parse_spec(read_yaml(path), path)
