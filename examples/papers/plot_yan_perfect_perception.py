"""
Yan et al.: the cost of perfect perception
==========================================

Yan, Wen, Luo, Li & Ding (ICML 2021, Theorems 1–2) show that for a one-shot
encoder, the best decoder under *perfect* perception (p_X̂ = p_X) has exactly
twice the MSE of the best decoder without perception. With common randomness
the information-theoretic ratio D(R, 0)/D(R, ∞) is lower, and it rises to 2
as the shared randomness goes to zero (Wagner 2022). The figure is
`rdp reproduce yan-perfect-perception`.
"""

import numpy as np
from scipy import stats

from rdp import Gaussian, Problem
from rdp.reproduce import select_figures
from rdp.theorems import yan2021

(spec,) = select_figures(["yan-perfect-perception"])

# %%
# The theorem as an executable check: for the Laplace source and K = 2 … 8
# cells, the ratio of the perfect-perception MSE to the optimal MSE is 2.
report = yan2021.check_cost_of_perfect_perception(stats.laplace(), levels=range(2, 9))
print(report)

# %%
# The information-theoretic contrast for N(0, 1): with unlimited common
# randomness the ratio is 2/(1 + √(1 − 2^(−2R))) < 2; without any it is 2.
gauss = Problem(Gaussian(), "mse", "w2")
R = np.array([0.5, 1.0, 2.0, 4.0])
shannon = gauss.distortion(R).distortion
print("R                   ", R)
print("ratio, shared random", np.round(gauss.distortion(R, 0.0).distortion / shannon, 4))
print(
    "ratio, none shared  ",
    np.round(gauss.distortion(R, 0.0, common_randomness=0.0).distortion / shannon, 4),
)

# %%
# The figure
# ----------
# Right: D(R, 0)/D(R, ∞). For optimal one-shot quantizers with K cells
# (R = log₂ K) and a decoder that samples X̂ ~ p(x | code), the ratio is exactly
# 2 for every source (Yan et al. 2021). In the information-theoretic setting
# with unlimited common randomness the Gaussian ratio is
# 2/(1 + √(1 − 2^(−2R))) < 2; with R_c bits of common randomness it rises
# towards 2, reached at R_c = 0 (Wagner 2022). Left: the distortions themselves
# for N(0, 1).
fig = spec.make().figure
