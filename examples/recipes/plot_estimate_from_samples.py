"""
R(D, P) from samples, with bands, against the closed form
=========================================================

A source known only by samples: `rdp.estimate.rate` estimates R(D, P) of the
law behind them with a percentile bootstrap interval and a Shannon lower side
([R(D, P) from samples](../../estimate.md)). Here the samples come from
N(0, 1), whose R(D) (Shannon) and R(D, 0) with squared W₂ (Zhang et al.,
NeurIPS 2021, Thm 2) are known in closed form, so the estimates can be checked.
"""

import csv
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from rdp import Gaussian, Problem
from rdp.estimate import distortion, rate

# %%
# One estimate
# ------------
# 2 000 samples, MSE, perfect realism (W₂² = 0) at D = 0.3, 20 bootstrap
# resamples. `estimate` is the rate of a channel that meets D and P for the
# samples' quantised empirical law; the interval is for the law that produced
# them; `shannon_lower_ci` is a lower confidence limit of R(D) ≤ R(D, P).
x = np.random.default_rng(0).standard_normal(2000)
result = rate(x, 0.3, 0.0, perception="w2", bootstrap=20, seed=0)
exact = Problem(Gaussian(), "mse", "w2").rate(0.3, 0.0).rate
print(f"estimate {result.estimate:.4f} bits, 90 % interval "
      f"[{result.ci_lower:.4f}, {result.ci_upper:.4f}], closed form {exact:.4f}")  # fmt: skip
print(f"lower side {result.shannon_lower_ci:.4f} bits ({result.lower_side})")

# %%
# The inverse, D(R, P) at R = 1 bit, by bisection on the same estimate
found = distortion(x, 1.0, 0.0, perception="w2", bootstrap=0, rtol=1e-2)
exact_d = Problem(Gaussian(), "mse", "w2").distortion(1.0, 0.0).distortion
print(f"D(1 bit, 0) ≈ {found.estimate:.4f}, closed form {exact_d:.4f}")

# %%
# Curves with bands
# -----------------
# The curves below were estimated from 10⁴ samples (seed 0) with 50 resamples
# per point by ``benchmarks/estimate_curves.py``; their data is
# `docs/benchmarks/estimate-curves.csv`. Dots: estimates; shaded: the 90 %
# bootstrap interval; lines: the closed forms; dotted: the Shannon lower side
# (the same for both curves, since it bounds R(D) ≤ R(D, P)).
here = Path.cwd()
checkout = next(p for p in (here, *here.parents) if (p / "docs" / "benchmarks").is_dir())
with open(checkout / "docs" / "benchmarks" / "estimate-curves.csv", newline="") as handle:
    rows = list(csv.DictReader(handle))

fig = Figure(figsize=(10, 4), layout="constrained")
ax, err = fig.subplots(1, 2)
grid = np.linspace(0.08, 0.85, 200)
for label, perception, P, color in [
    ("R(D)", "none", np.inf, "tab:blue"),
    ("R(D, 0)", "w2", 0.0, "tab:red"),
]:
    curve = [r for r in rows if r["curve"] == label]
    D = np.array([float(r["D"]) for r in curve])
    column = {k: np.array([float(r[k]) for r in curve]) for k in curve[0] if k != "curve"}
    closed = Problem(Gaussian(), "mse", perception).rate(grid, P).rate
    ax.plot(grid, closed, color=color, lw=1.2, label=f"{label}, closed form")
    ax.fill_between(D, column["ci_lower"], column["ci_upper"], color=color, alpha=0.25, lw=0)
    ax.plot(D, column["estimate"], "o", color=color, ms=4, label=f"{label}, estimate, 90 % band")
    # the same on the scale of the errors, where the bands can be seen
    exact_at = column["closed_form"]
    err.fill_between(D, column["ci_lower"] - exact_at, column["ci_upper"] - exact_at,
                     color=color, alpha=0.25, lw=0)  # fmt: skip
    err.plot(D, column["estimate"] - exact_at, "o-", color=color, ms=4, lw=1, label=label)
lower = [r for r in rows if r["curve"] == "R(D)"]
D = np.array([float(r["D"]) for r in lower])
limit = np.array([float(r["shannon_lower_ci"]) for r in lower])
ax.plot(D, limit, ":", color="k", label="Shannon lower side (lower limit)")
err.plot(D, limit - np.array([float(r["closed_form"]) for r in lower]), ":", color="k",
         label="Shannon lower limit − R(D)")  # fmt: skip
err.axhline(0.0, color="0.4", lw=0.8)
ax.set_xlabel("distortion D (MSE)")
ax.set_ylabel("rate (bits)")
ax.set_title("N(0, 1) from 10⁴ samples")
ax.legend(fontsize=8)
err.set_xlabel("distortion D (MSE)")
err.set_ylabel("estimate − closed form (bits)")
err.set_title("errors and 90 % bands")
err.legend(fontsize=8)
