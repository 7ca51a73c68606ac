"""A spec's named variants (``variants:``): the models of one family, each a bundled name of its own.

    variants:
      efficientnet_b4: {description: EfficientNet-B4, alpha: 1.4, depth_multiplier: 1.8, resolution: 380}
      resnet50: {args: {block: bottleneck, stage3: 6}}

A variant sets the spec's arguments (``args:``, docs/spec-format.md) and the alpha, depth multiplier,
resolution and width rule it is published at; the command line's options replace the last four. A bundled
spec's variants are bundled names (``costcalc report efficientnet_b4``, ``costcalc list``).
"""

from __future__ import annotations

import re
from typing import Any

from costcalc.errors import Diagnostic, Location, SpecError, did_you_mean, quoted
from costcalc.layers import fields as f
from costcalc.layers.width import PRESETS
from costcalc.source.positioned import Mapping
from costcalc.source.problems import Problems, describe, unknown_keys
from costcalc.spec.model import REQUIRED_ARG, Spec, Variant

VARIANT_KEYS = ("description", "args", "alpha", "depth_multiplier", "resolution", "width_rule")
_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*\Z"  # a pattern's text: re compiles it when first used, and caches it (start-up, issue 17)


def _multiplier(value: Any) -> Any:
    from costcalc.quantities import exact_number

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise f.FieldError(f"expected a multiplier like 1.4 or 7/5, got {describe(value)}")
    try:
        number = exact_number(value)
    except ValueError as error:
        raise f.FieldError(f"expected a multiplier like 1.4 or 7/5: {error}") from None
    if number <= 0:
        raise f.FieldError(f"expected a multiplier above 0, got {describe(value)}")
    return number


def _argument(problems: Problems, value: Any, at: Location, name: str, spec_args: dict[str, Any],
              context: str) -> Any:
    from costcalc.spec import values as v

    if name not in spec_args:
        takes = f"the spec takes: {', '.join(spec_args)}" if spec_args else "the spec takes no arguments"
        problems.add(at, f"{context}unknown argument {quoted(str(name))}{did_you_mean(name, spec_args)}; {takes}",
                     "E232")
        return v.FAILED
    try:
        if isinstance(value, list):
            return [v.literal(item) for item in value]
        value = v.literal(value)
    except f.FieldError as error:
        problems.add(at, f"{context}'{name}': {error}", "E232")
        return v.FAILED
    if isinstance(value, dict) or value is None:
        problems.add(at, f"{context}'{name}': an argument is a number, true/false, a string or a list of numbers, "
                         f"got {describe(value)}", "E232")
        return v.FAILED
    return value


def parse_variants(problems: Problems, value: Any, location: Location, spec_args: dict[str, Any]) -> dict[str, Variant]:
    """Each variant of ``variants:``, checked against the spec's arguments; problems are collected."""
    if not isinstance(value, Mapping):
        problems.add(location, f"'variants' must be a mapping of names to variants, like {{resnet50: {{args: ...}}}}, "
                               f"got {describe(value)}", "E202")
        return {}
    found: dict[str, Variant] = {}
    for name, entry in value.items():
        at = value.key_at[name]
        if not isinstance(name, str) or not re.match(_NAME, name):
            problems.add(at, f"variant name {quoted(name)} must be a name of letters, digits, _, . and -", "E232")
            continue
        context = f"variant '{name}': "
        if entry is None:
            entry = Mapping()
            entry.location, entry.key_at, entry.value_at = at, {}, {}
        if not isinstance(entry, Mapping):
            problems.add(value.value_at[name], f"{context}a variant is a mapping of {', '.join(VARIANT_KEYS)}, got "
                                               f"{describe(entry)}", "E202")
            continue
        before = len(problems.found)
        unknown_keys(problems, entry, VARIANT_KEYS, context)
        parsed: dict[str, Any] = {"description": "", "args": {}, "alpha": None, "depth_multiplier": None,
                                  "resolution": None, "width_rule": None}
        for key, parse in (("description", f.text), ("alpha", _multiplier), ("depth_multiplier", _multiplier),
                           ("resolution", f.positive_int), ("width_rule", f.choice(*PRESETS))):
            if key in entry:
                try:
                    parsed[key] = parse(entry[key])
                except f.FieldError as error:
                    problems.add(entry.value_at[key], f"{context}'{key}': {error}", "E232")
        if "args" in entry:
            args = entry["args"]
            if not isinstance(args, Mapping):
                problems.add(entry.value_at["args"], f"{context}'args' must be a mapping of the spec's arguments to "
                                                     f"values, got {describe(args)}", "E202")
            else:
                parsed["args"] = {key: _argument(problems, item, args.value_at[key], key, spec_args, context)
                                  for key, item in args.items()}
        missing = [arg for arg, default in spec_args.items() if default == REQUIRED_ARG and arg not in parsed["args"]]
        if missing:
            problems.add(at, f"{context}the spec's argument{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(repr(arg) for arg in missing)} {'are' if len(missing) > 1 else 'is'} "
                             "required", "E232")
        if len(problems.found) == before:
            found[name] = Variant(name, parsed["description"], parsed["args"], parsed["alpha"],
                                  parsed["depth_multiplier"], parsed["resolution"], parsed["width_rule"], at)
    return found


def select_variant(spec: Spec, name: str) -> Spec:
    """The spec as its variant ``name``: that name and description, its arguments set."""
    variant = spec.variants[name]
    return spec._replace(name=variant.name, description=variant.description or spec.description, variant=variant)


def spec_arguments(spec: Spec) -> dict[str, Any]:
    """The spec's own arguments: their defaults, and its variant's values."""
    args = {name: default for name, default in spec.args.items() if default != REQUIRED_ARG}
    args.update(spec.variant.args if spec.variant is not None else {})
    missing = [name for name in spec.args if name not in args]
    if missing:
        variants = f"; its variants give {'it' if len(missing) == 1 else 'them'}: {', '.join(spec.variants)}" \
            if spec.variants else ""
        raise SpecError(Diagnostic(Location(spec.path, 1, 1), f"the spec's argument{'s' if len(missing) > 1 else ''} "
                                   f"{', '.join(repr(name) for name in missing)} {'are' if len(missing) > 1 else 'is'} "
                                   f"required{variants}", "E233"))
    return args
