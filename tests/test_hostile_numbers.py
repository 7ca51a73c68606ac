"""Hostile numbers (issue 12): no hang and no internal error from a number, anywhere.

Each case is a number written to hurt costcalc, in every place a number goes: the options of report, sweep,
solve, check, compare and explain; budgets files and ``[tool.costcalc]`` tables; device, convention and
baseline files; specs (whole-number fields, rates, block arguments, expressions). The attackers' findings
were hangs (``1e999999999`` turned into a billion-digit integer by ``Fraction``; ``a * a * a * a`` passed down
through four levels of blocks; ``solve --step 1e-9``; a 10^6 x 10^6 sweep) and internal errors (a dropout
rate ``.inf``; integers over 4,300 digits, which Python refuses to convert). Each case must now end with
exit 2 and its located message (click's usage error naming the option, for an option) within the harness's
CPU and memory limits (tests/hostile.py). The bounds are costcalc.quantities', costcalc.spec.expressions's and the
grid bounds of sweep, solve and check (docs/errors.md, "limits").
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hostile import Case, check, ids

HUGE = "1e999999999"  # Fraction(HUGE) would build a billion-digit integer
DIGITS_5000 = "9" * 5000  # over Python's 4,300-digit limit of int <-> str conversion
DIGITS_1000 = "9" * 1000  # under it, over costcalc's 400-digit limit of integers in files
OVER_WHOLE = str(2**53)  # one above the largest whole number in a spec
TOO_LARGE = r"is too large; costcalc reads numbers with up to 30 significant digits"
TOO_SMALL = r"is too small; costcalc reads numbers with up to 30 significant digits"
MORE_THAN_WHOLE = r"is more than 9,007,199,254,740,991"
SPEC_HEAD = "input: {channels: 3, size: 32}\nlayers:\n  - conv: {kernel: 3, filters: 8}\n"


def spec(*lines: str, blocks: str = "") -> dict[str, str]:
    """``net.yaml``: a small valid network, then ``lines`` (layers, from line 4 on), after ``blocks``."""
    head = SPEC_HEAD if not blocks else SPEC_HEAD.replace("layers:\n", f"blocks:\n{blocks}layers:\n", 1)
    return {"net.yaml": head + "".join(f"  - {line}\n" for line in lines)}


def budgets(*lines: str) -> dict[str, str]:
    """``costcalc.yaml``: one check of mobilenet_v1 with ``lines`` (from line 3 on)."""
    return {"costcalc.yaml": "checks:\n  - spec: mobilenet_v1\n" + "".join(f"    {line}\n" for line in lines)}


def pyproject(entries: str) -> dict[str, str]:
    """``pyproject.toml`` whose [tool.costcalc] has one check of mobilenet_v1 with ``entries``."""
    return {"pyproject.toml": f'[tool.costcalc]\nchecks = [{{spec = "mobilenet_v1", {entries}}}]\n'}


def device(peak: str, bandwidth: str = "25600000000") -> dict[str, str]:
    return {"dev.yaml": f"name: dev\nsource: a test\npeak_mult_adds_per_s: {peak}\n"
                        f"bandwidth_bytes_per_s: {bandwidth}\n"}


def convention(weight_macs: str) -> dict[str, str]:
    return {"conv.yaml": f"name: mine\nmult_adds:\n  weight_macs: {weight_macs}\nparams: [weights]\n"}


def baseline(**entries: str) -> dict[str, str]:
    """``base.json``: a report of mobilenet_v1 with ``entries`` (JSON text) in place of its own."""
    fields = {"name": '"mobilenet_v1"', "convention": '"paper"', "resolution": "224", "alpha": "1",
              "layers": "[]", "totals": '{"mult_adds": 568740352, "params": 4209088}', **entries}
    return {"base.json": "{" + ", ".join(f'"{key}": {value}' for key, value in fields.items()) + "}\n"}


def option(name: str, pattern: str) -> str:
    """click's usage error for option ``name``, with ``pattern`` in its message."""
    return rf"Error: Invalid value for '{name}': .*?{pattern}"


