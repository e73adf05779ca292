"""HiFiC training: rate + MSE + perceptual feature distance + conditional GAN.

The generator (encoder, decoder, entropy model) minimises, per batch
(Mentzer et al., NeurIPS 2020, eq. 3, with LPIPS replaced by a feature
distance of a classifier the library trains on the same data),

$$
L_{EG} = \\lambda\\, \\frac{\\text{bits}}{\\text{pixel}}
  + \\operatorname{MSE}(x, x')
  + k_P \\lVert \\phi(x) - \\phi(x') \\rVert^2
  - \\beta \\log D(x', \\hat y),
$$

and the discriminator the non-saturating GAN loss
$L_D = -\\log(1 - D(x', \\hat y)) - \\log D(x, \\hat y)$ (eq. 4). The
bits are the entropy model's $-\\log_2$ likelihood of the noisy latent.
As in the paper (§4, "Training"), the adversarial stage starts from a model
trained for rate–distortion alone: stage 1 minimises
$\\lambda\\,\\text{bpp} + \\operatorname{MSE}$ (the β = 0 baseline;
the perceptual term belongs to the GAN stage), stage 2 adds
$k_P$ and $\\beta$. Both stages run on
``rdp.neural.training.run_stage`` (seeded keys, compiled chunks,
checkpoints every few hundred steps, resumable).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

from rdp.codec.discriminator import make_discriminator
from rdp.codec.model import Codec, CodecConfig
from rdp.neural.training import descend, run_stage, sample_batch

PERCEPTION_LOSSES = ("gan", "sliced-w2")


@dataclass(frozen=True)
class TrainConfig:
    """Loss weights and schedule.

    Attributes
    ----------
    lmbda : float
        Weight λ of the rate in bits per pixel (per coordinate for vectors).
    beta : float
        Weight β of the adversarial loss; 0 = MSE-only baseline (no stage 2).
    perceptual_weight : float
        Weight $k_P$ of the classifier feature distance (stage 2 only).
    steps, gan_steps : int
        Steps of stage 1 (rate–distortion) and stage 2 (adversarial).
    batch_size : int
    learning_rate, gan_learning_rate : float
        Adam step sizes of stage 1 and of both players in stage 2.
    disc_filters : int
        Width of the discriminator.
    seed : int
    perception_loss : {"gan", "sliced-w2"}
        What β weighs in stage 2: HiFiC's conditional discriminator, or the
        sliced $W_2^2$ to a batch of training inputs (no discriminator).
    finetune : bool
        Run stage 2 even when ``beta == perceptual_weight == 0`` (equal-steps baseline).
    projections : int
        Random directions of the sliced $W_2^2$.
    """

    lmbda: float = 0.01
    beta: float = 0.0
    perceptual_weight: float = 0.0
    steps: int = 2000
    gan_steps: int = 1000
    batch_size: int = 32
    learning_rate: float = 1e-3
    gan_learning_rate: float = 1e-4
    disc_filters: int = 32
    seed: int = 0
    perception_loss: str = "gan"
    finetune: bool = False
    projections: int = 64

    def __post_init__(self):
        if self.perception_loss not in PERCEPTION_LOSSES:
            raise ValueError(
                f"perception_loss must be one of {PERCEPTION_LOSSES}; got {self.perception_loss!r}"
            )

    @property
    def adversarial(self) -> bool:
        """Whether stage 2 trains HiFiC's discriminator."""
        return self.perception_loss == "gan" and (self.beta > 0 or self.perceptual_weight > 0)

    @property
    def has_stage2(self) -> bool:
        """Whether training goes on after the rate–distortion stage."""
        return self.beta > 0 or self.perceptual_weight > 0 or self.finetune

    def to_dict(self) -> dict:
        """Plain dict for JSON."""
        return dataclasses.asdict(self)


def _tag(value: float) -> str:
    return f"{value:g}".replace(".", "p").replace("-", "m")


def stage_paths(checkpoint_dir: Path, cfg: TrainConfig) -> tuple[Path, Path]:
    """Checkpoint files of stage 1 (shared by every β at one λ) and stage 2."""
    stem = f"lam{_tag(cfg.lmbda)}-s{cfg.seed}"
    weights = f"beta{_tag(cfg.beta)}-kp{_tag(cfg.perceptual_weight)}"
    if cfg.adversarial:
        second = f"gan-{stem}-{weights}.eqx"
    elif cfg.perception_loss == "sliced-w2" and cfg.beta > 0:
        second = f"sw2-{stem}-{weights}-p{cfg.projections}.eqx"
    else:
        second = f"ft-{stem}-{weights}.eqx"
    return checkpoint_dir / f"mse-{stem}.eqx", checkpoint_dir / second


