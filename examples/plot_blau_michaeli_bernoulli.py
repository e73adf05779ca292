"""
Blau & Michaeli: the Bernoulli source with Hamming distortion and TV perception
===============================================================================

Blau & Michaeli (ICML 2019, Theorem 2) give R(D, P) in closed form for a
Bernoulli(p) source with Hamming distortion and total-variation perception;
their Fig. 3 draws it for p = 1/10. This page draws the figures of
`rdp reproduce` from the same figure specs: the script asks the registry for
them by ID, so it shows exactly what `rdp reproduce bernoulli-tv-rd` writes.
"""

from textwrap import fill

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
# Each curve fixes the perception bound P; Shannon's R(D) (P = ∞) is dashed.
spec = specs["bernoulli-tv-rd"]
print(spec.command)
print(fill(spec.caption, 88))
fig = spec.make().figure

# %%
# The surface and its equi-rate lines
# -----------------------------------
spec = specs["bernoulli-tv-surface"]
print(fill(spec.caption, 88))
fig = spec.make().figure

# %%
# Cross sections
# --------------
# At fixed rate: the distortion–perception tradeoff; at fixed distortion: the
# rate that perception costs.
spec = specs["bernoulli-tv-sections"]
print(fill(spec.caption, 88))
fig = spec.make().figure
