"""
A sweep of many problems, opened with xarray
============================================

`rdp sweep` (or `rdp.sweep` from Python) solves a *family* of problems on
(D, P) grids, in chunks, on local processes or a Dask cluster, and writes one
labelled xarray dataset to a Zarr store. Here a small family runs in one
process: Bernoulli(p) sources for ten values of p, with TV and KL(p_X̂‖p_X)
perception. Needs the `sweep` extra (`pip install 'rdp-theory[sweep]'`); the
whole story is in [Sweeps](../../sweeps.md) and [`rdp.sweep`][rdp.batch.run.sweep].
"""

import shutil
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import rdp
from rdp.batch import to_surface
from rdp.plot import plot_level_sets

# %%
# The spec: swept lists become dimensions of the dataset
# ------------------------------------------------------
# ``"start:stop:count"`` is a grid; every list is swept; scalars are fixed.
spec = {
    "families": [
        {
            "source": {"kind": "bernoulli", "p": "0.05:0.5:10"},
            "distortion": "hamming",
            "perception": ["tv", "kl-recon-source"],
        }
    ],
    "D": "0:0.4:17",
    "P": "0:0.2:9",
}

# %%
# Run it into a Zarr store
# ------------------------
# The TV problems use Blau & Michaeli's closed form; the KL ones use the
# certified fast solver. A rerun of the same command resumes where it stopped.
workdir = Path(tempfile.mkdtemp())
store = workdir / "bernoulli.zarr"
rdp.sweep(spec, store, executor="serial", progress=False)

# %%
# Open the store with plain xarray
# --------------------------------
# No rdp needed to read it: the dims are the swept parameters, then P and D.
ds = xr.open_zarr(store)
print(ds)

# %%
# Every point carries its status ('exact' for a closed form, 'converged' for a
# certified solver point, 'infeasible' below D_min(P)); none is unconverged here.
statuses, counts = np.unique(ds.status.values, return_counts=True)
print(dict(zip(statuses.tolist(), counts.tolist(), strict=True)))

# %%
# Label-based selection: R against p at one (D, P), both measures
line = ds.rate.sel(D=0.1, P=0.05, method="nearest").load()
fig = Figure(figsize=(5.5, 3.5), layout="constrained")
ax = fig.add_subplot()
for perception in line.perception.values:
    values = line.sel(perception=perception)
    ax.plot(values.p, values, marker="o", label=str(perception))
ax.set(xlabel="Bernoulli parameter p", ylabel="R (bits)", title="R(0.1, 0.05) against p")
ax.legend()

# %%
# One problem's (P, D) slice as a surface: the equi-rate lines in the (D, P) plane
level_sets = plot_level_sets(
    to_surface(ds.sel(perception="kl-recon-source").sel(p=0.2, method="nearest").load())
)

# %%
# The store was temporary here; a real one stays where ``--out`` put it.
shutil.rmtree(workdir)
