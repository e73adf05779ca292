"""
Train a neural codec: the quick preset
======================================

The `quick` preset of each neural experiment trains tiny networks for a few
hundred steps: seconds on a CPU, enough to see the whole pipeline run (the
`cpu` and `gpu` presets reproduce the papers' numbers). Here the scalar
Gaussian theory check (Yan et al., ICML 2021): an encoder with K = 2 levels,
an MSE decoder G1 and a perfect-perception decoder G2, compared with the
Lloyd–Max optimum D*(K) and with 2·D*. The same as
`rdp neural theory-check --preset quick --out DIR`. Needs the `neural` extra.
"""

import os
import tempfile

from rdp.neural.experiments import run_theory_check
from rdp.reproduce import all_figures

# %%
# Train (results and checkpoints go to a temporary folder; a rerun into the
# same folder resumes)
out = tempfile.mkdtemp()
results = run_theory_check(out, "quick", progress=False)
for row in results["rows"]:
    print(
        f"K = {row['levels']}: MSE(G1) / D*(K) = {row['mse_g1_over_d_star']:.3f}, "
        f"MSE(G2) / MSE(G1) = {row['ratio']:.3f} (theory: 1 and 2)"
    )

# %%
# Draw it with `rdp reproduce`'s figure spec, pointed at the new results. Left:
# the measured MSE of G1 and G2 against D*(K) and 2·D*(K). Middle: MSE(G1)/D*(K)
# and MSE(G2)/(2·D*_f), where D*_f is the least MSE of the trained encoder's own
# cells. Right: W₁ between G2's reconstructions and held-out samples, beside the
# estimator's floor at this
# sample size.
os.environ["RDP_NEURAL_RESULTS"] = out
(spec,) = [spec for spec in all_figures() if spec.id == "neural-theory-check"]
fig = spec.make().figure
