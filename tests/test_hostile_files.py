"""The hostile-input corpus for files (issue 12): every kind of file costcalc reads, bounded before it is parsed;
no file's content echoed; names and paths that mean one thing; writes that stay inside the project; exit codes
as documented (docs/errors.md, "Limits", "What a message quotes", "Names and paths", "Exit codes").

Each case runs costcalc in its own process (``tests/hostile.py``), its files written into a fresh folder, and
is checked for its exit code, its message (with the code), at most 2 s of CPU and 100 MB, and no traceback.
Large files are made at run time from the limits in ``costcalc.source.files``, one byte over each.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_helpers import TINY_SPEC
from hostile import Case, check, ids, large_file

from costcalc.source.files import LIMITS, MAX_JSON_VALUES, MAX_NESTING

# Secrets a budgets file might point at. Their text must never reach stderr or stdout, in any form.
FAKE_KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            "QyNTUxOQAAACBmYWtlLWtleS1mb3ItY29zdGNhbGMtdGVzdHMtb25seS0wMDAwMDAwAAAA\n"
            "-----END OPENSSH PRIVATE KEY-----\n")
KEY_TEXT = r"OPENSSH|PRIVATE|b3BlbnNz|AAAAB|QyNTUx|ZmFrZS1rZXk"
FAKE_CREDENTIALS = "https://alice:ghp_FAKEtoken0123456789abcdefFAKEtoken0123@github.com\n"
CREDENTIALS_TEXT = r"alice|ghp_|FAKEtoken|0123456789"
FAKE_ENV = "password: hunter2-FAKE-secret\napi_token: tok-FAKE-0123456789\n"  # a secret that is a YAML mapping
ENV_TEXT = r"hunter2|FAKE|tok-"

TINY = {"tiny.yaml": TINY_SPEC}
BASELINE_HEAD = b'{"name": "tiny_net", "resolution": 32, "convention": "paper", "layers": [], "totals": '
DEVICE = ("name: dev\npeak_mult_adds_per_s: 1000000000000\nbandwidth_bytes_per_s: 10000000000\n"
          "source: a test\n")
CONVENTION = "name: mine\nmult_adds: {weight_macs: 1}\nparams: [weights]\n"


def sparse_file(size: int):  # noqa: ANN201 - a Content writer
    """A ``Content`` of ``size`` zero bytes that takes no room on disk (a file of holes)."""
    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.truncate(size)

    return write


def budgets(*checks: str, top: str = "") -> str:
    """A costcalc.yaml: ``checks`` are the YAML of each check's keys after ``spec``."""
    return top + "checks:\n" + "".join(f"  - spec: {spec}\n" for spec in checks)


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def symlink(target: str):  # noqa: ANN201 - a Content writer
    """A ``Content`` that makes the file a symbolic link to ``target`` (which may not exist)."""
    def make(path: Path) -> None:
        os.symlink(target, path)

    return make


