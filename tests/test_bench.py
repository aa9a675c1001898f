"""A small smoke run of the benchmark script so it keeps working (figures are printed, never asserted)."""
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_bench_quick_smoke():
    out = subprocess.run([sys.executable, "bench/run.py", "--quick", "--repeats", "1"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| Load " in out.stdout and "| Upload → visible" in out.stdout and "| Pages at 1×" in out.stdout
    latest = sorted((ROOT / "bench" / "results").glob("*.json"))[-1]
    data = json.loads(latest.read_text(encoding="utf-8"))
    assert data["quick"] and data["load"]["accepted"] == data["load"]["files"] > 0
