"""
Vector Gaussian: water-filling with a perception budget
=======================================================

For a Gaussian vector with MSE distortion, Shannon's R(D) is reverse
water-filling: every component gets distortion min(θ, σᵢ²) and components
below the water level θ get no rate. With a squared-W₂ perception budget the
reconstruction may not collapse a component to its mean, so *every* component
gets rate (Qian et al., 2024; [the closed form](../../closed-forms/gaussian-vector.md)).
This script draws the per-component levels of both solutions.
"""

import numpy as np
from matplotlib.figure import Figure

from rdp import GaussianVector, Problem
from rdp.closed_forms.gaussian_vector import two_multiplier_water_filling
from rdp.closed_forms.water_filling import reverse_water_filling

# %%
# Four components, variances 4, 1, 0.25 and 0.06; total distortion budget D = 1.25
variances = np.array([4.0, 1.0, 0.25, 0.06])
problem = Problem(GaussianVector(np.diag(variances)), "mse", "w2")
D = 1.25

# %%
# The rate with and without a perception budget, with certified bounds
for P in (np.inf, 0.05, 0.0):
    r = problem.rate(D, P)
    print(f"P = {P:<5}  R = {r.rate:.6f} bits  [{r.lower:.6f}, {r.upper:.6f}]  {r.status}")

# %%
# The per-component allocations behind those numbers
shannon = reverse_water_filling(variances, D=D)
perceptual = two_multiplier_water_filling(variances, "w2", P=0.05, D=D)
print("water level θ =", round(shannon.level, 4))
print("component rates, P = ∞  :", np.round(shannon.rates, 4))
print("component rates, P = 0.05:", np.round(perceptual.rates, 4))
print("reconstruction std sᵢ, P = 0.05:", np.round(perceptual.reconstruction_stds, 4))

# %%
# The picture: each bar is a component's variance σᵢ²; the blue part is the
# distortion it is left with. Without perception the distortions stop at the
# water level θ (dashed); with the budget they differ from component to
# component and the small components keep some rate.
fig = Figure(figsize=(9, 3.4), layout="constrained")
axes = fig.subplots(1, 2, sharey=True)
index = np.arange(variances.size)
for ax, allocation, title in [
    (axes[0], shannon, "no perception constraint (P = ∞)"),
    (axes[1], perceptual, "squared W₂ ≤ 0.05"),
]:
    ax.bar(index, variances, color="0.85", label="variance σᵢ²")
    ax.bar(index, allocation.distortions, color="tab:blue", label="distortion Dᵢ")
    for i, rate in enumerate(allocation.rates):
        ax.text(i, variances[i] + 0.05, f"{rate:.2f} b", ha="center", fontsize=8)
    ax.set_xticks(index, [f"σ² = {v:g}" for v in variances])
    ax.set_title(title)
axes[0].axhline(shannon.level, color="k", ls="--", lw=1, label="water level θ")
axes[0].set_ylabel("per-component MSE")
axes[0].legend(loc="upper right", fontsize=8)
