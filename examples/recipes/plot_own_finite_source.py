"""
Your own finite source: from samples or a scipy.stats law
=========================================================

Any finite source is a `Discrete` law: a pmf on real values.
Build it from data (a histogram whose cells take their samples' mean) or by
quantizing a continuous `scipy.stats` distribution, pose the problem, and the
certified fast solver returns R(D, P) with a `lower` and an `upper` bound
([`Discrete`][rdp.sources.Discrete] in the API).
"""

import numpy as np
from scipy import stats

from rdp import Discrete, Problem
from rdp.plot import plot_rate_distortion

# %%
# From samples
# ------------
# 5 000 draws of a Gamma(2, 1) variable, binned into 12 cells. Each symbol's
# value is the mean of the samples in its cell, so squared error and the
# Wasserstein ground cost are measured on the data's own scale.
rng = np.random.default_rng(0)
samples = rng.gamma(2.0, 1.0, size=5000)
source = Discrete.from_samples(samples, bins=12)
print(f"{source.size} symbols, H(X) = {source.entropy():.4f} bits")

# %%
# MSE distortion and W₁ perception. One point: the rate with its certified
# bounds. `status` says how the value was obtained ('converged': the bounds
# met the solver's tolerance).
problem = Problem(source, "mse", "w1")
result = problem.rate(1.0, 0.2)
print(f"R(1.0, 0.2) = {result.rate:.6f} bits in [{result.lower:.6f}, {result.upper:.6f}]")
print(f"status {result.status!r}, method {result.method!r}")

# %%
# D_max(P), the distortion reachable at rate 0, bounds the useful range of D.
D_max = problem.zero_rate_distortion()
print(f"D_max(∞) = {D_max:.4f}")

# %%
# From a scipy.stats law
# ----------------------
# A Laplace law cut into 16 equal cells between its 10⁻⁶ and 1 − 10⁻⁶
# quantiles (the tails join the end cells); each symbol sits at its cell's
# conditional mean.
laplace = Discrete.from_scipy(stats.laplace(), 16)
laplace_problem = Problem(laplace, "mse", "tv")

# %%
# Rate–distortion curves at three perception levels (TV), each point solved
# with certified bounds. Shannon's R(D) (P = ∞) is dashed.
D = np.linspace(0.1, 1.8, 10)
fig = plot_rate_distortion(laplace_problem, [0.02, 0.1, 0.3], D)