NET = "./net.yaml"
CHECK_BASELINE = ("check", "mobilenet_v1", "--baseline", "base.json", "--max-increase", "1%")
# Four levels of blocks, each calling the next with a * a * a * a: 10**(2 * 4**4) without a bound.
TOWER = ("  inner:\n    args: {a: required}\n    layers: [conv: {kernel: 1, filters: \"a * a * a * a\"}]\n"
         "  middle:\n    args: {a: required}\n    layers: [inner: {a: \"a * a * a * a\"}]\n"
         "  outer:\n    args: {a: required}\n    layers: [middle: {a: \"a * a * a * a\"}]\n"
         "  top:\n    args: {a: required}\n    layers: [outer: {a: \"a * a * a * a\"}]\n")
E307 = r"net\.yaml:\d+:\d+: error\[E307\]: .*gives a number of \d+ digits; an expression's values stay below 2\^128"

CASES = [
    # --- options ----------------------------------------------------------------------------------------------
    Case("report-alpha-huge-exponent", ("report", "--alpha", HUGE), option("--alpha", f"'{HUGE}' {TOO_LARGE}")),
    Case("report-alpha-huge-negative-exponent", ("report", "--alpha", "1e-999999999"),
         option("--alpha", f"'1e-999999999' {TOO_SMALL}")),
    Case("report-alpha-exponent-of-5000-digits", ("report", "--alpha", "1e" + DIGITS_5000),
         option("--alpha", r"'1e9+…' is too large")),
    Case("report-alpha-31-significant-digits", ("report", "--alpha", "0." + "1" * 31),
         option("--alpha", r"'0\.1+…?' has 31 significant digits")),
    Case("report-alpha-inf", ("report", "--alpha", "inf"), option("--alpha", r"'inf' is not a number")),
    Case("report-batch-of-two-million-images", ("report", "--batch", "2000000"),
         option("--batch", r"2000000 is not a batch of 1 to 1,048,576 images")),
    Case("report-rho-huge-exponent", ("report", "--rho", HUGE), option("--rho", TOO_LARGE)),
    Case("report-resolution-5000-digits", ("report", "--resolution", DIGITS_5000),
         option("--resolution", rf"'9+…' {MORE_THAN_WHOLE} pixels")),
    Case("report-resolution-over-2^53", ("report", "--resolution", OVER_WHOLE),
         option("--resolution", rf"'{OVER_WHOLE}' {MORE_THAN_WHOLE} pixels")),
    Case("report-depth-5000-digits", ("report", "--depth", DIGITS_5000), option("--depth", MORE_THAN_WHOLE)),
    Case("explain-alpha-huge-exponent", ("explain", "--convention", "fvcore", "--alpha", HUGE),
         option("--alpha", TOO_LARGE)),
    Case("explain-layers-5000-digits", ("explain", "--convention", "fvcore", "--layers", DIGITS_5000),
         option("--layers", MORE_THAN_WHOLE)),
    Case("compare-alpha-list-huge-exponent", ("compare", "mobilenet_v1", "mobilenet_v1_conv", "--alpha", f"1,{HUGE}"),
         option("--alpha", TOO_LARGE)),
    Case("compare-rho-huge-negative-exponent", ("compare", "mobilenet_v1", "mobilenet_v1_conv", "--rho", "1e-99999"),
         option("--rho", TOO_SMALL)),
    Case("compare-resolution-5000-digits", ("compare", "mobilenet_v1", "mobilenet_v1_conv", "--resolution",
                                            DIGITS_5000), option("--resolution", MORE_THAN_WHOLE)),
    Case("check-max-mult-adds-huge-exponent", ("check", "mobilenet_v1", "--max-mult-adds", HUGE),
         option("--max-mult-adds", f"'{HUGE}' {TOO_LARGE}")),
    Case("check-max-params-huge-exponent-with-suffix", ("check", "mobilenet_v1", "--max-params", HUGE + "G"),
         option("--max-params", f"'{HUGE}G' {TOO_LARGE}")),
    Case("check-min-delta-huge-exponent", ("check", "mobilenet_v1", "--max-params", "5M", "--min-delta", HUGE),
         option("--min-delta", TOO_LARGE)),
    Case("check-max-increase-huge-exponent", CHECK_BASELINE[:-1] + (HUGE + "%",), option("--max-increase", TOO_LARGE)),
    Case("check-max-latency-huge-exponent", ("check", "mobilenet_v1", "--max-latency", HUGE + "ms", "--device",
                                             "a100_40gb"), option("--max-latency", f"'{HUGE}ms' {TOO_LARGE}")),
    Case("check-max-peak-memory-huge-exponent", ("check", "mobilenet_v1", "--max-peak-memory", HUGE + "MiB"),
         option("--max-peak-memory", f"'{HUGE}MiB' {TOO_LARGE}")),
    Case("check-alpha-range-with-a-tiny-step", ("check", "mobilenet_v1", "--max-params", "5M", "--alpha",
                                                "0.25:1:1e-999999999"), option("--alpha", TOO_SMALL)),
    Case("check-too-many-configurations", ("check", "mobilenet_v1", "--max-params", "5M", "--alpha",
                                           "0.25:1:0.001", "--resolution", "96:320:1"),
         r"Error: --alpha and --resolution ask for 168,975 evaluations over 1 check, more than the 128 costcalc "
         r"makes in one run"),
    Case("sweep-alpha-step-1e-9", ("sweep", "--alpha", "0.25:1:1e-9"),
         option("--alpha", r"'0\.25:1:1e-9' gives 750,000,001 values, and an option gives at most 10,000: use a "
                           r"step of at least 0\.000076")),
    Case("sweep-resolution-stop-over-2^53", ("sweep", "--resolution", "96:99999999999999999999:1"),
         option("--resolution", MORE_THAN_WHOLE)),
    Case("sweep-rho-huge-exponent", ("sweep", "--rho", f"0.5,{HUGE}"), option("--rho", TOO_LARGE)),
    Case("sweep-grid-too-large", ("sweep", "--alpha", "0.25:1:0.001", "--resolution", "1:8192:1"),
         r"Error: sweep: 751 \(--alpha\) x 8,192 \(--resolution\) are 6,152,192 points, more than the 250,000 it "
         r"computes at most; use a step of at least 0\.026 in --alpha or a step of at least 25 in --resolution"),
    Case("sweep-evaluated-grid-too-large", ("sweep", "--metric", "peak-memory", "--alpha", "0.25:1:0.01",
                                            "--resolution", "96:320:1"),
         r"Error: sweep \(each point evaluated on its own\): 76 \(--alpha\) x 225 \(--resolution\) are 17,100 "
         r"points, more than the 10,000"),
    Case("solve-step-1e-9", ("solve", "--max-mult-adds", "300M", "--step", "1e-9"),
         option("--step", r"this step scans 10,000,000,000 widths up to alpha 10, more than the 10,000 solve scans "
                          r"at most: use a step of at least 0\.001$")),
    Case("solve-step-huge-negative-exponent", ("solve", "--max-mult-adds", "300M", "--step", "1e-999999999"),
         option("--step", TOO_SMALL)),
    Case("solve-vary-resolution-step-over-2^53", ("solve", "--max-mult-adds", "300M", "--vary", "resolution",
                                                  "--step", OVER_WHOLE), option("--step", MORE_THAN_WHOLE)),
    Case("solve-vary-both-fine-step", ("solve", "--max-mult-adds", "300M", "--vary", "both", "--step", "0.0001"),
         option("--step", r"scans 100,000 widths up to alpha 10 at each of 9 resolutions, .* use a step of at "
                          r"least 0\.0091")),
    Case("solve-vary-both-too-many-resolutions", ("solve", "--max-mult-adds", "300M", "--vary", "both",
                                                  "--resolution", "1:5000:1"),
         option("--resolution", r"5,000 resolutions, each with up to 1,000 widths to scan, .* give fewer")),
    Case("solve-max-peak-memory-huge-exponent", ("solve", "--max-peak-memory", HUGE + "MB"),
         option("--max-peak-memory", TOO_LARGE)),
    # --- budgets files ----------------------------------------------------------------------------------------
    Case("budgets-max-mult-adds-huge-exponent", ("check",), rf"^costcalc\.yaml:3:20: error\[E501\]: check "
         rf"'mobilenet_v1': 'max_mult_adds': '{HUGE}' {TOO_LARGE}", files=budgets(f"max_mult_adds: {HUGE}")),
    Case("budgets-max-params-5000-digits", ("check",), r"^costcalc\.yaml:3:17: error\[E212\]: 'max_params': an "
         r"integer of 5,000 digits; costcalc reads integers of at most 400 digits",
         files=budgets(f"max_params: {DIGITS_5000}")),
    Case("budgets-max-params-300-digits", ("check",), r"^costcalc\.yaml:3:17: error\[E501\]: .*'max_params': a "
         rf"number of 300 digits {TOO_LARGE}", files=budgets(f"max_params: {'9' * 300}")),
    Case("budgets-max-increase-huge-exponent", ("check", "--baseline", "base.json"),
         rf"^costcalc\.yaml:3:19: error\[E501\]: .*'max_increase': '{HUGE}' {TOO_LARGE}",
         files={**budgets(f"max_increase: {HUGE}%"), **baseline()}),
    Case("budgets-min-delta-huge-exponent", ("check",), rf"^costcalc\.yaml:4:16: error\[E501\]: .*'min_delta': "
         rf"'{HUGE}' {TOO_LARGE}", files=budgets("max_params: 5M", f"min_delta: {HUGE}")),
    Case("budgets-max-latency-huge-exponent", ("check",), rf"^costcalc\.yaml:3:18: error\[E501\]: .*'max_latency': "
         rf"'{HUGE}ms' {TOO_LARGE}", files=budgets(f"max_latency: {HUGE}ms", "device: a100_40gb")),
    Case("budgets-max-peak-memory-huge-exponent", ("check",), rf"^costcalc\.yaml:3:22: error\[E501\]: "
         rf".*'max_peak_memory': '{HUGE}MB' {TOO_LARGE}", files=budgets(f"max_peak_memory: {HUGE}MB")),
    Case("budgets-alpha-inf", ("check",), r"^costcalc\.yaml:3:16: error\[E501\]: .*'alpha': 'inf' is not a number",
         files=budgets("alpha: [1, .inf]", "max_params: 5M")),
    Case("budgets-alpha-huge-negative-exponent", ("check",), rf"^costcalc\.yaml:3:12: error\[E501\]: .*'alpha': "
         rf"'1e-999999999' {TOO_SMALL}", files=budgets("alpha: 1e-999999999", "max_params: 5M")),
    Case("budgets-resolution-over-2^53", ("check",), r"^costcalc\.yaml:3:17: error\[E501\]: .*'resolution': "
         r"expected a resolution of at most 9,007,199,254,740,991 pixels", files=budgets(f"resolution: {OVER_WHOLE}",
                                                                                          "max_params: 5M")),
    Case("budgets-too-many-configurations", ("check",), r"^costcalc\.yaml:2:5: error\[E512\]: check "
         r"'mobilenet_v1': 50 alphas x 50 resolutions are more than the 128 evaluations",
         files=budgets(f"alpha: [{', '.join(str(1 + n / 100) for n in range(50))}]",
                       f"resolution: [{', '.join(str(100 + n) for n in range(50))}]", "max_params: 5M")),
    # --- pyproject.toml [tool.costcalc] -------------------------------------------------------------------------
    Case("pyproject-max-mult-adds-float-overflow", ("check",), r"^pyproject\.toml:1:1: error\[E501\]: "
         r".*'max_mult_adds': 'inf' is not a count", files=pyproject(f"max_mult_adds = {HUGE}")),
    Case("pyproject-max-mult-adds-5000-digits", ("check",), r"^pyproject\.toml:2:\d+: error\[E503\]: invalid TOML: "
         r"an integer of 5,000 digits; costcalc reads integers of at most 400 digits",
         files=pyproject(f"max_mult_adds = {DIGITS_5000}")),
    Case("pyproject-max-params-1000-digits", ("check",), rf"^pyproject\.toml:1:1: error\[E501\]: .*'max_params': a "
         rf"number of 1,000 digits {TOO_LARGE}", files=pyproject(f"max_params = {DIGITS_1000}")),
    Case("pyproject-alpha-string-huge-exponent", ("check",), rf"^pyproject\.toml:1:1: error\[E501\]: .*'alpha': "
         rf"'{HUGE}' {TOO_LARGE}", files=pyproject(f'max_params = 5000000, alpha = "{HUGE}"')),
    Case("pyproject-alpha-nan", ("check",), r"^pyproject\.toml:1:1: error\[E501\]: .*'alpha': 'nan' is not a number",
         files=pyproject("max_params = 5000000, alpha = nan")),
    # --- device files -----------------------------------------------------------------------------------------
    Case("device-peak-huge-exponent", ("report", "--device", "./dev.yaml"), rf"^\./dev\.yaml:3:23: error\[E531\]: "
         rf"expected a rate above 0 or a mapping of dtype to rate: '{HUGE}' {TOO_LARGE}", files=device(HUGE)),
    Case("device-bandwidth-float-overflow", ("report", "--device", "./dev.yaml"), r"^\./dev\.yaml:4:24: "
         r"error\[E531\]: 'bandwidth_bytes_per_s': expected a rate above 0, got inf",
         files=device("24000000000", "1.0e+999")),
    Case("device-peak-5000-digits", ("report", "--device", "./dev.yaml"), r"^\./dev\.yaml:3:30: error\[E212\]: "
         r"'fp32': an integer of 5,000 digits", files=device(f"{{fp32: {DIGITS_5000}}}")),
    Case("device-peak-300-digits", ("check", "mobilenet_v1", "--max-latency", "20ms", "--device", "./dev.yaml"),
         rf"^\./dev\.yaml:3:30: error\[E531\]: 'fp32': expected a rate above 0 \(a whole number, or 1\.5e12\): a "
         rf"number of 300 digits {TOO_LARGE}", files=device(f"{{fp32: {'9' * 300}}}")),
    # --- convention files -------------------------------------------------------------------------------------
    Case("convention-times-5000-digits", ("report", "--convention", "./conv.yaml"), r"^\./conv\.yaml:3:16: "
         r"error\[E212\]: 'weight_macs': an integer of 5,000 digits", files=convention(DIGITS_5000)),
    Case("convention-times-over-a-million", ("report", "--convention", "./conv.yaml"), r"^\./conv\.yaml:3:16: "
         r"error\[E520\]: 'weight_macs': expected a whole number of times from -1,000,000 to 1,000,000, got a "
         r"number of 300 digits", files=convention("9" * 300)),
    Case("convention-times-nan", ("explain", "--convention", "./conv.yaml"), r"^\./conv\.yaml:3:16: error\[E520\]: "
         r"'weight_macs': expected a whole number of times \(it may be negative\), got nan",
         files=convention("{times: .nan}")),
    # --- baselines --------------------------------------------------------------------------------------------
    Case("baseline-alpha-float-overflow", CHECK_BASELINE, r"^base\.json: error\[E510\]: 'alpha' is not a width "
         r"multiplier: 'inf' is not a number", files=baseline(alpha=HUGE)),
    Case("baseline-alpha-exact-huge-exponent", CHECK_BASELINE, rf"^base\.json: error\[E510\]: 'alpha_exact' is not "
         rf"a width multiplier: '{HUGE}' {TOO_LARGE}", files=baseline(alpha_exact=f'"{HUGE}"')),
    Case("baseline-integer-of-5000-digits", CHECK_BASELINE, r"^base\.json:1:\d+: error\[E510\]: the baseline holds "
         r"an integer of 5,000 digits", files=baseline(totals=f'{{"mult_adds": {DIGITS_5000}, "params": 1}}')),
    Case("baseline-resolution-over-2^53", CHECK_BASELINE, r"^base\.json: error\[E510\]: 'resolution' must be a "
         r"whole number of pixels", files=baseline(resolution=OVER_WHOLE)),
    # --- specs ------------------------------------------------------------------------------------------------
    Case("spec-dropout-rate-inf", ("report", NET), r"^\./net\.yaml:4:21: error\[E204\]: dropout: 'rate': expected "
         r"a number from 0 to 1, got inf", files=spec("dropout: {rate: .inf}")),
    Case("spec-dropout-rate-nan", ("report", NET, "--format", "json"), r"^\./net\.yaml:4:21: error\[E204\]: "
         r"dropout: 'rate': expected a number from 0 to 1, got nan", files=spec("dropout: {rate: .nan}")),
    Case("spec-dropout-rate-float-overflow", ("sweep", NET), r"^\./net\.yaml:4:21: error\[E204\]: dropout: 'rate': "
         r"expected a number from 0 to 1, got inf", files=spec("dropout: {rate: 1.0e+400}")),
    Case("spec-filters-5000-digits", ("report", NET), r"^\./net\.yaml:4:32: error\[E212\]: 'filters': an integer "
         r"of 5,000 digits", files=spec(f"conv: {{kernel: 3, filters: {DIGITS_5000}}}")),
    Case("spec-input-size-5000-digits", ("report", NET), r"^\./net\.yaml:1:28: error\[E212\]: 'size': an integer of "
         r"5,000 digits", files={"net.yaml": SPEC_HEAD.replace("size: 32", f"size: {DIGITS_5000}")}),
    Case("spec-filters-over-2^53", ("report", NET), rf"^\./net\.yaml:4:32: error\[E204\]: conv: 'filters': expected "
         rf"a whole number of at most 9,007,199,254,740,991 \(2\^53 - 1\), got {OVER_WHOLE}",
         files=spec(f"conv: {{kernel: 3, filters: {OVER_WHOLE}}}")),
    Case("spec-kernel-pair-over-2^53", ("report", NET), r"^\./net\.yaml:4:20: error\[E204\]: conv: 'kernel': "
         r"expected a whole number of at most", files=spec(f"conv: {{kernel: [3, {OVER_WHOLE}], filters: 8}}")),
    Case("spec-repeat-over-2^53", ("report", NET), r"^\./net\.yaml:4:13: error\[E204\]: 'repeat': expected a whole "
         r"number of at most", files=spec(f"repeat: {'9' * 300}\n    layers: [relu]")),
    Case("spec-nested-blocks-product", ("report", NET), E307, files=spec("top: {a: 99}", blocks=TOWER)),
    Case("spec-nested-blocks-product-symbolic", ("report", NET, "--symbolic", "--format", "json"), E307,
         files=spec("top: {a: 99}", blocks=TOWER)),
    Case("spec-nested-blocks-product-solve", ("solve", NET, "--max-mult-adds", "1M"), E307,
         files=spec("top: {a: 99}", blocks=TOWER)),
    Case("spec-constant-product", ("report", NET), r"^\./net\.yaml:4:\d+: error\[E307\]: conv: 'filters': "
         r"'99999999999999999999 \* 99999999999999999999' gives a number of 40 digits",
         files=spec('conv: {kernel: 3, filters: "99999999999999999999 * 99999999999999999999"}')),
    Case("spec-channel-product-at-evaluation", ("report", NET, "--format", "json"), r"^\./net\.yaml:4:5: "
         r"error\[E307\]: layer 'conv_2' \(input 32×32×8\): 'filters': .* gives a number of 41 digits",
         files=spec('conv: {kernel: 3, filters: "in * 100000000000000000000 * 100000000000000000000"}')),
    Case("spec-channels-doubled-by-repeated-concats", ("report", NET, "--format", "csv"), r"^\./net\.yaml:6:9: "
         r"error\[E408\]: layer 'concat_\d+' \(input 32×32×\d+\): the output would be 32×32×\(39 digits\); a feature "
         r"map's height, width and channels stay below 2\^128",
         files=spec("repeat: 1000\n    layers:\n      - concat: {branches: [[], []]}")),
    Case("spec-channels-multiplied-by-depth-multipliers", ("sweep", NET), r"^\./net\.yaml:6:9: error\[E408\]: "
         r"layer 'conv_dw_3' \(input 32×32×\d+\): the output would be 32×32×\(49 digits\)", files=spec(f"repeat: 20\n    layers:\n      - depthwise: {{kernel: 1, "
                                             f"depth_multiplier: {2**53 - 1}}}")),
    Case("spec-rho-scales-the-input-past-the-bound", ("report", NET, "--rho", "9e29"), r"^\./net\.yaml: "
         r"error\[E408\]: rho = 900000000000000000000000000000 scales the input to \(46 digits\)×\(46 digits\)×3",
         files={"net.yaml": SPEC_HEAD.replace("size: 32", f"size: {2**53 - 1}")}),
    Case("spec-block-default-float-overflow", ("report", NET), r"^\./net\.yaml:\d+:\d+: error\[E305\]: block 'b': "
         r"the default of 'a': expected a finite number, got inf",
         files=spec("b", blocks="  b:\n    args: {a: 1.0e+999}\n    layers: [relu]\n")),
    Case("spec-block-argument-too-small", ("report", NET), r"^\./net\.yaml:\d+:\d+: error\[E306\]: block 'b': 'a': "
         rf"'1e-40' {TOO_SMALL}", files=spec("b: {a: 1.0e-40}",
                                             blocks="  b:\n    args: {a: required}\n    layers: [relu]\n")),
    # --- depth multipliers and the expressions of scaled families (issue 15) ----------------------------------
    Case("report-depth-multiplier-huge-exponent", ("report", "efficientnet_b0", "--depth-multiplier", HUGE),
         option("--depth-multiplier", f"'{HUGE}' {TOO_LARGE}")),
    Case("spec-depth-multiplier-scales-a-repeat-past-2^53", ("report", NET, "--depth-multiplier", "9e29"),
         r"^\./net\.yaml:\d+:\d+: error\[E204\]: 'repeat': expected a whole number of at most",
         files={"net.yaml": SPEC_HEAD + "  - repeat: round_repeats(3)\n    layers: [relu]\n"}),
    Case("sweep-a-network-per-depth-multiplier-bounded", ("sweep", "efficientnet_b0", "--alpha", "1", "--resolution",
                                                          "224", "--depth-multiplier", "0.1:100:0.1"),
         option("--depth-multiplier", r"1,000 depth multipliers, more than the 100 a sweep builds networks for")),
    Case("solve-depth-step-tiny", ("solve", "efficientnet_b0", "--vary", "depth", "--max-params", "9M", "--step",
                                   "1e-9"), option("--step", r"more than the 200 networks solve builds at most")),
    Case("spec-pow-exponent-of-a-billion", ("report", NET), r"^\./net\.yaml:4:\d+: error\[E307\]: conv: 'filters': "
         r"'pow\(10, 999999999\)' would have more than 128 bits",
         files=spec('conv: {kernel: 3, filters: "pow(10, 999999999)"}')),
    Case("spec-log-of-a-base-near-1", ("report", NET), r"^\./net\.yaml:4:\d+: error\[E320\]: conv: 'filters': "
         r"'log\(10, 1\.0000001\)' is beyond 1024",
         files=spec('conv: {kernel: 3, filters: "floor(log(10, 1.0000001))"}')),
    Case("spec-base-60-integer-of-2000-parts", ("report", NET), r"^\./net\.yaml:4:32: error\[E212\]: 'filters': "
         r"an integer of", files=spec(f"conv: {{kernel: 3, filters: !!int {':'.join(['59'] * 2000)}}}")),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_hostile_number(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


def test_the_corpus_covers_every_kind_of_input() -> None:
    kinds = {case.id.split("-")[0] for case in CASES}
    commands = {case.argv[0] for case in CASES}
    assert {"report", "sweep", "solve", "check", "compare", "explain"} <= commands
    assert {"report", "explain", "compare", "check", "sweep", "solve", "budgets", "pyproject", "device",
            "convention", "baseline", "spec"} <= kinds
    assert len(CASES) >= 40 and len(set(ids(CASES))) == len(CASES)


# --- the bounds themselves, in process ------------------------------------------------------------------------


def test_grids_are_bounded_before_any_point_is_computed() -> None:
    import click

    from costcalc.analysis.solve import MAX_SCANNED, scanned_widths
    from costcalc.analysis.sweep import MAX_EVALUATED_POINTS, MAX_POINTS
    from costcalc.cli.options import limit_grid

    # issue 4's benchmark (benchmarks/sweep.py): 301 widths x 225 resolutions
    limit_grid([("--alpha", "0.25:1.0:0.0025", 301, False), ("--resolution", "96:320:1", 225, True)], MAX_POINTS,
               "sweep")
    limit_grid([("--alpha", None, 100, False), ("--rho", None, 100, False)], MAX_EVALUATED_POINTS, "sweep")
    with pytest.raises(click.UsageError, match=r"100 \(--alpha\) x 101 \(--rho\) are 10,100 points, more than the "
                                               r"10,000 it computes at most; give fewer values to --alpha or --rho"):
        limit_grid([("--alpha", None, 100, False), ("--rho", None, 101, False)], MAX_EVALUATED_POINTS, "sweep")
    assert scanned_widths(Fraction(1, 1000)) == MAX_SCANNED  # --step 0.001 is the finest a solve accepts
    assert scanned_widths(Fraction(1, 100)) == 1000  # the default step


def test_a_baseline_keeps_an_alpha_with_long_numerator_and_denominator(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # snapshot writes alpha_exact = n/d; a typed alpha of long decimals reduces to sides of 40 digits and more,
    # beyond a typed number's 30, and must still be read back: the baseline is costcalc's own
    from click.testing import CliRunner

    from costcalc.budget.baseline import load_baseline
    from costcalc.cli import main
    from costcalc.quantities import parse_multiplier

    alpha_text = "9.87654321098765432109876543211/12.3456789012345678901234567891"  # 0.8, over a 31-digit d
    alpha = parse_multiplier(alpha_text)
    assert len(str(alpha.denominator)) > 30
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text(f"baseline: base.json\nchecks:\n  - spec: mobilenet_v1\n    alpha: "
                                            f"'{alpha_text}'\n    max_increase: 1%\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["snapshot"]).exit_code == 0
    (report,) = load_baseline(str(tmp_path / "base.json"))
    assert report.alpha == alpha
    result = runner.invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 0, result.output
