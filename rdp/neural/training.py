"""A resumable, seeded training loop shared by every experiment.

A *stage* is a pure step function ``step(state, data, key) -> (state, logs)``
run ``num_steps`` times. The loop

- derives the key of step ``t`` as ``fold_in(key, t)``, so a run resumed from
  a checkpoint draws exactly the keys it would have drawn;
- runs ``chunk`` steps per compiled call (``lax.scan``), which keeps Python
  overhead off small models on a CPU and costs nothing on a GPU;
- saves the state (models and optimiser states) with
  ``equinox.tree_serialise_leaves`` every ``checkpoint_every`` steps and at the
  end, and resumes from the last checkpoint;
- shows a tqdm bar with steps, losses and time left.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from tqdm.auto import tqdm

from rdp._paths import replacing

StepFn = Callable[[Any, Any, jax.Array], tuple[Any, dict[str, jax.Array]]]


class CheckpointError(ValueError):
    """A checkpoint exists but cannot be read into the expected state."""


def save_checkpoint(path: Path, state: Any, step: int) -> None:
    """Write ``state`` and its step count atomically (``path`` + ``.json`` sidecar)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temporary:
        eqx.tree_serialise_leaves(temporary, state)
    meta = path.with_suffix(path.suffix + ".json")
    meta.write_text(json.dumps({"step": int(step)}))


def load_checkpoint(path: Path, like: Any) -> tuple[Any, int] | None:
    """The saved state (shaped like ``like``) and its step, or ``None`` when absent.

    Raises ``CheckpointError`` (a ``ValueError``) when the files exist but
    cannot be read: truncated, corrupted, or saved with other model sizes.
    """
    meta = path.with_suffix(path.suffix + ".json")
    if not (path.is_file() and meta.is_file()):
        return None
    try:
        step = int(json.loads(meta.read_text())["step"])
        return eqx.tree_deserialise_leaves(path, like), step
    except Exception as err:  # truncated file, wrong shapes, bad sidecar: all unreadable
        raise CheckpointError(
            f"checkpoint {path} is corrupted or from other settings ({type(err).__name__}); "
            "delete it (and its .json) to retrain that stage"
        ) from err


def _make_chunk(step: StepFn, static: Any, length: int):
    @jax.jit
    def run(params, data, key, start):
        def body(carry, i):
            state = eqx.combine(carry, static)
            state, logs = step(state, data, jax.random.fold_in(key, start + i))
            return eqx.filter(state, eqx.is_array), logs

        params, logs = jax.lax.scan(body, params, jnp.arange(length))
        return params, jax.tree_util.tree_map(jnp.mean, logs)

    return run


def run_stage(
    step: StepFn,
    state: Any,
    data: Any,
    key: jax.Array,
    num_steps: int,
    *,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 500,
    chunk: int = 50,
    description: str = "train",
    progress: bool = True,
) -> tuple[Any, dict[str, float]]:
    """Run ``num_steps`` steps of ``step`` from ``state``, resuming from ``checkpoint``.

    Parameters
    ----------
    step : callable
        ``step(state, data, key) -> (state, logs)``, pure and jit-compatible;
        ``logs`` is a dict of scalar arrays (losses) shown on the bar.
    state : pytree
        Initial state (models, optimiser states); also the template to load into.
    data : pytree of arrays
        Passed to every step unchanged (training data, frozen models).
    key : jax.Array
        Base PRNG key of the stage.
    num_steps : int
        Total number of steps.
    checkpoint : path, optional
        Checkpoint file; a finished stage found there is loaded and not rerun.
    checkpoint_every, chunk : int
        Steps between checkpoints and steps per compiled call.
    description : str
        Label of the progress bar.
    progress : bool
        Show the tqdm bar.

    Returns
    -------
    state, logs
        Final state and the last chunk's mean logs (empty when loaded finished).
    """
    start = 0
    path = Path(checkpoint) if checkpoint is not None else None
    if path is not None:
        loaded = load_checkpoint(path, state)
        if loaded is not None:
            state, start = loaded
    if start >= num_steps:
        return state, {}
    params, static = eqx.partition(state, eqx.is_array)
    runners: dict[int, Callable] = {}
    logs: dict[str, float] = {}
    bar = tqdm(
        total=num_steps,
        initial=start,
        desc=description,
        disable=not progress,
        leave=False,
        dynamic_ncols=True,
    )
    since_save = 0
    try:
        while start < num_steps:
            length = min(chunk, num_steps - start)
            if length not in runners:
                runners[length] = _make_chunk(step, static, length)
            params, chunk_logs = runners[length](params, data, key, start)
            start += length
            since_save += length
            logs = {k: float(v) for k, v in chunk_logs.items()}
            bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
            bar.update(length)
            if path is not None and (since_save >= checkpoint_every or start >= num_steps):
                save_checkpoint(path, eqx.combine(params, static), start)
                since_save = 0
    finally:
        bar.close()
    return eqx.combine(params, static), logs


def descend(opt, opt_state, model, loss_fn, *, has_aux=False):
    """One step of the optax optimiser ``opt`` on ``loss_fn(model)``.

    Parameters
    ----------
    opt : optax.GradientTransformation
    opt_state
        Its state for the array leaves of ``model``.
    model : equinox.Module
        The parameters (a pytree; its array leaves are trained).
    loss_fn : callable
        ``loss_fn(model)`` -> scalar, or ``(scalar, aux)`` with ``has_aux``.

    Returns
    -------
    tuple
        ``(model after the step, new opt_state, loss_fn's value at the old model)``.
    """
    value, grads = eqx.filter_value_and_grad(loss_fn, has_aux=has_aux)(model)
    updates, opt_state = opt.update(grads, opt_state, eqx.filter(model, eqx.is_array))
    return eqx.apply_updates(model, updates), opt_state, value


def sample_batch(data: jax.Array, key: jax.Array, batch_size: int) -> jax.Array:
    """A batch drawn uniformly with replacement from the rows of ``data``."""
    idx = jax.random.randint(key, (batch_size,), 0, data.shape[0])
    return data[idx]