def whole_lines(size: int, line: bytes, head: bytes, tail: bytes = b""):  # noqa: ANN201 - a Content writer
    """A ``Content`` of ``head``, as many ``line``s as fit in ``size`` bytes with ``tail``, then ``tail``."""
    def write(path: Path) -> None:
        path.write_bytes(head + line * ((size - len(head) - len(tail)) // len(line)) + tail)

    return write


def folder_only(path: Path) -> None:
    path.mkdir()


def _size(kind: str) -> int:
    return LIMITS[kind] + 1


# --- every file kind bounded before it is parsed ----------------------------------------------------------------

SIZES = [
    Case("spec-one-byte-over-the-limit", ("report", "big.yaml", "--format", "json"),
         r"^big\.yaml: error\[E100\]: the file is larger than 128 KiB, the most costcalc reads of a spec file",
         files={"big.yaml": large_file(_size("spec"), head=b"input: {channels: 3, size: 32}\nlayers: [relu]\n")}),
    Case("spec-on-standard-input-one-byte-over", ("report", "-", "--format", "json"),
         r"^-: error\[E100\]: the file is larger than 128 KiB, the most costcalc reads of a spec file",
         stdin=b"input: {channels: 3, size: 32}\nlayers: [relu]\n" + b"# padding\n" * (128 * 1024 // 10)),
    Case("spec-of-ten-megabytes", ("report", "big.yaml"), r"^big\.yaml: error\[E100\]: the file is larger than",
         files={"big.yaml": large_file(10 * 2**20, b"  - relu\n", head=b"input: {size: 32}\nlayers:\n")}),
    Case("budgets-file-one-byte-over", ("check",), r"^costcalc\.yaml: error\[E100\]: the file is larger than 64 KiB",
         files={**TINY, "costcalc.yaml": large_file(_size("budgets"), b"# padding\n",
                                                    head=b"checks: [{spec: tiny.yaml, max_params: 5M}]\n")}),
    Case("pyproject-one-byte-over", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml: error\[E100\]: the file is larger than 256 KiB, the most costcalc reads of a pyproject",
         files={"pyproject.toml": large_file(_size("pyproject"), b"# padding\n", head=b"[tool.costcalc]\n")}),
    Case("pyproject-of-eighty-megabytes-found-by-check", ("check",),
         r"^pyproject\.toml: error\[E100\]: the file is larger than 256 KiB",
         files={"pyproject.toml": large_file(80 * 2**20, b"x = 1\n" * 10, head=b"[project]\n")}),
    Case("baseline-of-eighty-megabytes", ("check", "tiny.yaml", "--baseline", "base.json", "--max-increase", "1%"),
         r"^base\.json: error\[E100\]: the file is larger than 4 MiB, the most costcalc reads of a baseline file",
         files={**TINY, "base.json": large_file(80 * 2**20, b'{"a": [1, 2, 3]}, ' * 8, head=b"[")}),
    Case("convention-file-one-byte-over", ("report", "tiny.yaml", "--convention", "conv.yaml"),
         r"^conv\.yaml: error\[E100\]: the file is larger than 64 KiB, the most costcalc reads of a convention file",
         files={**TINY, "conv.yaml": large_file(_size("convention"), head=CONVENTION.encode())}),
    Case("device-file-one-byte-over", ("report", "tiny.yaml", "--device", "dev.yaml"),
         r"^dev\.yaml: error\[E100\]: the file is larger than 64 KiB, the most costcalc reads of a device file",
         files={**TINY, "dev.yaml": large_file(_size("device"), head=DEVICE.encode())}),
    Case("measurements-file-one-byte-over", ("calibrate", "--measurements", "m.csv"),
         r"^m\.csv: error\[E100\]: the file is larger than 1 MiB, the most costcalc reads of a measurements file",
         files={"m.csv": large_file(_size("measurements"), b"mobilenet_v1,1,224,3.3\n",
                                    head=b"model,alpha,resolution,latency_ms\n")}),
    Case("measurements-file-of-many-rows", ("calibrate", "--measurements", "m.csv"),
         r"^m\.csv:2003:1: error\[E540\]: more than 2,000 measurements",
         files={"m.csv": b"# a comment\nmodel,latency_ms\n" + b"mobilenet_v1,3.3\n" * 3000}),
    Case("onnx-file-one-byte-over", ("report", "model.onnx", "--format", "json"),
         r"^model\.onnx: error\[E100\]: the file is larger than 2048 MiB, the most costcalc reads of an ONNX file",
         files={"model.onnx": sparse_file(_size("onnx"))}),  # sparse: 2 GiB of holes, written in no time
    # Files just under their limit are read, parsed and reported within the same bounds.
    Case("spec-under-the-limit-full-of-bad-entries", ("report", "bad.yaml", "--format", "json"),
         r"^bad\.yaml:103:5: error\[E108\]: more problems follow; costcalc stops after 100",
         files={"bad.yaml": whole_lines(_size("spec") - 1, b"  - relux\n", head=b"input: {size: 32}\nlayers:\n")}),
    Case("spec-under-the-limit-a-flow-list-of-numbers", ("report", "bad.yaml", "--format", "json"),
         r"error\[E108\]: more problems follow",
         files={"bad.yaml": whole_lines(_size("spec") - 1, b"1,", head=b"input: {size: 32}\nlayers: [", tail=b"1]\n")}),
    Case("spec-under-the-limit-many-real-layers", ("report", "many.yaml", "--format", "json"),
         exit=0, stdout=r'"name": "many"',
         files={"many.yaml": whole_lines(_size("spec") - 1, b"  - conv: {kernel: 1, filters: 8}\n",
                                         head=b"name: many\ninput: {channels: 8, size: 8}\nlayers:\n")}),
    Case("baseline-of-too-many-values", ("check", "tiny.yaml", "--baseline", "base.json", "--max-increase", "1%"),
         rf"^base\.json: error\[E107\]: the JSON holds more than {MAX_JSON_VALUES:,} values",
         files={**TINY, "base.json": "[" + "1," * (MAX_JSON_VALUES + 1) + "1]"}),
]

NESTING = [
    Case("toml-arrays-nested-100000-deep", ("check", "--config", "pyproject.toml"),
         rf"^pyproject\.toml:2:{MAX_NESTING + 10}: error\[E107\]: the TOML is nested more than {MAX_NESTING} levels",
         files={"pyproject.toml": "[tool.costcalc]\nchecks = " + "[" * 100_000 + "]" * 100_000 + "\n"}),
    Case("toml-inline-tables-nested-deep", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml:2:\d+: error\[E107\]: the TOML is nested more than",
         files={"pyproject.toml": "[tool.costcalc]\nchecks = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n"}),
    Case("toml-dotted-keys-nested-deep", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml: error\[E107\]: the TOML is nested more than 64 levels deep \(1,002\)",
         files={"pyproject.toml": "[tool.costcalc]\n" + ".".join(["a"] * 1_000) + " = 1\n"}),
    Case("toml-brackets-in-strings-and-comments-do-not-count", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml:1:1: error\[E500\]: unknown key 'x'; expected one of: checks, baseline$",
         files={"pyproject.toml": "[tool.costcalc]\nx = '" + "[" * 500 + "' # " + "{" * 500 + "\n"
                                  + 'checks = [{spec = "tiny.yaml", max_params = "5M"}]\n', **TINY}),
    Case("json-baseline-arrays-nested-100000-deep", ("check", "tiny.yaml", "--baseline", "base.json",
                                                     "--max-increase", "1%"),
         rf"^base\.json:1:{MAX_NESTING + 1}: error\[E107\]: the JSON is nested more than {MAX_NESTING} levels deep",
         files={**TINY, "base.json": nested_json(100_000)}),
    Case("json-baseline-objects-nested-deep", ("check", "tiny.yaml", "--baseline", "base.json", "--max-increase", "1%"),
         r"^base\.json:1:\d+: error\[E107\]: the JSON is nested more than 64 levels deep",
         files={**TINY, "base.json": '{"a": ' * 50_000 + "1" + "}" * 50_000}),
    Case("json-baseline-a-5000-digit-integer", ("check", "tiny.yaml", "--baseline", "base.json",
                                                "--max-increase", "1%"),
         r"^base\.json:1:101: error\[E510\]: the baseline holds an integer of 5,000 digits",
         files={**TINY, "base.json": BASELINE_HEAD.decode() + '{"mult_adds": ' + "9" * 5000 + ', "params": 1}}'}),
]

# --- every type confusion a located error -----------------------------------------------------------------------

CONFUSIONS = [
    Case("pyproject-tool-is-a-number", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml:1:1: error\[E503\]: 'tool' must be a table, as \[tool\.costcalc\] makes it; here it is 5",
         files={"pyproject.toml": "tool = 5\n"}),
    Case("pyproject-tool-costcalc-is-a-number", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml:1:1: error\[E502\]: \[tool\.costcalc\] must be a table with 'checks'.*; here it is 5",
         files={"pyproject.toml": "[tool]\ncostcalc = 5\n"}),
    Case("pyproject-tool-costcalc-is-a-list", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml:1:1: error\[E502\]: \[tool\.costcalc\] must be a table .*; here it is a list of 1",
         files={"pyproject.toml": "[tool]\ncostcalc = [1]\n"}),
    Case("pyproject-checks-of-every-wrong-type", ("check", "--config", "pyproject.toml"),
         r"^pyproject\.toml:1:1: error\[E502\]: checks\[0\]: a check is a mapping .*\n"
         r"pyproject\.toml:1:1: error\[E501\]: check 'checks\[1\]': 'spec' must be the name of a bundled spec or a "
         r"file, got a mapping\n"
         r"pyproject\.toml:1:1: error\[E501\]: check 'checks\[1\]': 'max_params': expected one value, got date\n"
         r"pyproject\.toml:1:1: error\[E501\]: check 'checks\[2\]': 'spec' must .* got a list of 1\n"
         r"pyproject\.toml:1:1: error\[E501\]: check 'checks\[2\]': 'alpha': expected one value, got an empty mapping",
         files={"pyproject.toml": "[tool.costcalc]\nchecks = [5, {spec = {a = 1}, max_params = 1979-05-27}, "
                                  "{spec = [1], alpha = {}}]\n"}),
    Case("budgets-convention-is-a-list", ("check",),
         r"^costcalc\.yaml:4:17: error\[E501\]: check 'tiny\.yaml': 'convention' must be the name of a built-in "
         r"convention or a file, got a list of 2",
         files={**TINY, "costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M\n    convention: [a, b]")}),
    Case("budgets-values-of-every-wrong-type", ("check",),
         r"^costcalc\.yaml:3:13: error\[E501\]: check 'tiny\.yaml': 'alpha': expected one value, got a mapping\n"
         r"costcalc\.yaml:4:17: error\[E501\]: .*'max_params': expected one value, got a list of 1\n"
         r"costcalc\.yaml:5:12: error\[E501\]: .*'dtype' must be one of fp32, fp16, bf16, int8, got a mapping\n"
         r"costcalc\.yaml:6:13: error\[E501\]: .*'device' must be the name of a bundled device or a file, got 5$",
         files={**TINY, "costcalc.yaml": "checks:\n  - {spec: tiny.yaml,\n    alpha: [{a: 1}],\n"
                                         "    max_params: [1],\n    dtype: {a: 1},\n    device: 5}\n"}),
    Case("budgets-checks-is-a-mapping-and-baseline-a-list", ("check",),
         r"^costcalc\.yaml:1:11: error\[E501\]: 'baseline' must be a file name, got a list of 1\n"
         r"costcalc\.yaml:2:9: error\[E502\]: 'checks' must be a non-empty list of checks",
         files={"costcalc.yaml": "baseline: [x]\nchecks: {spec: tiny.yaml}\n"}),
    Case("budgets-a-long-unknown-key-is-cut", ("check",),
         r"^costcalc\.yaml:4:5: error\[E500\]: check 'tiny\.yaml': unknown key 'k{60}'\.\.\. \(1,000 characters\);",
         files={**TINY, "costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M\n    " + "k" * 1000 + ": 1")}),
    Case("device-file-of-every-wrong-type", ("report", "tiny.yaml", "--device", "dev.yaml"),
         r"^dev\.yaml:1:7: error\[E531\]: 'name' must be a string\n"
         r"dev\.yaml:2:23: error\[E531\]: expected a rate above 0 or a mapping of dtype to rate, got a list of 1\n"
         r"dev\.yaml:3:24: error\[E531\]: 'bandwidth_bytes_per_s': expected a rate above 0, got a mapping",
         files={**TINY, "dev.yaml": "name: [x]\npeak_mult_adds_per_s: [1]\nbandwidth_bytes_per_s: {a: 1}\n"
                                    "source: s\n"}),
    Case("device-file-that-is-a-list", ("report", "tiny.yaml", "--device", "dev.yaml"),
         r"^dev\.yaml:1:1: error\[E531\]: a device file is a mapping",
         files={**TINY, "dev.yaml": "- fp32\n- 1e12\n"}),
    Case("convention-file-of-every-wrong-type", ("report", "tiny.yaml", "--convention", "conv.yaml"),
         r"^conv\.yaml:1:7: error\[E520\]: 'name' must be a string\n"
         r"conv\.yaml:2:26: error\[E520\]: 'weight_macs': expected a whole number of times .*got a list of 1\n"
         r"conv\.yaml:3:10: error\[E521\]: unknown parameter component a list of 1",
         files={**TINY, "conv.yaml": "name: {a: 1}\nmult_adds: {weight_macs: [1]}\nparams: [[a]]\n"}),
    Case("baseline-fields-of-the-wrong-type", ("check", "tiny.yaml", "--baseline", "base.json", "--max-increase", "1%"),
         r"^base\.json: error\[E510\]: 'name' must be a string, got a list of 1",
         files={**TINY, "base.json": json.dumps({"name": [1], "resolution": 32, "convention": "paper", "layers": 5,
                                                 "totals": {"mult_adds": 1, "params": 1}})}),
    Case("baseline-alpha-a-mapping", ("check", "tiny.yaml", "--baseline", "base.json", "--max-increase", "1%"),
         r"^base\.json: error\[E510\]: reports\[0\]: 'alpha' must be a width multiplier .*got a mapping",
         files={**TINY, "base.json": json.dumps({"costcalc_baseline": 1, "reports": [
             {"name": "tiny_net", "resolution": 32, "convention": "paper", "layers": [], "alpha": {"a": 1},
              "totals": {"mult_adds": 1, "params": 1}}]})}),
]

# --- no file content echoed -------------------------------------------------------------------------------------

SECRETS = [
    Case("budgets-spec-points-at-a-private-key", ("check",),
         r"^\./id_rsa:1:1: error\[E106\]: a spec is a mapping with 'input' and 'layers'; this file is a string, "
         r"not a mapping$", forbid=KEY_TEXT,
         files={"id_rsa": FAKE_KEY, "costcalc.yaml": budgets("./id_rsa\n    max_params: 5M")}),
    Case("budgets-spec-points-at-git-credentials", ("check",),
         r"^\./\.git-credentials:1:1: error\[E106\]: .*this file is a string, not a mapping$", forbid=CREDENTIALS_TEXT,
         files={".git-credentials": FAKE_CREDENTIALS,
                "costcalc.yaml": budgets("./.git-credentials\n    max_params: 5M")}),
    Case("budgets-spec-points-at-a-secret-mapping", ("check",),
         r"^\./\.env:1:1: error\[E200\]: unknown key 'password'", forbid=ENV_TEXT,
         files={".env": FAKE_ENV, "costcalc.yaml": budgets("./.env\n    max_params: 5M")}),
    Case("budgets-convention-points-at-a-private-key", ("check",),
         r"^\./id_rsa:1:1: error\[E520\]: a convention file is a mapping", forbid=KEY_TEXT,
         files={**TINY, "id_rsa": FAKE_KEY,
                "costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M\n    convention: ./id_rsa")}),
    Case("budgets-device-points-at-git-credentials", ("check",),
         r"^\./\.git-credentials:1:1: error\[E531\]: a device file is a mapping", forbid=CREDENTIALS_TEXT,
         files={**TINY, ".git-credentials": FAKE_CREDENTIALS,
                "costcalc.yaml": budgets("tiny.yaml\n    max_latency: 1s\n    device: ./.git-credentials")}),
    Case("budgets-baseline-points-at-a-private-key", ("check", "--max-increase", "1%"),
         r"^id_rsa:1:1: error\[E510\]: the baseline is not valid JSON: Expecting value$", forbid=KEY_TEXT,
         files={**TINY, "id_rsa": FAKE_KEY,
                "costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M", top="baseline: id_rsa\n")}),
    Case("budgets-pyproject-is-git-credentials", ("check", "--config", "creds.toml"),
         r"^creds\.toml:1:\d+: error\[E503\]: invalid TOML", forbid=CREDENTIALS_TEXT,
         files={"creds.toml": FAKE_CREDENTIALS}),
    Case("secret-outside-the-project-allowed-is-still-not-echoed", ("check", "--config", "proj/costcalc.yaml",
                                                                    "--allow-outside"),
         r"^proj/\.\./home/id_rsa:1:1: error\[E106\]: .*this file is a string", forbid=KEY_TEXT,
         files={"home/id_rsa": FAKE_KEY, "proj/costcalc.yaml": budgets("../home/id_rsa\n    max_params: 5M")}),
    Case("secret-as-a-yaml-alias-is-not-quoted", ("report", "./token"),
         r"^\./token:1:1: error\[E102\]: invalid YAML: found undefined alias$", forbid=CREDENTIALS_TEXT,
         files={"token": "*ghp_FAKEtoken0123456789abcdefFAKEtoken0123456789abcdefFAKEtoken0123456789\n"}),
]

