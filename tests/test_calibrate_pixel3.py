"""The acceptance test of ``costcalc calibrate`` (issue 19): on the published TFLite latencies of MobileNet v1 on
a Pixel 3 (float, CPU, 4 threads; TensorFlow Lite's "Hosted models" table, copied with its source in
tests/reference/pixel3_tflite_mobilenet_v1.yaml and bundled as an example measurements file), a model fitted
on alpha in {0.25, 1.0} predicts the 8 points at alpha in {0.5, 0.75} within ±10 %, with an RMSPE of at most 5 %.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import yaml

from costcalc.analysis.calibration import calibrate, observe, predict
from costcalc.source.measurements import read_measurements

BUNDLED = Path(__file__).parents[1] / "costcalc" / "devices" / "measurements" / "pixel3_tflite_mobilenet_v1.csv"
REFERENCE = Path(__file__).parent / "reference" / "pixel3_tflite_mobilenet_v1.yaml"
# alpha -> resolution -> ms, as published (tests/reference/pixel3_tflite_mobilenet_v1.yaml)
PIXEL3_MS = {"0.25": {128: "1.2", 160: "1.7", 192: "2.4", 224: "3.3"},
             "0.5": {128: "3.0", 160: "4.4", 192: "6.0", 224: "7.9"},
             "0.75": {128: "5.5", 160: "8.2", 192: "11.0", 224: "14.6"},
             "1.0": {128: "9.0", 160: "13.4", 192: "18.1", 224: "24.0"}}


def test_the_bundled_file_is_the_published_table() -> None:
    reference = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["latency_ms"]
    assert {str(alpha): {r: str(ms) for r, ms in row.items()} for alpha, row in reference.items()} == PIXEL3_MS
    measured = {(m.alpha, m.resolution): m.latency_s for m in read_measurements(str(BUNDLED))}
    assert measured == {(Fraction(alpha), resolution): Fraction(ms) / 1000
                        for alpha, row in PIXEL3_MS.items() for resolution, ms in row.items()}
    assert "0406598a59a78fd428b74fdd5e1ee704d17ce05a" in BUNDLED.read_text(encoding="utf-8")


def test_a_fit_on_two_widths_predicts_the_other_two_within_10_percent() -> None:
    measurements = read_measurements(str(BUNDLED))
    train = [m for m in measurements if m.alpha in (Fraction(1, 4), Fraction(1))]
    held = [m for m in measurements if m not in train]
    assert (len(train), len(held)) == (8, 8)
    model = calibrate(train)
    errors = [predict(seen, model) / seen.measurement.latency_s - 1 for seen in observe(held)]
    assert all(abs(error) <= Fraction(1, 10) for error in errors), [float(error) for error in errors]
    assert math.sqrt(sum(float(error) ** 2 for error in errors) / len(errors)) <= 0.05
    # and the error the model states of itself (leave-one-out on its 8 points) is as good
    assert model.held_out.total == 8 and model.held_out.within_10_percent == 8
    assert model.held_out.rmspe <= Fraction(5, 100)


def test_the_fit_is_deterministic_whatever_the_order() -> None:
    measurements = [m for m in read_measurements(str(BUNDLED)) if m.resolution in (128, 224)]
    shuffled = list(measurements)
    random.Random(19).shuffle(shuffled)
    assert calibrate(measurements) == calibrate(shuffled)
