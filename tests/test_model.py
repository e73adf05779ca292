"""The object model: sources, measures, results, broadcasting, units, problem files, bad input."""

import json

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from rdp import (
    KL,
    AbsoluteError,
    Bernoulli,
    Discrete,
    Gaussian,
    GaussianVector,
    Hamming,
    MatrixDistortion,
    Problem,
    SquaredError,
    TotalVariation,
    Wasserstein,
)
from rdp.perceptions import perception_from_name
from rdp.problem_file import parse_problem


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Bernoulli(1.2), r"p must be a probability in \[0, 1\]"),
        (lambda: Bernoulli(-0.1), r"p must be a probability in \[0, 1\]"),
        (lambda: Bernoulli(float("nan")), "p must be finite"),
        (lambda: Discrete([0.5, 0.6]), "pmf must sum to 1"),
        (lambda: Discrete([1.2, -0.2]), "pmf entries must be non-negative"),
        (lambda: Discrete([[0.5, 0.5]]), "pmf must be a non-empty 1-D array"),
        (
            lambda: Discrete([0.5, 0.5], [0, 1, 2]),
            r"alphabet must have one value \(shape \(2,\)\) or one point",
        ),
        (lambda: Gaussian(0, 0), "variance must be > 0"),
        (lambda: Gaussian(0, -1), "variance must be > 0"),
        (lambda: GaussianVector([[1, 2], [2, 1]]), "covariance must be positive definite"),
        (lambda: GaussianVector([[1, 0.2], [0.1, 1]]), "covariance must be symmetric"),
        (lambda: GaussianVector([[1, 0], [0, 1]], mean=[0]), "mean must be a finite vector"),
        (lambda: perception_from_name("wasserstein"), "perception must be one of"),
        (lambda: Problem(Bernoulli(0.1), "l2"), "distortion must be one of"),
        (lambda: Problem(Discrete([0.5, 0.5])), "distortion is required"),
        (lambda: Wasserstein(3), "order must be 1 or 2"),
        (lambda: KL("forward"), "direction must be one of"),
        (lambda: MatrixDistortion([[0, -1], [1, 0]]), "distortion entries must be non-negative"),
        (
            lambda: Problem(
                Discrete([0.5, 0.5]), [[0, 1, 1], [1, 0, 1]], reconstruction_alphabet=[0, 1]
            ),
            "reconstruction_alphabet has 2 symbols but the distortion matrix has 3",
        ),
    ],
)
def test_bad_input_is_a_value_error_naming_the_parameter(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(
    ("D", "P", "match"),
    [
        (-0.1, 0.0, "D must be non-negative"),
        (0.1, -1.0, "P must be non-negative"),
        (float("nan"), 0.0, "D must not contain NaN"),
        (float("inf"), 0.0, "D must be finite"),
    ],
)
def test_bad_points_are_rejected(D, P, match):
    with pytest.raises(ValueError, match=match):
        Problem(Bernoulli(0.1), "hamming", "tv").rate(D, P)


def test_unknown_method_and_units_are_rejected():
    problem = Problem(Bernoulli(0.1), "hamming", "tv")
    with pytest.raises(ValueError, match="method must be 'auto' or one of"):
        problem.rate(0.1, 0.0, method="magic")
    with pytest.raises(ValueError, match="units must be one of"):
        problem.rate(0.1, 0.0, units="hartleys")


def test_broadcasting_and_result_fields():
    problem = Problem(Bernoulli(0.1), "hamming", "tv")
    D = np.array([0.01, 0.05, 0.1])[:, None]
    P = np.array([0.0, 0.02])[None, :]
    result = problem.rate(D, P)
    assert result.rate.shape == (3, 2)
    assert result.feasible.dtype == bool and result.feasible.all()
    assert result.channel.shape == (3, 2)
    np.testing.assert_array_equal(result.lower, result.rate)
    np.testing.assert_array_equal(result.gap, 0.0)
    for i in range(3):
        for j in range(2):
            assert result.rate[i, j] == problem.rate(D[i, 0], P[0, j]).rate
    scalar = problem.rate(0.05, 0.02)
    assert isinstance(scalar.rate, float) and scalar.rate == result.rate[1, 1]


def test_nats_scale_rates_and_kl_bounds():
    problem = Problem(Gaussian(), "mse", "kl-recon-source")
    bits = problem.rate(0.4, 0.1)
    nats = problem.rate(0.4, 0.1 * np.log(2), units="nats")
    assert nats.rate == pytest.approx(bits.rate * np.log(2), rel=1e-12)
    assert nats.units == "nats"


def test_to_dict_is_json_with_the_documented_keys():
    data = json.loads(
        json.dumps(Problem(Bernoulli(0.1), "hamming", "tv").rate(0.05, 0.02).to_dict())
    )
    assert {"rate", "lower", "upper", "feasible", "method", "units", "reference"} <= set(data)


def test_discrete_perception_divergences_match_independent_formulas():
    p = np.array([0.2, 0.5, 0.3])
    q = np.array([0.4, 0.4, 0.2])
    x = np.array([0.0, 1.0, 3.0])
    assert TotalVariation().divergence(p, q) == pytest.approx(0.2)
    w1 = Wasserstein(1).divergence(p, q, source_alphabet=x, reconstruction_alphabet=x)
    assert w1 == pytest.approx(wasserstein_distance(x, x, p, q))
    # W2^2 on the line: integral of (F^-1 - G^-1)^2, from sorted quantiles
    levels = np.linspace(0, 1, 200001)[1:-1]
    qf = x[np.searchsorted(np.cumsum(p), levels)]
    qg = x[np.searchsorted(np.cumsum(q), levels)]
    w2 = Wasserstein(2).divergence(p, q, source_alphabet=x, reconstruction_alphabet=x)
    assert w2 == pytest.approx(np.mean((qf - qg) ** 2), abs=1e-4)
    forward = KL("source||reconstruction").divergence(p, q)
    assert forward == pytest.approx(np.sum(p * np.log2(p / q)))
    assert KL("reconstruction||source").divergence(p, q, units="nats") == pytest.approx(
        np.sum(q * np.log(q / p))
    )


def test_distortion_matrices():
    x = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(Hamming().matrix(x, x), 1 - np.eye(3))
    np.testing.assert_array_equal(SquaredError().matrix(x, x[:2]), [[0, 1], [1, 0], [4, 1]])
    np.testing.assert_array_equal(AbsoluteError().matrix(x, x[:2]), [[0, 1], [1, 0], [2, 1]])
    with pytest.raises(ValueError, match="distortion must have shape 3x3"):
        MatrixDistortion(np.ones((2, 2))).matrix(x, x)


def test_gaussian_vector_eigendecomposition():
    source = GaussianVector([[2.0, 0.5], [0.5, 1.0]])
    assert source.eigenvalues[0] >= source.eigenvalues[1]
    np.testing.assert_allclose(
        source.eigenvectors @ np.diag(source.eigenvalues) @ source.eigenvectors.T,
        source.covariance,
    )


def test_problem_file_round_trip():
    spec = parse_problem(
        {
            "source": {"pmf": [0.9, 0.1], "alphabet": [0, 1]},
            "distortion": "hamming",
            "perception": "tv",
            "D": 0.05,
            "P": 0.02,
        }
    )
    assert spec.problem.rate(spec.D, spec.P).rate == pytest.approx(
        Problem(Bernoulli(0.1), "hamming", "tv").rate(0.05, 0.02).rate
    )
    w = parse_problem(
        {
            "source": {"pmf": [0.5, 0.5]},
            "distortion": [[0, 1], [1, 0]],
            "perception": {"kind": "w1", "cost": [[0, 2], [2, 0]]},
        }
    )
    assert isinstance(w.problem.perception_measure, Wasserstein)
    vec = parse_problem(
        {
            "source": {"kind": "gaussian-vector", "covariance": [[2, 0], [0, 1]]},
            "perception": "w2",
            "D": 0.5,
            "P": 0.1,
        }
    )
    assert vec.problem.rate(vec.D, vec.P).method.startswith("closed-form: gaussian-vector")
    with pytest.raises(ValueError, match="unknown key"):
        parse_problem({"source": {"pmf": [1.0]}, "distorsion": "hamming"})
    with pytest.raises(ValueError, match=r"source\.kind"):
        parse_problem({"source": {"kind": "poisson"}})


def test_to_jsonable_handles_zero_d_and_array_likes():
    from rdp.result import to_jsonable

    class ArrayLike:  # stands in for jax arrays: anything with __array__
        def __array__(self, dtype=None, copy=None):
            return np.array([[1.0, np.inf], [2.0, 3.0]])

    value = {"a": np.asarray(2.5), "b": ArrayLike(), "c": (np.int64(3), np.bool_(True))}
    assert to_jsonable(value) == {"a": 2.5, "b": [[1.0, np.inf], [2.0, 3.0]], "c": [3, True]}
    assert json.loads(json.dumps(to_jsonable(value)))["b"][0][1] == np.inf