# --- names and paths that say what they mean -------------------------------------------------------------------

NOT_A_SPEC = "this file is not mobilenet_v1: name: [\n"
NAMES = [
    Case("local-file-named-like-a-bundled-spec", ("report", "mobilenet_v1", "--format", "json"),
         r"^\./mobilenet_v1: warning\[W100\]: costcalc reads the bundled spec 'mobilenet_v1', not the file "
         r"\./mobilenet_v1; to read the file, write it as a path: \./mobilenet_v1$",
         exit=0, stdout=r'"mult_adds": 568740352', files={"mobilenet_v1": NOT_A_SPEC}),
    Case("local-file-read-when-written-as-a-path", ("report", "./mobilenet_v1", "--format", "json"),
         r"^\./mobilenet_v1:1:\d+: error\[E102\]: invalid YAML", files={"mobilenet_v1": NOT_A_SPEC}),
    Case("budgets-bundled-name-beside-a-file-of-that-name", ("check",),
         r"^costcalc\.yaml:2:11: warning\[W100\]: costcalc reads the bundled spec 'mobilenet_v1', not the file "
         r"\./mobilenet_v1", exit=0, stdout=r"params +4,209,088 +limit 5,000,000",
         files={"mobilenet_v1": NOT_A_SPEC, "costcalc.yaml": budgets("mobilenet_v1\n    max_params: 5M")}),
    Case("local-file-named-like-a-built-in-convention", ("report", "tiny.yaml", "--convention", "paper",
                                                         "--format", "json"),
         r"^\./paper: warning\[W100\]: costcalc reads the built-in convention 'paper', not the file \./paper",
         exit=0, stdout=r'"convention": "paper"', files={**TINY, "paper": "not: a convention\n"}),
    Case("local-file-named-like-a-bundled-device", ("report", "tiny.yaml", "--device", "raspberry_pi_4",
                                                    "--format", "json"),
         r"^\./raspberry_pi_4: warning\[W100\]: costcalc reads the bundled device 'raspberry_pi_4'", exit=0,
         files={**TINY, "raspberry_pi_4": DEVICE}),
    Case("bare-name-of-a-local-file-only", ("report", "mynet"),
         r"^mynet: error\[E100\]: no bundled spec is named 'mynet'; to read the file of that name, write it as a "
         r"path: '\./mynet'; `costcalc list` shows the bundled specs", files={"mynet": TINY_SPEC}),
    Case("budgets-bare-name-of-a-local-file-only", ("check",),
         r"^costcalc\.yaml:2:11: error\[E501\]: check 'mynet': unknown spec 'mynet'; to read the file of that name, "
         r"write it as a path: '\./mynet'; expected a bundled spec",
         files={"mynet": TINY_SPEC, "costcalc.yaml": budgets("mynet\n    max_params: 5M")}),
    Case("budgets-spec-outside-the-project", ("check", "--config", "proj/costcalc.yaml"),
         r"^proj/costcalc\.yaml:2:11: error\[E511\]: check '\.\./other/tiny\.yaml': 'spec': '\.\./other/tiny\.yaml' "
         r"is outside the project",
         files={"other/tiny.yaml": TINY_SPEC, "proj/costcalc.yaml": budgets("../other/tiny.yaml\n    max_params: 5M")}),
    Case("budgets-spec-outside-the-project-allowed", ("check", "--config", "proj/costcalc.yaml", "--allow-outside"),
         exit=0, stdout=r"tiny_net .* ok",
         files={"other/tiny.yaml": TINY_SPEC, "proj/costcalc.yaml": budgets("../other/tiny.yaml\n    max_params: 5M")}),
    Case("budgets-spec-through-a-link-leading-outside", ("check", "--config", "proj/costcalc.yaml"),
         r"^proj/costcalc\.yaml:2:11: error\[E511\]: .*'spec': 'net\.yaml' is outside the project",
         files={"other/tiny.yaml": TINY_SPEC, "proj/net.yaml": symlink("../other/tiny.yaml"),
                "proj/costcalc.yaml": budgets("net.yaml\n    max_params: 5M")}),
    Case("budgets-absolute-convention-and-device-outside", ("check",),
         r"^costcalc\.yaml:4:17: error\[E511\]: .*'convention': '/etc/hostname' is outside the project.*\n"
         r"costcalc\.yaml:5:13: error\[E511\]: .*'device': '/etc/passwd' is outside the project \(the budgets "
         r"file's folder, symbolic links resolved\); move it inside, or pass --allow-outside$",
         files={**TINY, "costcalc.yaml": budgets("tiny.yaml\n    max_latency: 1s\n    convention: /etc/hostname\n"
                                                 "    device: /etc/passwd")}),
]

