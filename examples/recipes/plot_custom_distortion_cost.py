"""
A custom distortion matrix and a Wasserstein ground cost
========================================================

When symbols are labels rather than numbers, say what each mistake costs.
Here a four-level weather forecast (sun, cloud, rain, storm): calling a storm
"sun" is far worse than the reverse, so the distortion matrix Δ is not
symmetric. Perception is an optimal-transport distance between the law of the
forecasts and the law of the weather, with a ground cost c that counts how many
levels apart two symbols are (so TV would be the special case c = 1[x ≠ x̂]).
"""

import numpy as np

from rdp import Discrete, MatrixDistortion, Problem, Wasserstein
from rdp.plot import plot_rate_distortion

# %%
# The source and the two matrices
# -------------------------------
# ``Delta[i, j]``: the cost of forecasting j when the weather is i, the squared
# number of levels between them, three times as much when the forecast is
# milder than the weather.
source = Discrete([0.45, 0.3, 0.2, 0.05])
Delta = np.array(
    [
        [0.0, 1.0, 4.0, 9.0],  # sun
        [3.0, 0.0, 1.0, 4.0],  # cloud
        [12.0, 3.0, 0.0, 1.0],  # rain
        [27.0, 12.0, 3.0, 0.0],  # storm: forecasting sun costs most
    ]
)
levels_apart = np.abs(np.arange(4)[:, None] - np.arange(4)[None, :]).astype(float)
problem = Problem(source, MatrixDistortion(Delta), Wasserstein(1, cost=levels_apart))

# %%
# One point, and the optimal forecaster
# -------------------------------------
# The result carries the optimal test channel p(x̂ | x): each row is how the
# forecaster answers one weather state.
result = problem.rate(0.5, 0.1)
print(f"R(0.5, 0.1) = {result.rate:.5f} bits in [{result.lower:.5f}, {result.upper:.5f}]")
print("p(x̂ | x) =")
print(np.round(result.channel.conditional, 3))
print("forecast law p_X̂ =", np.round(result.channel.reconstruction_pmf, 3))
print(
    "its W₁ distance to p_X =",
    round(problem.perception_measure.divergence(source.pmf, result.channel.reconstruction_pmf), 4),
)

# %%
# The constraints hold: expected distortion ≤ D and transport cost ≤ P.
print("E[Δ] =", round(result.channel.expected_distortion(Delta), 5))

# %%
# Rate–distortion curves
# ----------------------
# Tightening the perception budget raises the curve (Blau & Michaeli, ICML
# 2019, Theorem 1): a forecaster that must issue storms as often as they
# happen pays for it in rate.
D = np.linspace(0.1, 1.6, 10)
fig = plot_rate_distortion(problem, [0.0, 0.1, 0.3], D)
