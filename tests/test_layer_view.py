"""torchinfo's habits in ``report`` (issue 18, item 4): ``--batch N``, ``--columns``, ``--sort`` and ``--top N``,
and every header saying what the counts are of."""

from __future__ import annotations

import csv
import io
import json

import pytest
from cli_helpers import ok, run

# MobileNet v1 (the paper's Table 1): 568,740,352 Mult-Adds and 4,209,088 params per image.
MULT_ADDS, PARAMS = 568_740_352, 4_209_088


def test_counts_are_per_image_and_every_header_says_so() -> None:
    assert "unit mult-adds   per image\n" in ok("report")
    assert "per **image**" in ok("report", "--format", "markdown")
    assert json.loads(ok("report", "--format", "json"))["batch"] == 1


def test_a_batch_multiplies_mult_adds_and_activations_not_params() -> None:
    one = json.loads(ok("report", "--format", "json"))
    eight = json.loads(ok("report", "--batch", "8", "--format", "json"))
    assert eight["batch"] == 8
    assert (eight["totals"]["mult_adds"], eight["totals"]["params"]) == (8 * MULT_ADDS, PARAMS)
    assert eight["totals"]["weight_bytes"] == one["totals"]["weight_bytes"]
    assert eight["totals"]["peak_activation_bytes"] == 8 * one["totals"]["peak_activation_bytes"]
    assert [row["mult_adds"] for row in eight["layers"]] == [8 * row["mult_adds"] for row in one["layers"]]
    assert [pair["standard_mult_adds"] for pair in eight["separable_pairs"]] == \
        [8 * pair["standard_mult_adds"] for pair in one["separable_pairs"]]
    assert "per batch of 8" in ok("report", "--batch", "8")


@pytest.mark.parametrize("args", [("--batch", "0"), ("--batch", "2000000"), ("--batch", "2", "--symbolic"),
                                  ("--top", "3", "--depth", "1"), ("--columns", "layer,mult_add")])
def test_bad_view_options_are_usage_errors(args: tuple[str, ...]) -> None:
    result = run("report", *args)
    assert result.exit_code == 2 and "Traceback" not in result.stderr, result.stderr


def test_top_lists_the_largest_layers_and_keeps_the_networks_totals() -> None:
    rows = list(csv.DictReader(io.StringIO(ok("report", "--top", "3", "--sort", "params", "--format", "csv"))))
    assert [row["name"] for row in rows] == ["conv_pw_13", "fc_1", "conv_pw_12"]
    table = ok("report", "--top", "3")
    assert "# the first 3 of 29 layers by Mult-Adds (--sort, --top)" in table
    assert f"{MULT_ADDS:,}" in table and f"{PARAMS:,}" in table


def test_columns_choose_the_layer_tables_columns() -> None:
    table = ok("report", "--columns", "layer,params")
    header = next(line for line in table.splitlines() if "Layer" in line and "Params" in line)
    assert header.split() == ["Layer", "Params"]
    markdown = ok("report", "--columns", "layer,mult-adds", "--format", "markdown")
    assert "| Layer | Mult-Adds |" in markdown
