"""The compliance bench runs at a tiny size inside `make test`, so it cannot silently break (it had: its
coordinator stopped at the second factor since issue 8). Figures are printed, never asserted."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_compliance_bench_runs_at_one_year():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "compliance.py"), "--years", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "/compliance/" in done.stdout and "evidence pack" in done.stdout


def test_the_directory_import_bench_runs_at_a_small_size():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "directory_import.py"), "--rows", "300", "--database", "sqlite"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "preview" in done.stdout and "commit" in done.stdout and "of the floor" in done.stdout
