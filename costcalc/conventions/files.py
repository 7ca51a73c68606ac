"""Conventions by name or from a YAML file: ``--convention fvcore`` or ``--convention my_counter.yaml``.

A convention file (docs/conventions.md, "Your own convention")::

    name: my_counter
    description: conv MACs, and one op per batch-norm and ReLU element
    mult_adds:
      weight_macs: 1                  # a number: how many times the component counts
      bn_elements: 2
      act_relu: {times: 1, kind: op}  # kind: mac (2 FLOPs each under --unit flops) or op (1)
    params: [weights, biases, bn_affine]
    ignores: [bias_adds, act_*]       # what it counts as nothing, said so (act_*: every activation; *: all others)

A component the file neither counts nor ignores counts as nothing too, and the CLI warns about it.

It is read like a spec: safe YAML only, every problem reported at its line with a code.
"""

from __future__ import annotations

import os

from costcalc.conventions import CONVENTIONS, UNITS, Convention, Term
from costcalc.errors import CostcalcError, Diagnostic, Location, closest, did_you_mean, quoted
from costcalc.layers.components import COMPONENTS, component, is_component, param_components

KEYS = ("name", "description", "tool", "source", "mult_adds", "params", "ignores")
KINDS = ("mac", "op")
MAX_TIMES = 1_000_000  # how many times a component counts: bounded so that every count stays printable


class ConventionError(CostcalcError):
    """A convention that is not built in and not a valid convention file."""


def is_parameter(name: str) -> bool:
    """A parameter component, qualified or not (``weights.linear``)."""
    found = component(name)
    return found is not None and found.param


def known_components() -> list[str]:
    return list(COMPONENTS)


def resolve_convention(text: str, unit: str = "mult-adds", folder: str | None = ".") -> Convention:
    """A built-in convention by its bare name, or one read from a file written as a path (``my.yaml``,
    ``./mine``), in ``unit``. A file in ``folder`` named like a built-in is warned about (W100), not read;
    ``folder=None`` when the caller has looked already (a budgets file, beside itself)."""
    from costcalc.source.names import named_or_file

    builtin, name = named_or_file(text, CONVENTIONS, "built-in convention", folder, ConventionError, "E520",
                                  f"one of: {', '.join(CONVENTIONS)}, or a convention file (.yaml)")
    return (CONVENTIONS[name] if builtin else load_convention(name)).in_unit(unit)


def load_convention(path: str) -> Convention:
    from costcalc.source.positioned import Mapping, Sequence
    from costcalc.source.positioned_yaml import read_yaml
    from costcalc.source.problems import Problems, unknown_keys

    data = read_yaml(path, "convention")
    top = Location(path, 1, 1)
    problems = Problems(ConventionError)

    def problem(location: Location, message: str, code: str = "E520") -> None:
        problems.add(location, message, code)

    if not isinstance(data, Mapping):
        raise ConventionError(Diagnostic(top, "a convention file is a mapping with 'mult_adds' and 'params'", "E520"))
    unknown_keys(problems, data, KEYS, "", "E520")
    texts = {}
    for key in ("name", "description", "tool", "source"):
        value = data.get(key, "")
        if not isinstance(value, str):
            problem(data.value_at[key], f"'{key}' must be a string")
        texts[key] = value if isinstance(value, str) else ""
    name = texts["name"] or os.path.splitext(os.path.basename(path))[0]
    if name in CONVENTIONS:
        problem(data.value_at.get("name", top), f"{quoted(name)} is a built-in convention; give yours another name")
    terms = []
    mult_adds = data.get("mult_adds")
    if not isinstance(mult_adds, Mapping) or not mult_adds:
        problem(data.value_at.get("mult_adds", top), "'mult_adds' must be a mapping of cost components to how many "
                                                     "times each counts, like {weight_macs: 1, bn_elements: 2}")
    else:
        for component, value in mult_adds.items():
            at = mult_adds.value_at[component]
            if not isinstance(component, str) or not is_component(component):
                match = closest(component, known_components())
                hint = f" (did you mean '{match}'?)" if match else ""
                problem(mult_adds.key_at[component], f"unknown cost component {quoted(component)}{hint}; "
                                                     f"docs/conventions.md lists them", "E521")
                continue
            kind = "mac" if component.split(".")[0] == "weight_macs" else "op"
            times = value
            if isinstance(value, Mapping):
                extra = [key for key in value if key not in ("times", "kind")]
                if extra:
                    problem(value.key_at[extra[0]], f"'{component}': unknown key {quoted(extra[0])}; expected times, "
                                                    "kind")
                times, kind = value.get("times", 1), value.get("kind", kind)
                if kind not in KINDS:
                    problem(value.value_at.get("kind", at), f"'{component}': kind must be mac or op, got "
                                                            f"{quoted(kind)}")
            if isinstance(times, bool) or not isinstance(times, int):
                problem(at, f"'{component}': expected a whole number of times (it may be negative), got "
                            f"{quoted(times)}")
                continue
            if abs(times) > MAX_TIMES:
                from costcalc.quantities import shown_integer

                problem(at, f"'{component}': expected a whole number of times from -{MAX_TIMES:,} to {MAX_TIMES:,}, "
                            f"got {shown_integer(times)}")
                continue
            terms.append(Term(component, times, kind))
    params = data.get("params", Sequence())
    if not isinstance(params, Sequence):
        problem(data.value_at.get("params", top), "'params' must be a list of parameter components, like "
                                                  "[weights, biases, bn_affine]")
        params = []
    param_names = param_components()
    for item, at in zip(params, getattr(params, "item_at", [top] * len(params))):
        if item not in param_names and not (isinstance(item, str) and "." in item and is_parameter(item)):
            problem(at, f"unknown parameter component {quoted(item)}{did_you_mean(item, param_names)}; expected "
                        f"one of: {', '.join(param_names)}", "E521")
    ignores = data.get("ignores", Sequence())
    if not isinstance(ignores, Sequence):
        problem(data.value_at.get("ignores", top), "'ignores' must be a list of cost components, like [bias_adds, "
                                                   "act_*] (act_*: every activation; *: every other component)")
        ignores = []
    for item, at in zip(ignores, getattr(ignores, "item_at", [top] * len(ignores))):
        if item not in ("act_*", "*") and not is_component(item):
            match = closest(item, known_components()) if isinstance(item, str) else None
            hint = f" (did you mean '{match}'?)" if match else ""
            problem(at, f"unknown cost component {quoted(item)}{hint} in 'ignores'; docs/conventions.md lists them",
                    "E521")
    if problems.found:
        raise ConventionError(problems.sorted())
    convention = Convention(name=name, description=texts["description"] or f"defined in {path}",
                            mult_adds=tuple(terms), params=tuple(params), tool=texts["tool"],
                            source=texts["source"] or path, ignores=tuple(ignores))
    undecided = convention.undecided()
    if undecided:  # no silent zero: say which components count as nothing without the file saying so
        from costcalc.errors import warn

        shown = ", ".join(undecided[:12]) + (f", and {len(undecided) - 12} more" if len(undecided) > 12 else "")
        warn(top, f"the convention counts {len(undecided)} cost component{'s' if len(undecided) > 1 else ''} as "
                  f"nothing without saying so: {shown}; list them under 'ignores' (act_* for every activation, * for all of them) or "
                  "count them under 'mult_adds' or 'params' (docs/conventions.md)", "W102")
    return convention


__all__ = ["UNITS", "ConventionError", "load_convention", "resolve_convention"]
