"""Running budget checks: every check x configuration x metric against its limit and, with a baseline,
against the growth it allows; plus which layers changed since the baseline. The command line (``check``,
``snapshot``) reads options and files and renders results; the running is here (``run_checks``), with each
network, convention, device and evaluation loaded once per run (``Loaded``)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.budget.baseline import BaselineReport, find_baseline
from costcalc.budget.config import METRICS, CheckSpec, Configuration
from costcalc.engine.results import Evaluation


class LayerChange(NamedTuple):
    name: str
    baseline: int | None  # None: a new layer
    value: int | None  # None: a removed layer

    @property
    def delta(self) -> int:
        return (self.value or 0) - (self.baseline or 0)


class CheckResult(NamedTuple):
    check: CheckSpec
    evaluation: Evaluation
    metric: str  # "mult_adds", "params", "latency" (seconds, exact) or "peak_memory" (bytes)
    value: int | Fraction
    limit: int | Fraction | None
    baseline: int | None
    max_increase: Fraction | None
    min_delta: int
    layer_changes: tuple[LayerChange, ...]  # layers whose count changed since the baseline, largest first
    baseline_report: BaselineReport | None = None  # the report compared with (maybe another configuration)
    device: Any = None  # a latency's device: a calibrated one's latency carries its held-out error

    @property
    def delta(self) -> int | None:
        """The change since the baseline (counts only: latency and memory have no baseline)."""
        return None if self.baseline is None else int(self.value) - self.baseline

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.value > self.limit

    @property
    def grew_too_much(self) -> bool:
        """Grew past ``max_increase`` of the baseline, by at least ``min_delta``."""
        delta = self.delta
        if delta is None or self.max_increase is None or delta <= 0 or delta < self.min_delta:
            return False
        return Fraction(delta) > self.max_increase * self.baseline  # type: ignore[operator]

    @property
    def ok(self) -> bool:
        return not self.over_limit and not self.grew_too_much


def _changes(evaluation: Evaluation, baseline: BaselineReport, metric: str) -> tuple[LayerChange, ...]:
    now = {row.name: getattr(row, metric) for row in evaluation.layers}
    before = {name: counts[metric] for name, counts in baseline.layers.items() if metric in counts}
    changes = [LayerChange(name, before.get(name), now.get(name)) for name in dict.fromkeys([*before, *now])
               if before.get(name) != now.get(name) and (before.get(name) or now.get(name))]
    return tuple(sorted(changes, key=lambda change: -abs(change.delta)))


def check_evaluation(check: CheckSpec, evaluation: Evaluation, baselines: list[BaselineReport],
                     max_increase: Fraction | None = None, min_delta: int | None = None) -> list[CheckResult]:
    """The results of one check at one configuration (its evaluation); ``max_increase``/``min_delta``
    from the command line override the check's own."""
    baseline = find_baseline(baselines, evaluation.spec.name, evaluation.alpha, evaluation.resolution,
                             counting_label(evaluation), evaluation.depth_multiplier) if baselines else None
    growth = max_increase if max_increase is not None else check.max_increase
    smallest = min_delta if min_delta is not None else check.min_delta
    results = []
    for metric in METRICS:
        limit = check.limits.get(metric)
        if limit is None and baseline is None and growth is None:
            continue
        value = evaluation.mult_adds if metric == "mult_adds" else evaluation.params
        results.append(CheckResult(
            check, evaluation, metric, value, limit,
            None if baseline is None else baseline.totals[metric], growth, smallest,
            () if baseline is None else _changes(evaluation, baseline, metric), baseline,
        ))
    return results


def counting_label(evaluation: Evaluation) -> str:
    """The convention as a baseline records it, with the unit unless it is Mult-Adds: a baseline counted in
    FLOPs is not compared with a count in Mult-Adds."""
    convention = evaluation.convention
    return convention.name if convention.unit == "mult-adds" else f"{convention.name} ({convention.unit})"


class Loaded:
    """Networks, conventions, devices and evaluations of one run, each loaded or computed once however many
    checks name it: a budgets file of a thousand checks of one spec reads that spec once."""

    def __init__(self, unit: str = "mult-adds"):
        self.unit = unit
        self.found: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], make: Any) -> Any:
        if key not in self.found:
            self.found[key] = make()
        return self.found[key]

    def network(self, spec: str, depth_multiplier: Fraction | None = None, width_rule: str | None = None) -> Any:
        """The network of ``spec`` at a depth multiplier (None: its variant's, else 1) under a width rule (None:
        its own), built once per run."""
        from costcalc.spec.loading import load_network

        return self._once(("network", spec, depth_multiplier, width_rule),
                          lambda: load_network(spec, depth_multiplier, width_rule))

    def convention(self, text: str, from_command_line: bool) -> Any:
        """A convention from --convention (a bare name checked against this folder) or from a check (already
        checked against its budgets file's folder)."""
        from costcalc.conventions.files import resolve_convention

        folder = "." if from_command_line else None
        return self._once(("convention", text, folder), lambda: resolve_convention(text, self.unit, folder=folder))

    def device(self, text: str) -> Any:
        from costcalc.devices.profiles import resolve_device

        return self._once(("device", text), lambda: resolve_device(text, folder=None))

    def evaluation(self, spec: str, configuration: Any, counting: Any, width_rule: str | None = None) -> Any:
        from costcalc.engine.exact import evaluate
        from costcalc.spec.loading import variant_point

        def make() -> Any:
            network = self.network(spec, configuration.depth_multiplier, width_rule)
            alpha, rho = variant_point(network.spec, configuration.alpha, None, configuration.resolution)
            return evaluate(network, alpha, rho, counting)

        return self._once(("evaluation", spec, configuration, id(counting), width_rule), make)


