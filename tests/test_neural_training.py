"""The training loop: seeded, checkpointed, and resumed runs equal uninterrupted ones."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
eqx = pytest.importorskip("equinox")
optax = pytest.importorskip("optax")

from rdp.neural.training import load_checkpoint, run_stage, sample_batch  # noqa: E402

pytestmark = pytest.mark.neural


def _problem():
    model = eqx.nn.Linear(3, 1, key=jax.random.PRNGKey(0))
    opt = optax.adam(1e-2)
    state = (model, opt.init(eqx.filter(model, eqx.is_array)))
    data = jax.random.normal(jax.random.PRNGKey(1), (50, 3))

    def step(state, data, key):
        model, opt_state = state
        x = sample_batch(data, key, 8)
        loss, grads = eqx.filter_value_and_grad(
            lambda m: jnp.mean((jax.vmap(m)(x)[:, 0] - x.sum(axis=1)) ** 2)
        )(model)
        updates, opt_state = opt.update(grads, opt_state, eqx.filter(model, eqx.is_array))
        return (eqx.apply_updates(model, updates), opt_state), {"loss": loss}

    return step, state, data


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    step, state, data = _problem()
    key = jax.random.PRNGKey(7)
    full, logs = run_stage(step, state, data, key, 40, chunk=10, progress=False)
    ckpt = tmp_path / "stage.eqx"
    run_stage(step, state, data, key, 20, chunk=10, checkpoint=ckpt, progress=False)
    assert load_checkpoint(ckpt, state)[1] == 20
    resumed, _ = run_stage(step, state, data, key, 40, chunk=10, checkpoint=ckpt, progress=False)
    assert load_checkpoint(ckpt, state)[1] == 40
    np.testing.assert_array_equal(np.asarray(full[0].weight), np.asarray(resumed[0].weight))
    assert logs["loss"] < 10.0
    # A finished checkpoint is loaded, not retrained.
    again, again_logs = run_stage(step, state, data, key, 40, checkpoint=ckpt, progress=False)
    assert again_logs == {}
    np.testing.assert_array_equal(np.asarray(again[0].weight), np.asarray(full[0].weight))


def test_different_seeds_give_different_runs():
    step, state, data = _problem()
    a, _ = run_stage(step, state, data, jax.random.PRNGKey(0), 10, progress=False)
    b, _ = run_stage(step, state, data, jax.random.PRNGKey(1), 10, progress=False)
    assert not np.array_equal(np.asarray(a[0].weight), np.asarray(b[0].weight))
