"""Every bench runs at a tiny size inside `make test`, so none can silently break (two had: their users
stopped at the second factor after issue 8). They run side by side, each in its own process, on SQLite in
a temporary folder. Figures are printed, never asserted: only that each completes and reports its
figures beside the floor page's."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: bench → its tiny size, and a text its report must contain.
SMOKE = {
    "backup_restore.py": ([], "audit verify after restore"),
    "compliance.py": (["--years", "1"], "evidence pack"),
    "consultation_stats.py": (["--rows", "200", "--repeat", "2", "--database", "sqlite"], "/consultations/stats"),
    "directory_import.py": (["--rows", "300", "--database", "sqlite"], "commit"),
    "directory_search.py": (["--rows", "300", "--queries", "5", "--database", "sqlite"], "searches"),
    "hub_pages.py": (["--hubs", "5", "--audit", "100", "--repeat", "2"], "/audit/"),
    "rota_generate.py": (["--sizes", "8", "--time-limit", "1", "--no-quarter"], "CP-SAT"),
}
#: Not a bench: the floor page the others are timed beside.
HELPERS = {"floor.py"}


def test_every_bench_is_smoke_tested():
    assert {p.name for p in (ROOT / "bench").glob("*.py")} - HELPERS == set(SMOKE)


def test_every_bench_runs_at_a_tiny_size():
    # never a real database: a bench empties the one it is given
    env = {k: v for k, v in os.environ.items() if k not in ("HUBAPP_DATABASE_URL", "HUBAPP_TEST_DATABASE_URL")}
    running = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / name), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (args, _expected) in SMOKE.items()
    }
    failed = []
    for name, process in running.items():
        out, err = process.communicate(timeout=600)
        expected = SMOKE[name][1]
        if process.returncode != 0 or expected not in out or "of the floor" not in out:
            failed.append(f"{name}: exit {process.returncode}\n{out[-1500:]}\n{err[-2000:]}")
    assert not failed, "\n\n".join(failed)