def check_resources(check: Any, loaded: Loaded) -> tuple[Any, Any, Any, str] | None:
    """A budgets-file check's own latency and peak-memory limits, with its device and dtype."""
    if check.max_latency is None and check.max_peak_memory is None:
        return None
    profile = loaded.device(check.device) if check.device is not None else None  # checked beside the budgets file
    if check.require_calibrated and check.max_latency is not None and profile is not None \
            and profile.calibration is None:
        from costcalc.budget.config import BudgetError
        from costcalc.errors import Diagnostic, quoted

        where = check.limit_at.get("require_calibrated", check.location)
        raise BudgetError(Diagnostic(where, f"check {quoted(check.label)}: 'require_calibrated': the device "
                                           f"{quoted(profile.name)} is a roofline profile, not calibrated (costcalc "
                                           "calibrate, docs/calibrate.md)", "E544"))
    return check.max_latency, check.max_peak_memory, profile, check.dtype


def resource_results(check: Any, evaluation: Any, latency: Any, peak: Any, device: Any, dtype: str) -> list[Any]:
    """Latency (a roofline estimate on ``device``) and peak activation memory, as check results."""
    from costcalc.analysis.memory import memory

    use = memory(evaluation, dtype)
    results = []
    if peak is not None:
        results.append(CheckResult(check, evaluation, "peak_memory", use.peak_activation_bytes, peak, None, None, 0, ()))
    if latency is not None:
        from costcalc.analysis.roofline import roofline

        estimate = roofline(evaluation, use, device).latency_s
        results.append(CheckResult(check, evaluation, "latency", estimate, latency, None, None, 0, (), device=device))
    return results


def run_checks(checks: list[CheckSpec], baselines: list[BaselineReport], loaded: Loaded,
               flag_limits: dict[str, int | None], alphas: list[Fraction] | None = None,
               resolutions: list[int] | None = None, convention: str | None = None,
               growth: Fraction | None = None, min_delta: int | None = None,
               resources: tuple[Any, Any, Any, str] | None = None, depths: list[Fraction] | None = None,
               width_rule: str | None = None) -> list[CheckResult]:
    """Every check at every configuration, against its limits, its baseline and its resources. Options from the
    command line replace what a check says: ``flag_limits`` (a metric's limit), ``alphas``, ``resolutions`` and
    ``depths`` (each replaces only its own axis of a check's configurations), ``convention`` (its name, read
    against the working folder), ``growth``/``min_delta``, ``resources`` (latency and peak-memory limits, device,
    dtype) and ``width_rule``."""
    results: list[CheckResult] = []
    for check, counting in configured(checks, loaded, flag_limits, alphas, resolutions, convention, depths,
                                      width_rule):
        limits_now = resources if resources is not None else check_resources(check, loaded)
        for configuration in check.configurations:
            evaluation = loaded.evaluation(check.spec, configuration, counting, check.width_rule)
            results += check_evaluation(check, evaluation, baselines, growth, min_delta)
            if limits_now is not None:
                results += resource_results(check, evaluation, *limits_now)
    return results


def configured(checks: list[CheckSpec], loaded: Loaded, flag_limits: dict[str, int | None],
               alphas: list[Fraction] | None = None, resolutions: list[int] | None = None,
               convention: str | None = None, depths: list[Fraction] | None = None,
               width_rule: str | None = None) -> Iterator[tuple[CheckSpec, Any]]:
    """Each check with the command line's options in place of its own (``run_checks``), and its convention."""
    for check in checks:
        limits = {metric: flag_limits[metric] if flag_limits.get(metric) is not None else limit
                  for metric, limit in check.limits.items()}
        alphas_now: list[Fraction | None] = (list(alphas) if alphas else
                                             list(dict.fromkeys(each.alpha for each in check.configurations)))
        resolutions_now: list[int | None] = (list(resolutions) if resolutions
                                             else list(dict.fromkeys(each.resolution for each in check.configurations)))
        depths_now: list[Fraction | None] = (list(depths) if depths else
                                             list(dict.fromkeys(each.depth_multiplier for each in check.configurations)))
        configurations = tuple(Configuration(alpha, resolution, depth) for depth in depths_now for alpha in alphas_now
                               for resolution in resolutions_now)
        # a check's own convention was checked against its budgets file's folder; --convention, against this one
        counting = loaded.convention(convention, True) if convention else loaded.convention(check.convention, False)
        yield check._replace(limits=limits, convention=convention or check.convention, configurations=configurations,
                             width_rule=width_rule or check.width_rule), counting
