"""``rdp.estimate.rate``: R(D, P) from samples against closed forms, with wrong twins.

References are written from the papers in ``tests/references.py`` (no rdp import): the scalar
Gaussian R(D, P) with squared W₂ (Zhang et al., NeurIPS 2021, Thm 2), Shannon's R(D) and the
Bernoulli/Hamming/TV closed form (Blau & Michaeli, ICML 2019, Thm 6). Each statistical check
has a twin drawn from a wrong law that the same check rejects.
"""

import json

import numpy as np
import pytest
import references as ref

from rdp import Gaussian, Problem
from rdp.estimate import EstimateResult, rate

N = 4000
#: About three standard errors of a rate at N = 4000 samples (0.5/ln 2 · √(2/N) ≈ 0.016 bits).
TOLERANCE = 0.05


def _gaussian(n=N, std=1.0, seed=7):
    return std * np.random.default_rng(seed).standard_normal(n)


def _covers(result, value):
    return result.ci_lower <= value <= result.ci_upper


@pytest.mark.parametrize(("D", "P"), [(0.3, 0.0), (0.5, 0.02)])
def test_gaussian_w2_estimate_matches_the_closed_form(D, P):
    """W₂² binds at both points (s_P > √(σ² − D)): the estimate is the closed form's, within
    the sample size's tolerance, and the 90 % interval covers it."""
    exact = ref.gaussian_w2_rate(D, P)
    assert exact > ref.gaussian_shannon_rate(D) + 0.02  # the perception constraint binds
    assert exact == pytest.approx(Problem(Gaussian(), "mse", "w2").rate(D, P).rate, abs=1e-9)
    result = rate(_gaussian(), D, P, perception="w2", bootstrap=20, seed=1)
    assert abs(result.estimate - exact) < TOLERANCE
    assert _covers(result, exact)
    # the certified bracket of the finite problem holds and is closed
    assert result.empirical_lower <= result.estimate == result.empirical_upper
    assert result.empirical_status == "converged"
    assert result.empirical_upper - result.empirical_lower <= 1e-6


def test_a_wrong_variance_is_rejected_by_the_same_check():
    """Twin: samples of N(0, 1.3) are more than the tolerance away from N(0, 1)'s R(D, P)."""
    D, P = 0.3, 0.0
    exact = ref.gaussian_w2_rate(D, P)
    result = rate(_gaussian(std=np.sqrt(1.3)), D, P, perception="w2", bootstrap=20, seed=1)
    assert abs(result.estimate - exact) > TOLERANCE
    assert not _covers(result, exact)
    assert abs(result.estimate - ref.gaussian_w2_rate(D, P, variance=1.3)) < TOLERANCE


def test_gaussian_rd_without_perception_matches_shannon():
    D = 0.4
    exact = ref.gaussian_shannon_rate(D)
    result = rate(_gaussian(), D, perception="none", bootstrap=20, seed=2)
    assert abs(result.estimate - exact) < TOLERANCE and _covers(result, exact)
    wrong = rate(_gaussian(std=np.sqrt(1.3)), D, perception="none", bootstrap=20, seed=2)
    assert abs(wrong.estimate - exact) > TOLERANCE and not _covers(wrong, exact)


@pytest.mark.parametrize(("p", "D", "P"), [(0.1, 0.05, 0.02), (0.3, 0.1, 0.05)])
def test_samples_of_a_two_point_law_give_its_closed_form(p, D, P):
    """Exact proportions of 0s and 1s, absolute error (= Hamming on {0, 1}) and TV: the
    empirical law is Bernoulli(p) itself, so the plug-in equals the Bernoulli/Hamming/TV
    closed form to the solver's certified gap; a twin with other proportions does not."""
    n = 1000
    samples = np.repeat([0.0, 1.0], [round(p * n), n - round(p * n)])
    result = rate(samples, D, P, distortion="absolute", perception="tv", cells=2, bootstrap=0)
    exact = ref.bernoulli_tv_rate(p, D, P)
    assert result.estimate == pytest.approx(exact, abs=2e-6)
    assert result.ci_lower == result.ci_upper == result.estimate
    twin = np.repeat([0.0, 1.0], [round((p + 0.05) * n), n - round((p + 0.05) * n)])
    wrong = rate(twin, D, P, distortion="absolute", perception="tv", cells=2, bootstrap=0)
    assert abs(wrong.estimate - exact) > 0.01


