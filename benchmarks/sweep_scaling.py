"""Scaling of ``rdp sweep`` on Dask: the same 200-chunk sweep with 1 and with 2 workers.

Run (takes a few minutes; on a shared machine use ``nice``)::

    python benchmarks/sweep_scaling.py [--workers 1 2] [--out results/sweep_scaling.json]

Prints, per worker count, the wall time of the sweep (a ``LocalCluster`` of
that many single-threaded worker processes, cluster start-up excluded), the
speed-up over one worker, the load average of the machine before and after
(a loaded machine depresses the speed-up), and the peak memory of one chunk
(``tracemalloc``) for a Bernoulli chunk and a discretised-Gaussian chunk.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

#: 200 problems (Bernoulli p, KL(p_X̂‖p_X), fast solver) × one 4 × 8 block each: 200 chunks.
SPEC = {
    "families": [
        {
            "name": "bernoulli",
            "source": {"kind": "bernoulli", "p": "0.05:0.45:200"},
            "distortion": "hamming",
            "perception": "kl-recon-source",
        }
    ],
    "D": "0.02:0.4:8",
    "P": "0.01:0.1:4",
    "block": {"D": 8, "P": 4},
}


def chunk_memory() -> dict[str, float]:
    """Peak traced memory (MB) of one chunk: a Bernoulli 16 × 16 block, one discretised point."""
    from rdp.batch import parse_spec, run_chunk

    out = {}
    cases = {
        "bernoulli (2 symbols), 16 x 16 block": {
            "source": {"kind": "bernoulli", "p": 0.2},
            "perception": "kl-recon-source",
        },
        "gaussian discretised n=64, one point": {
            "source": {"kind": "gaussian", "n": 64},
            "distortion": "mse",
            "perception": "tv",
        },
    }
    for label, family in cases.items():
        side = 16 if label.startswith("bernoulli") else 1
        spec = parse_spec(
            {
                "families": [family],
                "D": f"0.3:0.8:{side}",
                "P": f"0.1:0.3:{side}",
                "block": {"D": side, "P": side},
            }
        )
        chunk = spec.chunks()[0]
        run_chunk(chunk)  # imports and caches outside the measurement
        tracemalloc.start()
        run_chunk(chunk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[label] = peak / 1e6
    return out


def timed_sweep(workers: int, root: Path) -> float:
    from distributed import Client, LocalCluster

    from rdp.batch import write_sweep

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("rdp.solvers.fast"))  # warm imports on every worker
        store = root / f"w{workers}.zarr"
        start = time.perf_counter()
        summary = write_sweep(
            SPEC, store, executor="dask", scheduler=cluster.scheduler_address, progress=False
        )
        wall = time.perf_counter() - start
    assert summary.computed_chunks == summary.chunks >= 200, summary
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", default=None, help="write the numbers as JSON")
    args = parser.parse_args()
    from rdp.batch import parse_spec

    root = Path(tempfile.mkdtemp(prefix="rdp-sweep-bench-"))
    try:
        report = {"cores": os.cpu_count(), "runs": []}
        print(
            f"{len(parse_spec(SPEC).chunks())} chunks, {parse_spec(SPEC).points} points", flush=True
        )
        for workers in args.workers:
            before = os.getloadavg()
            wall = timed_sweep(workers, root)
            after = os.getloadavg()
            run = {"workers": workers, "seconds": wall, "load_before": before, "load_after": after}
            report["runs"].append(run)
            print(
                f"{workers} worker(s): {wall:.1f} s   load average before {before[0]:.1f}, "
                f"after {after[0]:.1f}",
                flush=True,
            )
        base = report["runs"][0]["seconds"]
        for run in report["runs"]:
            run["speedup"] = base / run["seconds"]
            print(f"{run['workers']} worker(s): speed-up {run['speedup']:.2f}x", flush=True)
        report["chunk_memory_MB"] = chunk_memory()
        for label, mb in report["chunk_memory_MB"].items():
            print(f"peak memory of one chunk, {label}: {mb:.2f} MB", flush=True)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(report, indent=1))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
