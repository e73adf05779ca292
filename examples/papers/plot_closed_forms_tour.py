"""
Closed forms of R(D, P): a tour
===============================

The exact rate–distortion–perception functions the library knows, evaluated
side by side:

- Bernoulli(0.1) with Hamming distortion and TV perception (Blau & Michaeli,
  ICML 2019, Theorem 2) in its three regions;
- the Gaussian source with MSE and squared-W₂ or KL perception (Zhang et al.,
  NeurIPS 2021, Theorem 2), and the cost of perfect perception
  D(R, 0) / D(R, ∞) = 2 / (1 + √(1 − 2^{−2R})), which moves to exactly 2 when
  encoder and decoder share no randomness (Wagner 2022).

The Bernoulli and squared-W₂ values are exact (status `exact`,
`lower == upper`). With KL(p_X‖p_X̂) perception no closed form is known: that
column is the midpoint of certified bounds (status `bounds`), printed with
their width.
"""

import warnings

import numpy as np
from matplotlib.figure import Figure

from rdp import KL, Bernoulli, Gaussian, Problem, UnconvergedWarning

# %%
# Bernoulli(0.1), Hamming, TV: one point in each region
# ------------------------------------------------------
bernoulli = Problem(Bernoulli(0.1), "hamming", "tv")
print("Bernoulli(0.1), Hamming distortion, TV perception")
print(f"{'D':>6} {'P':>6} {'R (bits)':>10}  region")
for D, P in [(0.01, 0.05), (0.05, 0.02), (0.05, 0.0), (0.2, 0.02), (0.05, 0.2)]:
    result = bernoulli.rate(D, P)
    region = result.diagnostics["region"]
    print(f"{D:6.3f} {P:6.3f} {result.rate:10.6f}  {region}")

# %%
# Gaussian N(0, 1), MSE: squared W2 and both KL directions
# ---------------------------------------------------------
print("\nN(0, 1), MSE: R(D = 0.3, P) in bits")
for P in (0.0, 0.01, 0.1, 1.0):
    cells = [f"P={P:<5}"]
    for name, perception in [
        ("w2", "w2"),
        ("kl(recon||source)", KL("reconstruction||source")),
        ("kl(source||recon)", KL("source||reconstruction")),
    ]:
        with warnings.catch_warnings():
            # KL(source||recon) has certified bounds, not an exact value: the
            # warning says so, and the bracket is printed below instead.
            warnings.simplefilter("ignore", UnconvergedWarning)
            result = Problem(Gaussian(), "mse", perception).rate(0.3, P)
        cell = f"{name}={result.rate:.6f}"
        if result.status != "exact":
            cell += f" (status {result.status}, ±{(result.upper - result.lower) / 2:.1e})"
        cells.append(cell)
    print("  ".join(cells))

# %%
# The cost of perfect perception
# ------------------------------
gauss = Problem(Gaussian(), "mse", "w2")
rates = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
shannon = gauss.distortion(rates).distortion
perfect = gauss.distortion(rates, 0.0).distortion
no_shared = gauss.distortion(rates, 0.0, common_randomness=0.0).distortion
print("\nR      D(R,0)/D(R,∞)  without common randomness")
for r, a, b in zip(rates, perfect / shannon, no_shared / shannon, strict=True):
    print(f"{r:4.2f}   {a:.6f}       {b:.6f}")

# %%
# The same ratio as a curve: 2 without common randomness, 2/(1 + √(1 − 2^(−2R)))
# with it
R = np.linspace(0.05, 4, 80)
ratio = gauss.distortion(R, 0.0).distortion / gauss.distortion(R).distortion
fig = Figure(figsize=(5.5, 3.5), layout="constrained")
ax = fig.add_subplot()
ax.plot(R, ratio, label="unlimited common randomness")
ax.axhline(2.0, color="k", ls="--", label="no common randomness")
ax.set(xlabel="R (bits)", ylabel="D(R, 0) / D(R, ∞)", ylim=(0.9, 2.1))
ax.legend()
