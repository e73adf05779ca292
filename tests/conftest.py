"""Shared test configuration: hypothesis profiles (a deterministic 'ci' profile on CI)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# --- JAX (rdp.neural): strict dtype promotion, in the spirit of equinox's test suite ---
import pytest  # noqa: E402


@pytest.fixture
def strict_dtypes():
    """Run a JAX test under strict dtype promotion (no silent float64/int up-casts)."""
    jax = pytest.importorskip("jax")
    with jax.numpy_dtype_promotion("strict"):
        yield