def sliced_w2(a: jax.Array, b: jax.Array, key: jax.Array, projections: int) -> jax.Array:
    """Sliced $W_2^2$ of two equal-size samples ``(n, d)``: mean over random directions.

    $$
    SW_2^2(a, b) = \\frac{1}{K} \\sum_{k=1}^K W_2^2(\\theta_k^\\top a, \\theta_k^\\top b),
    $$

    each one-dimensional $W_2^2$ between empirical measures computed by
    sorting (the monotone coupling is optimal on the line).
    """
    theta = jax.random.normal(key, (a.shape[1], projections))
    theta = theta / jnp.linalg.norm(theta, axis=0, keepdims=True)
    pa = jnp.sort(a @ theta, axis=0)
    pb = jnp.sort(b @ theta, axis=0)
    return jnp.mean((pa - pb) ** 2)


def _flat_features(features, x):
    return jax.vmap(lambda xi: features(xi.ravel()))(x)


def train_codec(
    train: jax.Array,
    codec_config: CodecConfig,
    cfg: TrainConfig,
    checkpoint_dir: str | Path,
    *,
    features=None,
    progress: bool = False,
) -> tuple[Codec, dict[str, float]]:
    """Train a codec on the rows of ``train`` (shape ``(n, *codec_config.shape)``).

    Parameters
    ----------
    train : array
        Training inputs.
    codec_config, cfg : CodecConfig, TrainConfig
        Architecture and losses/schedule.
    checkpoint_dir : path
        Stage checkpoints (``stage_paths``); a finished stage is loaded, a
        partial one resumed.
    features : callable, optional
        ``features(flat_input) -> vector``: the frozen classifier embedding of
        the perceptual loss (needed when ``cfg.perceptual_weight > 0``).
    progress : bool
        Progress bars.

    Returns
    -------
    codec, logs
        The trained codec and the last chunk's mean losses.
    """
    if cfg.perceptual_weight > 0 and features is None:
        raise ValueError("perceptual_weight > 0 needs the classifier features")
    checkpoint_dir = Path(checkpoint_dir)
    mse_path, gan_path = stage_paths(checkpoint_dir, cfg)
    key = jax.random.PRNGKey(cfg.seed)
    k_init, k_disc, k_train1, k_train2 = jax.random.split(key, 4)
    train = jnp.asarray(train, jnp.float32)
    pixels = codec_config.pixels

    codec = Codec(codec_config, key=k_init)
    opt = optax.adam(cfg.learning_rate)
    state = (codec, opt.init(eqx.filter(codec, eqx.is_array)))

    def rd_step(state, data, key):
        codec, opt_state = state
        kb, kn = jax.random.split(key)
        x = sample_batch(data, kb, cfg.batch_size)

        def loss_fn(c):
            x_rec, bits, _ = jax.vmap(c.train_forward)(x, jax.random.split(kn, x.shape[0]))
            mse = jnp.mean((x - x_rec) ** 2)
            bpp = jnp.mean(bits) / pixels
            return cfg.lmbda * bpp + mse, {"mse": mse, "bpp": bpp}

        codec, opt_state, (loss, logs) = descend(opt, opt_state, codec, loss_fn, has_aux=True)
        return (codec, opt_state), {"loss": loss, **logs}

    (codec, _), logs = run_stage(
        rd_step,
        state,
        train,
        k_train1,
        cfg.steps,
        checkpoint=mse_path,
        checkpoint_every=250,
        description=f"codec RD λ={cfg.lmbda:g}",
        progress=progress,
    )
    if not cfg.has_stage2:
        return codec, logs
    if not cfg.adversarial:
        return _plain_stage2(codec, train, cfg, pixels, gan_path, k_train2, features, progress)

    disc = make_discriminator(codec_config, cfg.disc_filters, key=k_disc)
    opt_g = optax.adam(cfg.gan_learning_rate, b1=0.5)
    opt_d = optax.adam(cfg.gan_learning_rate, b1=0.5)
    state = (
        codec,
        disc,
        opt_g.init(eqx.filter(codec, eqx.is_array)),
        opt_d.init(eqx.filter(disc, eqx.is_array)),
    )

    def gan_step(state, data, key):
        codec, disc, sg, sd = state
        kb, kn = jax.random.split(key)
        x = sample_batch(data, kb, cfg.batch_size)
        noise_keys = jax.random.split(kn, x.shape[0])

        def g_loss(c):
            x_rec, bits, y_dec = jax.vmap(c.train_forward)(x, noise_keys)
            mse = jnp.mean((x - x_rec) ** 2)
            bpp = jnp.mean(bits) / pixels
            logits = jax.vmap(disc)(x_rec, jax.lax.stop_gradient(y_dec))
            adv = jnp.mean(jax.nn.softplus(-logits))
            total = cfg.lmbda * bpp + mse + cfg.beta * adv
            perc = jnp.zeros(())
            if cfg.perceptual_weight > 0:
                diff = _flat_features(features, x) - _flat_features(features, x_rec)
                perc = jnp.mean(diff**2)
                total = total + cfg.perceptual_weight * perc
            return total, (x_rec, y_dec, {"mse": mse, "bpp": bpp, "adv": adv, "perc": perc})

        # the discriminator's step uses this batch's reconstructions and the
        # discriminator before the generator's step, as a simultaneous update
        codec, sg, (loss, (x_rec, y_dec, logs)) = descend(opt_g, sg, codec, g_loss, has_aux=True)
        x_rec, y_dec = jax.lax.stop_gradient(x_rec), jax.lax.stop_gradient(y_dec)

        def d_loss(d):
            real = jax.vmap(d)(x, y_dec)
            fake = jax.vmap(d)(x_rec, y_dec)
            return jnp.mean(jax.nn.softplus(-real)) + jnp.mean(jax.nn.softplus(fake))

        disc, sd, dl = descend(opt_d, sd, disc, d_loss)
        return (codec, disc, sg, sd), {"loss": loss, "d_loss": dl, **logs}

    (codec, _, _, _), logs = run_stage(
        gan_step,
        state,
        train,
        k_train2,
        cfg.gan_steps,
        checkpoint=gan_path,
        checkpoint_every=250,
        description=f"codec GAN λ={cfg.lmbda:g} β={cfg.beta:g}",
        progress=progress,
    )
    return codec, logs


