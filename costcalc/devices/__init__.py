"""Device profiles (profiles.py: peak compute and bandwidth per data type; calibrated.py: a fitted latency
model) and the data types they compute in.

``DTYPES`` lives here, in the package's small first module, because a report's memory figures need the bytes of
an element at every run, and the profiles' reader is needed only with ``--device`` (start-up, issue 17)."""

DTYPES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}  # data type -> bytes per element