# --- writes stay inside the project, never through a dangling link ----------------------------------------------

WRITES = [
    Case("snapshot-baseline-outside-the-project", ("snapshot", "--config", "proj/costcalc.yaml"),
         r"^proj/costcalc\.yaml:1:11: error\[E511\]: 'baseline': '\.\./stray\.json' is outside the project",
         files={"proj/tiny.yaml": TINY_SPEC,
                "proj/costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M", top="baseline: ../stray.json\n")}),
    Case("snapshot-baseline-a-dangling-link-inside", ("snapshot",),
         r"^base\.json: error\[E601\]: is a symbolic link to a file that does not exist",
         files={**TINY, "base.json": symlink("made-by-the-link.json"),
                "costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M", top="baseline: base.json\n")}),
    Case("snapshot-baseline-a-dangling-link-leading-outside", ("snapshot", "--config", "proj/costcalc.yaml"),
         r"^proj/costcalc\.yaml:1:11: error\[E511\]: 'baseline': 'base\.json' is outside the project",
         files={"proj/tiny.yaml": TINY_SPEC, "proj/base.json": symlink("../stray.json"),
                "proj/costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M", top="baseline: base.json\n")}),
    Case("report-output-a-dangling-link", ("report", "tiny.yaml", "--format", "json", "-o", "out.json"),
         r"^out\.json: error\[E601\]: is a symbolic link to a file that does not exist",
         files={**TINY, "out.json": symlink("created-elsewhere.json")}),
    Case("sweep-output-a-dangling-link", ("sweep", "tiny.yaml", "--format", "csv", "-o", "out.csv"),
         r"^out\.csv: error\[E601\]: is a symbolic link", files={**TINY, "out.csv": symlink("nowhere/out.csv")}),
]

