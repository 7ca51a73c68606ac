"""Validation: YAML data (with positions) -> a ``Spec``, or every problem found.

Spec format v1 (docs/spec-format.md)::

    name: mobilenet_v1
    description: one line for `costcalc list`
    input: {channels: 3, size: 224}          # or height: / width:
    width: {rounding: truncate}              # how alpha·n is rounded (or {preset: tfslim}: costcalc.layers.width)
    depth: {rounding: ceil}                  # how round_repeats(n) rounds d·n (costcalc.spec.depth)
    args: {block: basic}                     # the spec's own arguments, read by its top-level layers
    variants: {...}                          # named models of the family (costcalc.spec.variants)
    blocks: {...}                            # reusable groups of entries with arguments (costcalc.spec.blocks)
    layers:
      - conv: {kernel: 3, filters: 32, stride: 2}
      - batch_norm
      - relu
      - repeat: 5
        layers:
          - separable: {kernel: 3, filters: 512, batch_norm: true, activation: relu}

This module checks the top level (``input``, ``width``, ``depth``, ``args``); ``costcalc.spec.entries`` the
entries of ``layers`` and of block bodies, ``costcalc.spec.blocks`` the block definitions,
``costcalc.spec.variants`` the variants. All problems of this stage are collected before it stops.
"""

from __future__ import annotations

import os
from typing import Any

from costcalc.errors import Diagnostic, Location, SpecError
from costcalc.layers import fields as f
from costcalc.layers.width import EXPANSIONS, HEADS, PRESETS, ROUNDINGS, WidthRule
from costcalc.source.positioned import Mapping
from costcalc.source.problems import Problems, describe, kind_of, unknown_keys
from costcalc.spec.blocks import parse_args, parse_blocks
from costcalc.spec.depth import DEPTH_ROUNDINGS, DepthRule
from costcalc.spec.entries import parse_body
from costcalc.spec.model import BlockDef, Entry, IfEntry, InputSpec, RepeatEntry, ResidualEntry, Spec
from costcalc.spec.values import Scope

TOP_LEVEL_KEYS = ("version", "name", "description", "reference", "input", "width", "depth", "args", "variants",
                  "blocks", "layers")
ROUNDING_RULES = ROUNDINGS
WIDTH_KEYS = ("preset", "rounding", "divisor", "min_channels", "expansion", "heads")


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
    """``width: {preset: NAME}`` (costcalc.layers.width.PRESETS), or its rules one by one; keys given beside a
    preset change that rule of it (the name shown is then the rules')."""
    if not isinstance(value, Mapping):
        problems.add(location, f"'width' must be a mapping like {{rounding: truncate}}, got {describe(value)}", "E202")
        return WidthRule()
    unknown_keys(problems, value, WIDTH_KEYS, "width: ")
    rule = WidthRule()
    if "preset" in value:
        preset = field(problems, value, "preset", f.choice(*PRESETS), "width ")
        rule = WidthRule.of_preset(preset) if preset is not None else rule
    options: dict[str, Any] = {}
    for key, parse in (("rounding", f.choice(*ROUNDINGS)), ("expansion", f.choice(*EXPANSIONS)),
                       ("heads", f.choice(*HEADS)), ("divisor", f.positive_int), ("min_channels", f.positive_int)):
        if key in value:
            options[key] = field(problems, value, key, parse, "width ")
    options = {key: option for key, option in options.items() if option is not None}
    if options.get("rounding", rule.rounding) != "make_divisible":
        for key in ("divisor", "min_channels"):
            if key in value:
                problems.add(value.key_at[key], f"width: '{key}' applies to `rounding: make_divisible` only", "E200")
    changed = {key: option for key, option in options.items() if option != getattr(rule, key)}
    return rule._replace(**changed, preset=None if changed else rule.preset)


def _parse_depth(problems: Problems, value: Any, location: Location) -> DepthRule:
    if not isinstance(value, Mapping):
        problems.add(location, f"'depth' must be a mapping like {{rounding: ceil}}, got {describe(value)}", "E202")
        return DepthRule()
    unknown_keys(problems, value, ("rounding",), "depth: ")
    rounding = field(problems, value, "rounding", f.choice(*DEPTH_ROUNDINGS), "depth ") if "rounding" in value else None
    return DepthRule(rounding or "ceil")


def scales_depth(body: tuple[Entry, ...], blocks: dict[str, BlockDef]) -> bool:
    """Whether some repeat count, in the layers or in a block they use, calls round_repeats."""
    def walk(entries: tuple[Entry, ...]) -> bool:
        for entry in entries:
            if isinstance(entry, RepeatEntry) and getattr(entry.count, "functions", frozenset()) & {"round_repeats"}:
                return True
            inner: tuple[Entry, ...] = ()
            if isinstance(entry, (RepeatEntry, IfEntry, ResidualEntry)):
                inner = entry.body + (entry.orelse if isinstance(entry, IfEntry) else ()) + (
                    entry.shortcut if isinstance(entry, ResidualEntry) else ())
            elif hasattr(entry, "branches"):
                inner = tuple(item for branch in entry.branches for item in branch)  # type: ignore[union-attr]
            if walk(inner):
                return True
        return False

    return walk(body) or any(walk(block.body) for block in blocks.values())


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
    depth = _parse_depth(problems, data["depth"], data.value_at["depth"]) if "depth" in data else DepthRule()
    spec_args: dict[str, Any] | None = None
    if "args" in data:
        spec_args = parse_args(problems, data["args"], data.value_at["args"], None)
    blocks: dict[str, BlockDef] = {}
    declared: dict[str, dict[str, Any]] = {}
    if "blocks" in data:
        blocks, declared = parse_blocks(problems, data["blocks"], data.value_at["blocks"])
    variants = {}
    if "variants" in data:
        from costcalc.spec.variants import parse_variants

        variants = parse_variants(problems, data["variants"], data.value_at["variants"], spec_args or {})
    body = None
    if "layers" in data:
        body = parse_body(problems, data["layers"], data.value_at["layers"], 0, Scope(spec_args, declared))
    elif "layers" not in misspelt:
        problems.add(top, "missing 'layers' (the list of layers)", "E201")
    if problems.found or spec_input is None or body is None:
        raise SpecError(problems.sorted())
    from costcalc.spec.padding_note import note_padding

    note_padding(body, blocks)
    return Spec(path=path, name=name or stem, description=description or "", reference=reference or "",
                input=spec_input, width=width, body=body, blocks=blocks, args=spec_args or {}, depth=depth,
                variants=variants, scales_depth=scales_depth(body, blocks))


def load_spec(path: str) -> Spec:
    """Read, parse and validate a spec file; ``FILE#NAME`` (a bundled variant's path) is its variant NAME."""
    from costcalc.source.bundled import split_variant

    from costcalc.source.bundled import is_bundled_file
    from costcalc.source.spec_cache import read_spec_tree

    file, variant = split_variant(path)
    spec = parse_spec(read_spec_tree(file, cached=is_bundled_file(file)), file)  # a bundled spec: its cached form
    if variant is None:
        return spec
    if variant not in spec.variants:
        from costcalc.errors import did_you_mean, quoted

        names = ", ".join(spec.variants) or "none"
        raise SpecError(Diagnostic(Location(file), f"no variant {quoted(variant)}{did_you_mean(variant, spec.variants)}; "
                                                   f"the spec's variants are: {names}", "E232"))
    from costcalc.spec.variants import select_variant

    return select_variant(spec, variant)
