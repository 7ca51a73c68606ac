"""Timing an exported model on this machine's CPU with ONNX Runtime, for ``costcalc calibrate --run``
(docs/calibrate.md): warm-up runs first (one-off allocations, the first kernels' set-up), then timed runs, of
which the median is kept (robust to a run the system interrupted). The intra-op thread count is set, and
recorded: latency on a CPU depends on it as much as on the model. Times are whole nanoseconds, so the
measurement is an exact number from the start: wall-clock time (``time.perf_counter_ns``, the default), or
with ``clock="cpu"`` the CPU time of the one thread that runs the model (``time.thread_time_ns``; ONNX Runtime
runs every op on the caller's thread when it has one intra-op thread). On a machine other programs share,
wall-clock time counts the time the scheduler gave them (a run longer than a time slice is inflated, a shorter
one is not: a cliff in the measurements that no model of the network explains); the thread's CPU time does
not.

``TIMER`` is the function that does it; tests replace it with one that returns a time they choose, so that no
test depends on this machine's speed.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, Callable, NamedTuple

from costcalc.onnx.model import fail


class RunInfo(NamedTuple):
    runtime: str  # "onnxruntime 1.23.2 CPUExecutionProvider"
    threads: int
    warmup: int
    repeats: int
    clock: str = "wall"  # "wall" (perf_counter_ns) or "cpu" (thread_time_ns, one thread)


def default_threads() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def require_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise fail("calibrate --run", "timing a model needs the onnxruntime package, which is not installed: pip "
                                      "install 'costcalc[onnx]' onnxruntime", "E570") from None
    return onnxruntime


def runtime_name() -> str:
    return f"onnxruntime {require_onnxruntime().__version__} CPUExecutionProvider"


def time_onnx(model: bytes, input_shape: tuple[int, int, int, int], warmup: int, repeats: int,
              threads: int, clock: str = "wall") -> Fraction:
    """The median of ``repeats`` runs of ``model`` on a zero input of ``input_shape`` (NCHW), in seconds, on
    ``clock`` (``wall`` or ``cpu``: the calling thread's CPU time, for one thread)."""
    import time

    import numpy

    runtime = require_onnxruntime()
    options = runtime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = runtime.ExecutionMode.ORT_SEQUENTIAL
    session = runtime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    feed = {name: numpy.zeros(input_shape, numpy.float32)}
    for _ in range(warmup):
        session.run(None, feed)
    now = time.thread_time_ns if clock == "cpu" else time.perf_counter_ns
    times = []
    for _ in range(repeats):
        start = now()
        session.run(None, feed)
        times.append(now() - start)
    times.sort()
    middle = len(times) // 2
    median = Fraction(times[middle]) if len(times) % 2 else Fraction(times[middle - 1] + times[middle], 2)
    return median / 10**9


TIMER: Callable[[bytes, tuple[int, int, int, int], int, int, int, str], Fraction] = time_onnx