# --- exit codes as documented -----------------------------------------------------------------------------------

EXITS = [
    Case("report-table-to-a-closed-pipe", ("report",), exit=141, closed_stdout=True, forbid=r"."),
    Case("report-json-to-a-closed-pipe", ("report", "--format", "json"), exit=141, closed_stdout=True, forbid=r"."),
    Case("report-csv-to-a-closed-pipe", ("report", "--format", "csv"), exit=141, closed_stdout=True, forbid=r"."),
    Case("check-over-budget-to-a-closed-pipe", ("check", "tiny.yaml", "--max-params", "1K"), exit=141,
         closed_stdout=True, forbid=r".", files=TINY),
    Case("check-github-to-a-closed-pipe", ("check", "tiny.yaml", "--max-params", "1K", "--format", "github"),
         exit=141, closed_stdout=True, forbid=r".", files=TINY),
    Case("sweep-table-to-a-closed-pipe", ("sweep", "tiny.yaml"), exit=141, closed_stdout=True, forbid=r".",
         files=TINY),
    Case("compare-table-to-a-closed-pipe", ("compare", "mobilenet_v1", "mobilenet_v1_conv"), exit=141,
         closed_stdout=True, forbid=r"."),
    Case("help-to-a-closed-pipe", ("--help",), exit=141, closed_stdout=True, forbid=r"."),
    Case("unwritable-step-summary-passing-check", ("check", "tiny.yaml", "--max-params", "5M", "--format", "github"),
         r"^summary: warning\[W101\]: the job summary \(\$GITHUB_STEP_SUMMARY\) is not written \(cannot write: "
         r"Is a directory\); the check's result stands$", exit=0, stdout=r"ok",
         files={**TINY, "summary": folder_only}, env={"GITHUB_STEP_SUMMARY": "summary"}),
    Case("unwritable-step-summary-failing-check", ("check", "tiny.yaml", "--max-params", "1K", "--format", "github"),
         r"warning\[W101\]", exit=1, stdout=r"^::error ", files={**TINY, "summary": folder_only},
         env={"GITHUB_STEP_SUMMARY": "summary"}),
]

