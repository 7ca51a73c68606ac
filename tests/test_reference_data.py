"""The figures the golden tests copy as literals are the published ones kept in ``tests/reference/`` (each file's
header gives its source and, where a tool produced it, the tool's version): a typo in a copied figure fails
here, not silently in a golden test that then checks the wrong number.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import test_conventions
import test_golden_cnn_zoo
import test_golden_tfslim
import test_golden_transformers
import test_golden_zoo
import yaml

REFERENCE = Path(__file__).parent / "reference"


def load(name: str) -> object:
    return yaml.safe_load((REFERENCE / name).read_text(encoding="utf-8"))


def test_tfslim_layers_are_tfslims() -> None:
    data = load("mobilenet_v1_tfslim_layers.yaml")
    assert isinstance(data, dict)
    published = [(layer["name"], layer["params"], layer["mult_adds"]) for layer in data["layers"]]
    assert test_golden_tfslim.TFSLIM_LAYERS == published
    assert test_golden_tfslim.TFSLIM_BODY_TOTALS == (sum(row[1] for row in published), sum(row[2] for row in published))


def test_torchvision_figures_are_torchvisions() -> None:
    data = load("torchvision.yaml")
    assert isinstance(data, dict)
    models = data["models"]
    compared = 0
    for model, figures in models.items():
        if model in test_golden_zoo.PUBLISHED:
            params, ops, _weights = test_golden_zoo.PUBLISHED[model]
            assert params == figures["num_params"], model
            assert Fraction(ops) == Fraction(str(figures["ops_g"])), model
            compared += 1
    assert compared >= 6  # the reference file lists a sample of the zoo; each one listed is compared


def test_the_cnn_zoo_figures_are_torchvisions() -> None:
    """tests/test_golden_cnn_zoo.py's literals are the measured and published figures of torchvision_zoo.yaml."""
    data = load("torchvision_zoo.yaml")
    assert isinstance(data, dict)
    models = data["models"]
    assert set(models) == set(test_golden_cnn_zoo.ZOO)
    for name, figures in models.items():
        expected = (figures["num_params"], figures["mult_adds"], figures["crop"], figures["ops_g"], figures["weights"])
        assert test_golden_cnn_zoo.ZOO[name] == expected, name
    for name, (params, ops, _weights) in test_golden_zoo.PUBLISHED.items():  # the two zoo tests agree
        assert models[name]["num_params"] == params and Fraction(models[name]["ops_g"]) == Fraction(ops), name
        assert models[name]["mult_adds"] == test_golden_zoo.MACS[name], name
def test_transformer_figures_are_torchvisions() -> None:
    """tests/test_golden_transformers.py's literals: the published meta (torchvision.yaml, name@WEIGHTS) and the
    measured exact counts (zoo_counts.yaml)."""
    models = load("torchvision.yaml")["models"]  # type: ignore[index]
    for (name, weights), (num_params, ops, crop) in test_golden_transformers.PUBLISHED.items():
        figures = models[f"{name}@{weights}"]
        assert (num_params, crop) == (figures["num_params"], figures["crop"]), (name, weights)
        assert Fraction(ops) == Fraction(str(figures["ops_g"])), (name, weights)
    measured = load("zoo_counts.yaml")["models"]  # type: ignore[index]
    for (name, resolution), (params, mult_adds) in test_golden_transformers.MEASURED.items():
        (point,) = [point for point in measured[name] if point["resolution"] == resolution]
        assert (params, mult_adds) == (point["params"], point["mult_adds"]), (name, resolution)
    assert test_golden_transformers.GOOGLENET_AUX_PARAMS == measured["googlenet_aux"][0]["params"]
    names = {name for name, _resolution in test_golden_transformers.MEASURED}
    assert len(test_golden_transformers.MEASURED) == sum(len(measured[name]) for name in names)  # every size


def test_counters_figures_are_the_counters() -> None:
    data = load("anchor_counts.yaml")
    assert isinstance(data, dict)
    for point in data["mobilenet_v1"]:
        alpha = "1" if point["alpha"] == 1.0 else str(point["alpha"])
        params, _keras, *counts = test_conventions.GRID[(alpha, point["resolution"])]
        assert params == point["params"]
        assert dict(zip(test_conventions.TOOLS, counts)) == {tool: point[tool] for tool in test_conventions.TOOLS}


def test_the_papers_exact_figures_are_in_its_golden_test() -> None:
    """Every exact integer the paper's figures imply appears in tests/test_golden_paper.py."""
    text = (Path(__file__).parent / "test_golden_paper.py").read_text(encoding="utf-8").replace("_", "")
    found = set(map(int, re.findall(r"\d+", text)))
    exact = re.findall(r"exact_(?:mult_adds|params): (\d+)", (REFERENCE / "mobilenet_v1_paper.yaml").read_text())
    assert exact, "the reference file lists exact figures"
    missing = sorted({int(value) for value in exact} - found)
    assert not missing, f"exact figures of the paper that its golden test does not check: {missing}"
