"""A network as the API holds it (``Model``: a spec read once, built at each depth multiplier asked for) and its
report at one design point: the ``costcalc report`` command is this module's ``Model.report`` and a renderer."""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, Union

from costcalc.api import inputs
from costcalc.api.inputs import ArgumentError, Number
from costcalc.api.results import Frozen, Report

SpecName = Union[str, os.PathLike[str], None]
UNITS = ("mult-adds", "flops")
WIDTH_RULES = ("truncate", "torchvision", "tfslim", "round_filters", "none")  # costcalc.layers.width.PRESETS


def spec_name(spec: SpecName) -> str | None:
    """A name as the command line takes it: a ``pathlib.Path`` is a file even when it is written bare
    (``Path("net.yaml")`` is ``./net.yaml``), a string is read as SPEC is (docs/errors.md, "Names and paths")."""
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, os.PathLike):
        path = os.fspath(spec)
        return path if os.path.dirname(path) else os.path.join(".", path)
    raise ArgumentError(f"spec: expected a name, a path or a Model, got {type(spec).__name__}")


def load(spec: SpecName = None, width_rule: str | None = None) -> Model:
    """The network SPEC names: a bundled spec's name (``"mobilenet_v1"``, a variant's: ``"efficientnet_b4"``), a
    spec file's path, or an ONNX model's (``"net.onnx"``, with ``costcalc[onnx]``); None is ``mobilenet_v1``.
    ``width_rule`` replaces the spec's (or its variant's) rule for alpha·n channels. Bad input raises
    ``costcalc.errors.CostcalcError``, whose ``diagnostics`` are the command line's located messages."""
    from costcalc.source.bundled import DEFAULT_SPEC
    from costcalc.spec.loading import load_spec_named

    name = spec_name(spec)
    rule = None if width_rule is None else inputs.choice(width_rule, "width_rule", WIDTH_RULES)
    return Model(name or DEFAULT_SPEC, load_spec_named(name, rule))


class Model(Frozen):
    """A network read once (``spec``: ``costcalc.spec.model.Spec``), named as the user named it. Immutable and
    compared by name and spec, as a frozen dataclass would be (``costcalc.api.results.Frozen``);
    the networks built from it at each depth multiplier are kept, not compared."""

    __slots__ = ("name", "spec", "_networks")
    _fields = ("name", "spec")
    name: str
    spec: Any
    _networks: dict[Fraction, Any]

    def __init__(self, name: str, spec: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "_networks", {})

    def depth_multiplier(self, given: Number | None = None) -> Fraction:
        """``given``, else the variant's depth multiplier, else 1."""
        from costcalc.spec.loading import depth_multiplier_of

        return depth_multiplier_of(self.spec, None if given is None else inputs.multiplier(given, "depth_multiplier"))

    def network(self, depth_multiplier: Number | None = None) -> Any:
        """The network built at a depth multiplier (``costcalc.spec.build.Network``), built once for each."""
        from costcalc.spec.build import build_network

        depth = self.depth_multiplier(depth_multiplier)
        if depth not in self._networks:
            self._networks[depth] = build_network(self.spec, depth)
        return self._networks[depth]

    def with_width_rule(self, width_rule: str | None) -> Model:
        """This model with another width rule (None: itself)."""
        if width_rule is None:
            return self
        from costcalc.layers.width import WidthRule

        rule = inputs.choice(width_rule, "width_rule", WIDTH_RULES)
        return Model(self.name, self.spec._replace(width=WidthRule.of_preset(rule)))

    def point(self, alpha: Number | None = None, rho: Number | None = None,
              resolution: Number | None = None) -> tuple[Fraction, Fraction]:
        """(alpha, rho): ``resolution`` in pixels is rho = resolution / the spec's input size; what is not given is
        the variant's, else alpha 1 at the spec's own size."""
        from costcalc.spec.loading import variant_point

        if rho is not None and resolution is not None:
            raise ArgumentError("give rho or resolution, not both")
        return variant_point(self.spec, None if alpha is None else inputs.multiplier(alpha, "alpha"),
                             None if rho is None else inputs.multiplier(rho, "rho"),
                             None if resolution is None else inputs.resolution(resolution))

    def report(self, alpha: Number | None = None, rho: Number | None = None, resolution: Number | None = None,
               depth_multiplier: Number | None = None, width_rule: str | None = None, convention: Any = "paper",
               unit: str = "mult-adds", dtype: str = "fp32", device: Any = None, symbolic: bool = False,
               depth: int | None = None, all_layers: bool = False, batch: int = 1) -> Report:
        """Exact per-layer and total Mult-Adds and params at one design point, with memory (``dtype``) and, on a
        ``device`` profile (a bundled name or a file), the roofline latency: ``costcalc report``. ``symbolic``
        adds the closed form (imports sympy); ``depth`` and ``all_layers`` shape the table as the options do;
        ``batch``: images at once (counts, activations and latency per batch; weights once)."""
        from costcalc.analysis.report import build_report
        from costcalc.engine.exact import evaluate
        from costcalc.render.view import View

        model = self.with_width_rule(width_rule)
        network = model.network(depth_multiplier)
        point = model.point(alpha, rho, resolution)
        evaluation = evaluate(network, *point, read_convention(convention, unit))
        levels = None if depth is None else inputs.whole(depth, "depth")
        analysis = build_report(evaluation, symbolic=symbolic, depth=levels, dtype=read_dtype(dtype),
                                device=read_device(device), batch=read_batch(batch))
        return Report(analysis, View(specs=(self.name,), all_layers=bool(all_layers)))