CASES = SIZES + NESTING + CONFUSIONS + SECRETS + NAMES + WRITES + EXITS


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_hostile_file(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


def test_the_corpus_covers_every_kind_of_file() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
    for kind in LIMITS:
        assert any(case.id.startswith(kind) for case in SIZES), kind


def test_nothing_is_written_outside_the_project(tmp_path: Path) -> None:
    """A snapshot refused for its target leaves no file behind, inside or outside the project."""
    case = WRITES[0]
    check(case, tmp_path)
    assert not (tmp_path / "stray.json").exists()
    assert sorted(path.name for path in (tmp_path / "proj").iterdir()) == ["costcalc.yaml", "tiny.yaml"]


def test_snapshot_outside_the_project_when_allowed(tmp_path: Path) -> None:
    case = Case("snapshot-outside-allowed", ("snapshot", "--config", "proj/costcalc.yaml", "--allow-outside"),
                r"^wrote proj/\.\./stray\.json: 1 report", exit=0,
                files={"proj/tiny.yaml": TINY_SPEC,
                       "proj/costcalc.yaml": budgets("tiny.yaml\n    max_params: 5M", top="baseline: ../stray.json\n")})
    check(case, tmp_path)
    assert json.loads((tmp_path / "stray.json").read_text())["reports"][0]["name"] == "tiny_net"


def test_no_dangling_link_target_is_created(tmp_path: Path) -> None:
    case = next(case for case in WRITES if case.id == "report-output-a-dangling-link")
    check(case, tmp_path)
    assert not (tmp_path / "created-elsewhere.json").exists() and (tmp_path / "out.json").is_symlink()


# --- the examples of docs/errors.md for the codes of this corpus are what costcalc prints ----------------------

def _densenet_check(alphas: int, resolutions: int, top: str = "") -> str:
    alpha = ", ".join(str(round(0.25 + 0.05 * index, 2)) for index in range(alphas))
    resolution = ", ".join(str(96 + 16 * index) for index in range(resolutions))
    return f"{top}checks:\n  - spec: densenet121\n    max_params: 50M\n    alpha: [{alpha}]\n" \
           f"    resolution: [{resolution}]\n"


EXAMPLES = [  # (files, command line, folder to run in) whose stderr holds a documented example
    ({"base.json": nested_json(100)}, ("check", "mobilenet_v1", "--baseline", "base.json", "--max-increase", "1%"), "."),
    ({"bad.yaml": "input: {size: 32}\nlayers:\n" + "".join(f"  - relux{index}\n" for index in range(150))},
     ("report", "bad.yaml"), "."),
    ({"other/tiny.yaml": TINY_SPEC, "proj/costcalc.yaml": budgets("../other/tiny.yaml\n    max_params: 5M")},
     ("check",), "proj"),
    ({"costcalc.yaml": _densenet_check(16, 16)}, ("check",), "."),
    ({"out.json": symlink("nowhere.json")}, ("report", "--format", "json", "-o", "out.json"), "."),
    ({"costcalc.yaml": _densenet_check(16, 8, top="baseline: base.json\n")}, ("snapshot",), "."),
    ({"mobilenet_v1": NOT_A_SPEC}, ("report", "mobilenet_v1", "--format", "json"), "."),
    ({"summary": folder_only, **TINY}, ("check", "tiny.yaml", "--max-params", "5M", "--format", "github"), "."),
    ({}, ("report", "missing.yaml"), "."),
    ({}, ("report", "mynet"), "."),
    ({"big.yaml": large_file(_size("spec"))}, ("report", "big.yaml"), "."),
]


def test_documented_examples_are_what_costcalc_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from cli_helpers import run
    from hostile import write_files

    doc = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    codes = ("E100", "E107", "E108", "E511", "E512", "E601", "E602", "W100", "W101")
    documented = [example for code in codes
                  for row in re.findall(rf"^\| `{code}` \| .*$", doc, re.MULTILINE)
                  for example in re.findall(r"`` (.+?) ``", row)]
    printed = ""
    for index, (files, argv, folder) in enumerate(EXAMPLES):
        case_folder = tmp_path / str(index)
        case_folder.mkdir()
        write_files(case_folder, files)
        monkeypatch.chdir(case_folder / folder)
        printed += run(*argv, env={"GITHUB_STEP_SUMMARY": "summary"}).stderr
    assert len(documented) >= len(codes)
    for example in documented:
        assert example in printed, example
