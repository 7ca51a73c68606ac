"""CSV: one row per layer (every layer), for spreadsheets and scripts. Every cell goes through
``sinks.spreadsheet.cell``: a name is never read as a formula."""

from __future__ import annotations

import csv
import io

from costcalc.analysis.report import Report
from costcalc.render.json_report import ascii_times
from costcalc.render.sinks.spreadsheet import cell
from costcalc.render.text import shape_text

COLUMNS = ("name", "kind", "group", "filter", "stride", "input_shape", "output_shape", "mult_adds", "params", "path")


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.evaluation.layers:
        writer.writerow([cell(value) for value in (
            row.name, row.kind, row.group, ascii_times(row.filter), ascii_times(row.stride),
            shape_text(row.input_shape, "x"), shape_text(row.output_shape, "x"), row.mult_adds, row.params,
            "/".join(row.path))])
    return out.getvalue()
