"""The median, point by point, of several measurements files written by ``costcalc calibrate --run --csv`` over
the same grid (the middle value of each point, as measured: no arithmetic on the times). On a shared machine a
whole run can be slowed; the median of three runs is what docs/calibrate.md's table fits.

    python3 median_of_runs.py OUT.csv RUN1.csv RUN2.csv RUN3.csv
"""
import csv
import sys
from decimal import Decimal

out, files = sys.argv[1], sys.argv[2:]
tables = [[row for row in csv.reader(open(f)) if row and not row[0].startswith("#")] for f in files]
header = open(files[0]).readline()
with open(out, "w", newline="") as handle:
    handle.write(header.replace("the median kept", f"the median kept; then the median of {len(files)} such runs"))
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(tables[0][0])
    for rows in zip(*(t[1:] for t in tables)):
        assert len({tuple(r[:6]) for r in rows}) == 1
        values = sorted((r[6] for r in rows), key=Decimal)
        writer.writerow(rows[0][:6] + [values[len(values) // 2]])