def _plain_stage2(codec, train, cfg: TrainConfig, pixels, path, key, features, progress):
    """Stage 2 without a discriminator: rate + MSE [+ k_P features] [+ β sliced W₂²]."""
    opt = optax.adam(cfg.gan_learning_rate, b1=0.5)
    state = (codec, opt.init(eqx.filter(codec, eqx.is_array)))
    sliced = cfg.perception_loss == "sliced-w2" and cfg.beta > 0

    def step(state, data, key):
        codec, opt_state = state
        kb, kr, kn, kp = jax.random.split(key, 4)
        x = sample_batch(data, kb, cfg.batch_size)
        real = sample_batch(data, kr, cfg.batch_size)

        def loss_fn(c):
            x_rec, bits, _ = jax.vmap(c.train_forward)(x, jax.random.split(kn, x.shape[0]))
            mse = jnp.mean((x - x_rec) ** 2)
            bpp = jnp.mean(bits) / pixels
            total = cfg.lmbda * bpp + mse
            logs = {"mse": mse, "bpp": bpp}
            if sliced:
                flat = x_rec.reshape(x_rec.shape[0], -1)
                sw = sliced_w2(flat, real.reshape(real.shape[0], -1), kp, cfg.projections)
                total, logs["sw2"] = total + cfg.beta * sw, sw
            if cfg.perceptual_weight > 0:
                diff = _flat_features(features, x) - _flat_features(features, x_rec)
                logs["perc"] = jnp.mean(diff**2)
                total = total + cfg.perceptual_weight * logs["perc"]
            return total, logs

        codec, opt_state, (loss, logs) = descend(opt, opt_state, codec, loss_fn, has_aux=True)
        return (codec, opt_state), {"loss": loss, **logs}

    label = f"sliced W2 β={cfg.beta:g}" if sliced else "fine-tune β=0"
    (codec, _), logs = run_stage(
        step,
        state,
        train,
        key,
        cfg.gan_steps,
        checkpoint=path,
        checkpoint_every=250,
        description=f"codec {label} λ={cfg.lmbda:g}",
        progress=progress,
    )
    return codec, logs
