"""The benchmarks live in the repository's root package `bench`, which is not installed: put the
root on the import path for the tests of their pure parts."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