def read_convention(convention: Any, unit: str = "mult-adds") -> Any:
    """A built-in convention's name or a convention file's path, counted in ``unit`` (mult-adds or flops); a
    convention already read (``costcalc.conventions.Convention``) is itself."""
    from costcalc.conventions import Convention
    from costcalc.conventions.files import resolve_convention

    if isinstance(convention, Convention):
        return convention
    if not isinstance(convention, str):
        raise ArgumentError(f"convention: expected a name or a path, got {type(convention).__name__}")
    return resolve_convention(convention, inputs.choice(unit, "unit", UNITS))


def read_batch(batch: Any) -> int:
    """Images at once: a whole number from 1 to ``costcalc.analysis.batch.MAX_BATCH``."""
    from costcalc.analysis.batch import MAX_BATCH

    count = inputs.whole(batch, "batch")
    if not 1 <= count <= MAX_BATCH:
        raise ArgumentError(f"batch: {count} is not a batch of 1 to {MAX_BATCH:,} images")
    return count


def read_dtype(dtype: str) -> str:
    from costcalc.devices import DTYPES

    return inputs.choice(dtype, "dtype", DTYPES)


def read_device(device: Any) -> Any:
    """A bundled device profile's name or a device file's path (None: no latency); a profile already read
    (``costcalc.devices.profiles.Device``) is itself."""
    if device is None:
        return None
    from costcalc.devices.profiles import Device

    if isinstance(device, Device):
        return device
    if not isinstance(device, str):
        raise ArgumentError(f"device: expected a name or a path, got {type(device).__name__}")
    from costcalc.devices.profiles import resolve_device

    return resolve_device(device)


def report(spec: SpecName | Model = None, alpha: Number | None = None, rho: Number | None = None,
           resolution: Number | None = None, depth_multiplier: Number | None = None, width_rule: str | None = None,
           convention: Any = "paper", unit: str = "mult-adds", dtype: str = "fp32", device: Any = None,
           symbolic: bool = False, depth: int | None = None, all_layers: bool = False, batch: int = 1) -> Report:
    """``costcalc report SPEC``: ``load(spec, width_rule).report(...)`` (see ``Model.report``)."""
    model = spec.with_width_rule(width_rule) if isinstance(spec, Model) else load(spec, width_rule)
    return model.report(alpha, rho, resolution, depth_multiplier, convention=convention, unit=unit, dtype=dtype,
                        device=device, symbolic=symbolic, depth=depth, all_layers=all_layers, batch=batch)
