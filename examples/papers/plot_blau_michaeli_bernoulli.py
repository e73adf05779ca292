"""
Blau & Michaeli: the Bernoulli source with Hamming distortion and TV perception
===============================================================================

Blau & Michaeli (ICML 2019, Theorem 2) give R(D, P) in closed form for a
Bernoulli(p) source with Hamming distortion and total-variation perception;
their Fig. 3 draws it for p = 1/10. This page draws the figures of
`rdp reproduce` from the same figure specs: the script asks the registry for
them by ID, so it shows exactly what `rdp reproduce bernoulli-tv-rd` writes.
"""

from rdp import Bernoulli, Problem
from rdp.reproduce import select_figures

specs = {
    spec.id: spec
    for spec in select_figures(["bernoulli-tv-rd", "bernoulli-tv-surface", "bernoulli-tv-sections"])
}

# %%
# The closed form behind the figures, at one point in each of its regions
problem = Problem(Bernoulli(0.1), "hamming", "tv")
for D, P in [(0.01, 0.05), (0.05, 0.02), (0.05, 0.0), (0.05, 0.2)]:
    result = problem.rate(D, P)
    print(f"R({D}, {P}) = {result.rate:.6f} bits   region: {result.diagnostics['region']}")

# %%
# Rate–distortion curves
# ----------------------
# R(D, P) against D at five perception bounds P (darker: stricter) and Shannon's
# R(D) = R(D, ∞) dashed in black. Tightening
# the perception bound raises the curve; at P = 0 the distortion reachable at
# rate 0 is largest. `rdp reproduce bernoulli-tv-rd` writes this figure with
# its data as CSV.
fig = specs["bernoulli-tv-rd"].make().figure

# %%
# The surface and its equi-rate lines
# -----------------------------------
# Left: R(D, P) over the (D, P) plane with its equi-rate lines. Right: the same
# lines in the (D, P) plane; the shaded region is where the rate is 0
# (D ≥ D_max(P)). The lines bend where the perception constraint becomes
# active.
fig = specs["bernoulli-tv-surface"].make().figure

# %%
# Cross sections
# --------------
# Left: D(R, P) against P at fixed rates, the distortion–perception tradeoff,
# flat once the perception bound is inactive. Right: R(D, P) against P at fixed
# distortions, the rate that perception costs.
fig = specs["bernoulli-tv-sections"].make().figure
