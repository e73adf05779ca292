"""One memory estimate for the API, the command line and sweeps, checked before allocation.

The estimate (``rdp.solvers.memory.estimate_bytes``) is compared with arrays counted by
hand (8 N M bytes each) and with the peak memory a solve allocates (``tracemalloc``);
each refusal has a twin that runs once the ceiling is raised.
"""

import json
import time
import tracemalloc

import numpy as np
import pytest

import rdp
from rdp import Discrete, Problem
from rdp.cli.main import main
from rdp.solvers.memory import ENV_VAR, estimate_bytes


def _uniform(n, distortion="mse", perception="w1"):
    return Problem(Discrete(np.full(n, 1.0 / n)), distortion, perception)


def test_api_refuses_a_large_problem_before_allocating():
    """10,000 symbols with MSE/W₁ (7.9 GB and a MemoryError after 42 s before): one line."""
    problem = _uniform(10_000)
    start = time.perf_counter()
    with pytest.raises(ValueError) as err:
        problem.rate(0.1, 0.1)
    assert time.perf_counter() - start < 10
    message = str(err.value)
    assert "\n" not in message and "no method applies" not in message
    assert f"{16 * 8 * 10_000**2 / 1e9:.1f} GB" in message  # 16 arrays of 8 N M bytes
    assert "max_memory" in message and ENV_VAR in message


def test_api_ceiling_is_raised_by_option_and_environment(monkeypatch):
    """Twin: a 40-symbol problem needs ~0.2 MB; a ceiling below that refuses it, above runs."""
    problem = _uniform(40)
    need = estimate_bytes(problem, "fast")
    assert need == 16 * 8 * 40 * 40
    with pytest.raises(ValueError, match="max_memory"):
        problem.rate(0.1, 0.1, max_memory=need / 2e9)
    assert problem.rate(0.1, 0.1, max_memory=need * 2 / 1e9).status == "converged"
    monkeypatch.setenv(ENV_VAR, repr(need / 2e9))
    with pytest.raises(ValueError, match=ENV_VAR):
        problem.rate(0.1, 0.1)
    with pytest.raises(ValueError, match="cvxpy"):
        problem.rate(0.1, 0.1, method="cvxpy")
    monkeypatch.setenv(ENV_VAR, "lots")
    with pytest.raises(ValueError, match=f"{ENV_VAR} must be a number of GB > 0"):
        problem.rate(0.1, 0.1)


def test_cli_and_sweep_use_the_same_estimate(tmp_path, capsys, monkeypatch):
    """`rdp rate` and `rdp.sweep` refuse the same problem with the API's number."""
    n = 3000
    problem = _uniform(n)
    need_gb = estimate_bytes(problem, "fast") / 1e9
    monkeypatch.setenv(ENV_VAR, repr(need_gb / 2))
    with pytest.raises(ValueError) as api:
        problem.rate(0.1, 0.1)
    assert f"{need_gb:.1f} GB" in str(api.value)
    path = tmp_path / "big.json"
    spec = {"source": {"pmf": np.full(n, 1.0 / n).tolist()}, "distortion": "mse",
            "perception": "w1", "D": 0.1, "P": 0.1}  # fmt: skip
    path.write_text(json.dumps(spec))
    code = main(["rate", str(path)])
    err = capsys.readouterr().err
    assert (
        code == 2 and err.count("\n") == 1 and f"{need_gb:.1f} GB" in err and "--max-memory" in err
    )
    sweep_spec = {
        "families": [{"source": {"pmf": np.full(n, 1.0 / n).tolist()}, "distortion": "mse",
                      "perception": ["w1"]}],
        "D": [0.1], "P": [0.1],
    }  # fmt: skip
    with pytest.raises(ValueError) as sweep:
        rdp.sweep(sweep_spec, tmp_path / "store", executor="serial")
    assert f"{need_gb:.1f} GB" in str(sweep.value)


def test_hamming_memory_matches_the_estimate():
    """A uniform 2000-symbol Hamming problem allocates within its estimate (2.5 arrays of
    8 N M bytes, traced by ``tracemalloc``), the dense estimate being 16 such arrays."""
    n = 2000
    problem = _uniform(n, "hamming", None)
    tracemalloc.start()
    try:
        result = problem.rate(0.5, method="fast")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "converged"
    estimate = estimate_bytes(problem, "fast")
    assert estimate == 2.5 * 8 * n * n
    assert peak <= estimate
    assert peak > 8 * n * n  # twin: at least the channel itself, so the check can fail
