"""Closed forms of R(D, P): a tour
================================

The exact rate–distortion–perception functions the library knows, evaluated
side by side:

- Bernoulli(0.1) with Hamming distortion and TV perception (Blau & Michaeli,
  ICML 2019, Theorem 2) in its three regions;
- the Gaussian source with MSE and squared-W₂ or KL perception (Zhang et al.,
  NeurIPS 2021, Theorem 2), and the cost of perfect perception
  D(R, 0) / D(R, ∞) = 2 / (1 + √(1 − 2^{−2R})), which moves to exactly 2 when
  encoder and decoder share no randomness (Wagner 2022).

Run ``python examples/closed_forms_tour.py``; it prints tables and writes
``closed_forms_tour.json`` into ``$RDP_EXAMPLES_OUT`` (default: the current
directory).
"""

import json
import os
from pathlib import Path

import numpy as np

from rdp import KL, Bernoulli, Gaussian, Problem

out_dir = Path(os.environ.get("RDP_EXAMPLES_OUT", "."))

# %%
# Bernoulli(0.1), Hamming, TV: one point in each region
# ------------------------------------------------------
bernoulli = Problem(Bernoulli(0.1), "hamming", "tv")
print("Bernoulli(0.1), Hamming distortion, TV perception")
print(f"{'D':>6} {'P':>6} {'R (bits)':>10}  region")
bernoulli_rows = []
for D, P in [(0.01, 0.05), (0.05, 0.02), (0.05, 0.0), (0.2, 0.02), (0.05, 0.2)]:
    result = bernoulli.rate(D, P)
    region = result.diagnostics["region"]
    bernoulli_rows.append({"D": D, "P": P, "rate": result.rate, "region": region})
    print(f"{D:6.3f} {P:6.3f} {result.rate:10.6f}  {region}")

# %%
# Gaussian N(0, 1), MSE: squared W2 and both KL directions
# ---------------------------------------------------------
print("\nN(0, 1), MSE: R(D = 0.3, P) in bits")
gaussian_rows = []
for P in (0.0, 0.01, 0.1, 1.0):
    row = {"P": P}
    for name, perception in [
        ("w2", "w2"),
        ("kl(recon||source)", KL("reconstruction||source")),
        ("kl(source||recon)", KL("source||reconstruction")),
    ]:
        row[name] = Problem(Gaussian(), "mse", perception).rate(0.3, P).rate
    gaussian_rows.append(row)
    print("  ".join(f"{k}={v:.6f}" for k, v in row.items()))

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

(out_dir / "closed_forms_tour.json").write_text(
    json.dumps(
        {
            "bernoulli": bernoulli_rows,
            "gaussian": gaussian_rows,
            "perfect_perception_ratio": dict(
                zip(map(str, rates), (perfect / shannon).tolist(), strict=True)
            ),
        },
        indent=2,
    )
)