def test_lloyd_steps_lower_the_rate_with_few_particles():
    """With 4 particles the Lloyd moves lower the certified upper bound; each value is a
    certified bracket of the particles it reports (re-solved here independently)."""
    x = _gaussian(2000)
    fixed = rate(x, 0.2, perception="none", particles=4, max_rounds=0, bootstrap=0)
    moved = rate(x, 0.2, perception="none", particles=4, max_rounds=20, bootstrap=0)
    assert moved.rounds >= 1 and fixed.rounds == 0
    assert moved.estimate < fixed.estimate - 0.05
    from rdp.estimate.empirical import quantise

    source = quantise(x, 64).source
    check = Problem(source, "mse", reconstruction_alphabet=moved.particles).rate(
        0.2, method="cvxpy"
    )
    assert check.lower - 1e-5 <= moved.estimate <= check.upper + 1e-5


def test_result_is_seeded_json_and_marked_as_an_estimate():
    x = _gaussian(500)
    a = rate(x, 0.5, 0.05, perception="w1", distortion="absolute", bootstrap=5, seed=3)
    b = rate(x, 0.5, 0.05, perception="w1", distortion="absolute", bootstrap=5, seed=3)
    c = rate(x, 0.5, 0.05, perception="w1", distortion="absolute", bootstrap=5, seed=4)
    assert isinstance(a, EstimateResult) and a.status == "estimate"
    assert (a.ci_lower, a.ci_upper) == (b.ci_lower, b.ci_upper)
    assert (a.ci_lower, a.ci_upper) != (c.ci_lower, c.ci_upper)
    data = json.loads(a.to_json())
    assert data["status"] == "estimate" and data["n_samples"] == 500 and data["seed"] == 3
    assert len(data["particles"]) == len(data["particle_weights"]) == a.particles.size
    assert sum(data["particle_weights"]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"samples": np.zeros((30, 2))}, "samples"),
        ({"samples": np.arange(5.0)}, "samples"),
        ({"samples": np.r_[np.arange(30.0), np.nan]}, "samples"),
        ({"D": 0.0}, "D"),
        ({"P": -1.0}, "P"),
        ({"distortion": "hamming"}, "distortion"),
        ({"perception": "w3"}, "perception"),
        ({"cells": 1}, "cells"),
        ({"perception": "tv", "particles": 8}, "particles"),
        ({"level": 1.0}, "level"),
        ({"bootstrap": -1}, "bootstrap"),
    ],
)
def test_bad_input_is_one_line_naming_the_parameter(kwargs, name):
    args = {"samples": np.arange(30.0), "D": 0.5, "P": 0.1, "perception": "w2"}
    args.update(kwargs)
    samples = args.pop("samples")
    with pytest.raises(ValueError, match=name) as err:
        rate(samples, **args)
    assert "\n" not in str(err.value)


def test_a_distortion_below_the_empirical_minimum_is_an_error():
    with pytest.raises(ValueError, match="below the least distortion"):
        rate(_gaussian(500), 0.01, 0.0, perception="w2", particles=8, bootstrap=0)


def test_cli_json_is_the_api_result(tmp_path, capsys):
    from rdp.cli.main import main

    x = _gaussian(1000)
    np.save(tmp_path / "x.npy", x)
    argv = [str(tmp_path / "x.npy"), "-D", "0.3", "-P", "0", "--perception", "w2"]
    code = main(["estimate", *argv, "--bootstrap", "4", "--seed", "5", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 3  # an estimate is never certified: the status model's exit status
    api = rate(x, 0.3, 0.0, perception="w2", bootstrap=4, seed=5)
    assert data["estimate"] == api.estimate and data["ci_lower"] == api.ci_lower
    assert data["status"] == "estimate"
    # text files too, and the plain output names the estimate and the empirical bracket
    np.savetxt(tmp_path / "x.txt", x)
    assert main(["estimate", str(tmp_path / "x.txt"), *argv[1:], "--bootstrap", "0"]) == 3
    out = capsys.readouterr().out
    assert f"{api.estimate:.6g}" in out and "empirical" in out


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["-D", "-1"], "D"),
        (["-D", "0.5", "--cells", "1"], "cells"),
        (["-D", "0.5", "-P", "0.1"], "-P needs a perception"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, name):
    from rdp.cli.main import main

    np.save(tmp_path / "x.npy", _gaussian(100))
    assert main(["estimate", str(tmp_path / "x.npy"), *args]) == 2
    err = capsys.readouterr().err
    assert name in err and err.count("\n") == 1


def test_cli_unreadable_samples_are_exit_2(tmp_path, capsys):
    from rdp.cli.main import main

    (tmp_path / "bad.txt").write_text("a b c\n")
    for path in (tmp_path / "missing.npy", tmp_path / "bad.txt"):
        assert main(["estimate", str(path), "-D", "0.5"]) == 2
        err = capsys.readouterr().err
        assert "SAMPLES" in err and err.count("\n") == 1
