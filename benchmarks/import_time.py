"""Start-up cost of ``import rdp`` and of a closed-form ``rdp rate`` call, as ratios.

Each command runs in a fresh interpreter, interleaved with the reference
``import numpy, scipy.optimize, scipy.special, scipy.stats``, ``--repeat`` times;
the median wall time of each is reported with its ratio to the reference
(targets: ``import rdp`` ≤ 1.5×, ``rdp rate`` ≤ 2×). Also checks that
``import rdp`` loads none of POT (``ot``), cvxpy and JAX.

    python benchmarks/import_time.py --repeat 7
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "numpy+scipy": ["-c", "import numpy, scipy.optimize, scipy.special, scipy.stats"],
    "import rdp": ["-c", "import rdp"],
    "rdp rate (closed form)": "-m rdp.cli.main rate --source bernoulli --p 0.1 -D 0.05".split(),
}
HEAVY = ("ot", "cvxpy", "jax")


def wall_time(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
    return time.perf_counter() - start


def heavy_after_import() -> list[str]:
    code = f"import sys, rdp; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # warm the file cache once
        wall_time(command)
    for _ in range(args.repeat):
        for name, command in COMMANDS.items():
            times[name].append(wall_time(command))
    base = statistics.median(times["numpy+scipy"])
    report = {
        name: {"median_s": statistics.median(t), "ratio": statistics.median(t) / base}
        for name, t in times.items()
    }
    report["heavy modules after import rdp"] = heavy_after_import()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
