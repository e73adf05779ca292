"""Training procedures: Yan et al.'s two-decoder framework and Blau & Michaeli's joint codec.

**Yan, Wen, Ying, Ma, Liu, "On perceptual lossy compression: the cost of
perceptual reconstruction and an optimal training framework", ICML 2021,
§4–5.** Stage 1 trains an encoder E and a deterministic decoder G1 for MSE.
Stage 2 freezes E and trains a stochastic decoder G2(c, z) with the
adversarial loss of a critic that sees the code with the sample, and NO
distortion term. Their Theorem 2: if E is MSE-optimal and G2 matches
$p(x \\mid c)$, then $\\mathrm{MSE}(G_2) = 2\\,\\mathrm{MSE}(G_1)$,
the least MSE at perfect perception.

**Blau & Michaeli, "Rethinking lossy compression: the rate–distortion–
perception tradeoff", ICML 2019, §5.** Encoder and stochastic decoder are
trained jointly with $\\mathrm{MSE} + \\lambda\\,(-\\mathbb{E} f(\\hat x))$
against an unconditional WGAN-GP critic; λ trades distortion for perception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from rdp.neural.losses import critic_loss, generator_adversarial_loss, mean_squared_error
from rdp.neural.metrics import gan_optimizer
from rdp.neural.models import Critic, Decoder, Encoder
from rdp.neural.quantizer import UniformQuantizer
from rdp.neural.training import descend, run_stage


@dataclass(frozen=True)
class TrainingConfig:
    """Architecture and optimisation settings shared by the experiments.

    Step counts are generator (or autoencoder) steps; each adversarial
    generator step follows ``critic_steps`` critic steps. ``mean_output_init``
    starts a fresh joint codec's decoder at the mean training sample (see
    ``_start_at_mean``: without it the dithered MNIST codecs collapsed to one
    code word).
    """

    conv_channels: tuple[int, ...] = ()
    encoder_hidden: tuple[int, ...] = (512, 256)
    decoder_hidden: tuple[int, ...] = (256, 512)
    critic_hidden: tuple[int, ...] = (512, 256)
    noise_size: int = 16
    batch_size: int = 64
    autoencoder_steps: int = 2000
    lloyd_steps: int = 0
    decoder_refit_steps: int = 0
    stochastic_rounding: bool = False
    code_balance_weight: float = 0.0
    generator_ema: float = 0.0
    generator_steps: int = 2000
    critic_steps: int = 5
    gp_weight: float = 10.0
    one_sided_penalty: bool = False
    autoencoder_learning_rate: float = 1e-3
    gan_learning_rate: float = 1e-4
    quantization: str = "straight-through"
    straight_through_tanh: bool = False
    output: str = "sigmoid"
    checkpoint_every: int = 500
    chunk: int = 50
    mean_output_init: bool = False


def _sample(key, arrays, batch_size):
    idx = jax.random.randint(key, (batch_size,), 0, arrays[0].shape[0])
    return tuple(a[idx] for a in arrays)


def _adam(lr):
    return optax.adam(lr)


def _encoder(dim: int, quantizer: UniformQuantizer, config: TrainingConfig, key) -> Encoder:
    return Encoder(
        dim,
        quantizer,
        config.encoder_hidden,
        straight_through_tanh=config.straight_through_tanh,
        conv_channels=config.conv_channels,
        key=key,
    )


def _stochastic_decoder(code_size: int, dim: int, config: TrainingConfig, key) -> Decoder:
    return Decoder(
        code_size,
        dim,
        config.decoder_hidden,
        noise_size=config.noise_size,
        output=config.output,
        conv_channels=config.conv_channels,
        key=key,
    )


def _start_at_mean(decoder: Decoder, train: np.ndarray) -> Decoder:
    """``decoder`` with its output bias set so that it outputs the mean training sample.

    The last layer's weights are scaled down (×0.01) and its bias set to the
    mean (its logit under a sigmoid output; the mean over pixels for a
    transposed-convolution decoder, whose bias is one value). A decoder that
    starts at the mean sees residuals ``x − mean`` that differ from input to
    input, so the gradient reaching the encoder through the code does too.
    From a random decoder, whose output ≈ 0.5 everywhere is far from every
    MNIST digit, the residual is nearly the same for all inputs: the first
    steps push every latent the same way, the tanh saturates, and the code
    collapses to one word (observed: all 1,000 held-out digits on one code,
    MSE that of the mean digit).
    """
    mean = np.clip(np.asarray(train, np.float64).mean(axis=0), 1e-3, 1 - 1e-3)
    target = np.log(mean / (1 - mean)) if decoder.output == "sigmoid" else mean
    net = decoder.net
    if isinstance(net, eqx.nn.Sequential):
        last = net.layers[-1]
        new = eqx.tree_at(
            lambda m: (m.weight, m.bias),
            last,
            (0.01 * last.weight, jnp.asarray(target, jnp.float32)),
        )
        return eqx.tree_at(lambda d: d.net.layers[-1], decoder, new)
    last = net.deconvs[-1]
    bias = jnp.full_like(last.bias, float(np.mean(target)))
    new = eqx.tree_at(lambda m: (m.weight, m.bias), last, (0.01 * last.weight, bias))
    return eqx.tree_at(lambda d: d.net.deconvs[-1], decoder, new)


def _runner(config: TrainingConfig, checkpoint, description: str, progress: bool):
    """``run(step, state, data, key, steps)``: ``run_stage`` with a stage's checkpoint file,
    progress bar, and the checkpoint interval and chunk of ``config``."""
    return partial(
        run_stage,
        checkpoint=checkpoint,
        checkpoint_every=config.checkpoint_every,
        chunk=config.chunk,
        description=description,
        progress=progress,
    )


def _cosine_adam(config: TrainingConfig, steps: int):
    """Adam at ``config.autoencoder_learning_rate``, decayed over ``steps`` (cosine, to 1 %)."""
    schedule = optax.cosine_decay_schedule(
        config.autoencoder_learning_rate, max(steps, 1), alpha=0.01
    )
    return _adam(schedule)


def _with_optimizer(models, opt):
    """The training state ``(models, optimiser state)`` of ``models`` under ``opt``."""
    return models, opt.init(eqx.filter(models, eqx.is_array))


def train_mse_codec(
    train: np.ndarray,
    quantizer: UniformQuantizer,
    config: TrainingConfig,
    key: jax.Array,
    *,
    checkpoint: Path | None = None,
    progress: bool = True,
    description: str = "E, G1 (MSE)",
) -> tuple[Encoder, Decoder, dict[str, float]]:
    """Stage 1 of Yan et al.: encoder and deterministic decoder G1 trained for MSE."""
    k_enc, k_dec, k_train = jax.random.split(key, 3)
    dim = train.shape[1]
    encoder = _encoder(dim, quantizer, config, k_enc)
    decoder = Decoder(
        quantizer.dims,
        dim,
        config.decoder_hidden,
        output=config.output,
        conv_channels=config.conv_channels,
        key=k_dec,
    )
    opt = _cosine_adam(config, config.autoencoder_steps)
    state = _with_optimizer((encoder, decoder), opt)

    def step(state, data, key):
        models, opt_state = state
        k_batch, k_dither = jax.random.split(key)
        (x,) = _sample(k_batch, (data,), config.batch_size)

        def loss_fn(models):
            enc, dec = models
            keys = jax.random.split(k_dither, x.shape[0])
            latent = jax.vmap(enc.latent)(x)
            if config.stochastic_rounding:
                code = jax.vmap(enc.quantizer.stochastic)(latent, keys)
            elif enc.quantizer.dithered:
                code = jax.vmap(enc)(x, key=keys)
            else:
                code = jax.vmap(enc)(x)
            mse = mean_squared_error(x, jax.vmap(dec)(code))
            # Keeps every latent unit's batch mean near 0, so that no unit settles on one
            # side for all inputs (a "dead" bit that the straight-through gradient
            # rarely revives).
            if not config.code_balance_weight:
                return mse, mse
            balance = jnp.sum(jnp.mean(latent, axis=0) ** 2)
            return mse + config.code_balance_weight * balance, mse

        models, opt_state, (_, mse) = descend(opt, opt_state, models, loss_fn, has_aux=True)
        return (models, opt_state), {"mse": mse}

    run = _runner(config, checkpoint, description, progress)
    (models, _), logs = run(step, state, jnp.asarray(train), k_train, config.autoencoder_steps)
    return models[0], models[1], logs


def refit_decoder(
    train: np.ndarray,
    encoder: Encoder,
    decoder: Decoder,
    config: TrainingConfig,
    key: jax.Array,
    *,
    checkpoint: Path | None = None,
    progress: bool = True,
    description: str = "G1 refit (MSE)",
) -> tuple[Decoder, dict[str, float]]:
    """Train the deterministic decoder alone for MSE on the frozen encoder's codes.

    The minimiser is the centroid decoder $E[X \\mid \\text{code}]$, the
    MSE-optimal G1 for this encoder that Yan et al.'s Theorem 2 compares G2
    with. Needed after training with
    [`UniformQuantizer.stochastic`][rdp.neural.quantizer.UniformQuantizer.stochastic]
    codes (the decoder has then only seen noisy codes). Runs
    ``config.decoder_refit_steps`` steps with a cosine-decayed learning rate.
    """
    if encoder.quantizer.dithered:
        raise ValueError("the decoder refit uses a deterministic (undithered) encoder")
    codes = encode(encoder, train)
    opt = _cosine_adam(config, config.decoder_refit_steps)
    state = _with_optimizer(decoder, opt)

    def step(state, data, key):
        dec, opt_state = state
        x, c = _sample(key, data, config.batch_size)
        dec, opt_state, loss = descend(
            opt, opt_state, dec, lambda d: mean_squared_error(x, jax.vmap(d)(c))
        )
        return (dec, opt_state), {"mse": loss}

    run = _runner(config, checkpoint, description, progress)
    (decoder, _), logs = run(
        step, state, (jnp.asarray(train), codes), key, config.decoder_refit_steps
    )
    return decoder, logs


def refine_lloyd(
    train: np.ndarray,
    encoder: Encoder,
    decoder: Decoder,
    config: TrainingConfig,
    key: jax.Array,
    *,
    checkpoint: Path | None = None,
    progress: bool = True,
    description: str = "E, G1 (Lloyd)",
) -> tuple[Encoder, Decoder, dict[str, float]]:
    """Lloyd's two conditions, by gradient steps on the networks (small codebooks only).

    Each step takes a batch and, with the current decoder's reconstructions
    $\\hat x_j = G_1(c_j)$ of every code word $c_j$:

    - **nearest neighbour**: the encoder is trained to send $x$ to the word
      $j^*(x) = \\arg\\min_j \\lVert x - \\hat x_j \\rVert^2$ (cross-entropy of the
      soft assignment $\\operatorname{softmax}_j(-\\sigma\\lVert z - c_j\\rVert^2)$ of
      its latent $z$, $\\sigma = 16/\\Delta^2$);
    - **centroid**: the decoder alone is trained for MSE on the (fixed) codes,
      whose minimiser is $E[X \\mid \\text{code}]$.

    This is the generalised Lloyd algorithm (Lloyd, "Least squares quantization
    in PCM", IEEE Trans. IT 28(2), 1982) carried out on the networks; for a
    log-concave source such as N(0, 1) its fixed point is the Lloyd–Max
    quantiser (Fleischer 1964). Straight-through MSE training alone moves cell
    boundaries with a biased gradient and can stop short of it.

    Runs ``config.lloyd_steps`` steps with a cosine-decayed learning rate.
    """
    quantizer = encoder.quantizer
    if quantizer.dithered:
        raise ValueError("Lloyd refinement needs a deterministic (undithered) encoder")
    words = quantizer.codewords()
    sharpness = 16.0 / quantizer.step**2
    opt = _cosine_adam(config, config.lloyd_steps)
    state = _with_optimizer((encoder, decoder), opt)

    def step(state, data, key):
        models, opt_state = state
        (x,) = _sample(key, (data,), config.batch_size)

        def loss_fn(models):
            enc, dec = models
            recon = jax.lax.stop_gradient(jax.vmap(dec)(words))
            nearest = jnp.argmin(jnp.sum((x[:, None, :] - recon[None]) ** 2, axis=-1), axis=1)
            latent = jax.vmap(enc.latent)(x)
            logits = -sharpness * jnp.sum((latent[:, None, :] - words[None]) ** 2, axis=-1)
            assign = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, nearest))
            code = jax.lax.stop_gradient(jax.vmap(enc)(x))
            mse = mean_squared_error(x, jax.vmap(dec)(code))
            return assign + mse, mse

        models, opt_state, (_, mse) = descend(opt, opt_state, models, loss_fn, has_aux=True)
        return (models, opt_state), {"mse": mse}

    run = _runner(config, checkpoint, description, progress)
    (models, _), logs = run(step, state, jnp.asarray(train), key, config.lloyd_steps)
    return models[0], models[1], logs


@eqx.filter_jit
def _apply(model, x, keys):
    if keys is None:
        return jax.vmap(lambda xi: model(xi))(x)
    return jax.vmap(lambda xi, ki: model(xi, key=ki))(x, keys)


def encode(encoder: Encoder, x: np.ndarray, key: jax.Array | None = None) -> jax.Array:
    """Code values of every row of ``x`` (dither drawn from ``key`` when the quantiser dithers)."""
    x = jnp.asarray(x, jnp.float32)
    keys = jax.random.split(key, x.shape[0]) if encoder.quantizer.dithered else None
    return _apply(encoder, x, keys)


def decode(decoder: Decoder, code: jax.Array, key: jax.Array | None = None) -> jax.Array:
    """Reconstructions of every code (private noise drawn from ``key`` when stochastic)."""
    keys = jax.random.split(key, code.shape[0]) if decoder.noise_size else None
    return _apply(decoder, jnp.asarray(code), keys)


def _critic_updates(critic, c_state, opt_c, num_steps, key, batch_loss):
    """``num_steps`` critic updates in a ``fori_loop`` (compiled once, not unrolled).

    ``batch_loss(critic, key)`` is the critic loss on a fresh batch drawn with ``key``.
    """
    params, static = eqx.partition(critic, eqx.is_array)

    def body(i, carry):
        params, c_state, _ = carry
        critic = eqx.combine(params, static)
        loss, grads = eqx.filter_value_and_grad(batch_loss)(critic, jax.random.fold_in(key, i))
        updates, c_state = opt_c.update(grads, c_state, params)
        critic = eqx.apply_updates(critic, updates)
        return eqx.filter(critic, eqx.is_array), c_state, loss

    params, c_state, loss = jax.lax.fori_loop(0, num_steps, body, (params, c_state, jnp.zeros(())))
    return eqx.combine(params, static), c_state, loss


def train_perceptual_decoder(
    train: np.ndarray,
    encoder: Encoder,
    config: TrainingConfig,
    key: jax.Array,
    *,
    checkpoint: Path | None = None,
    progress: bool = True,
    description: str = "G2 (conditional WGAN)",
) -> tuple[Decoder, dict[str, float]]:
    """Stage 2 of Yan et al.: frozen encoder, decoder G2(c, z) trained adversarially only.

    The critic $f(x, c)$ is conditioned on the code; the generator loss
    is $-\\mathbb{E} f(G_2(c, z), c)$ with no distortion term.
    """
    if encoder.quantizer.dithered:
        raise ValueError("the two-decoder framework uses a deterministic (undithered) encoder")
    k_dec, k_critic, k_train = jax.random.split(key, 3)
    dim = train.shape[1]
    codes = encode(encoder, train)
    code_size = encoder.quantizer.dims
    decoder = _stochastic_decoder(code_size, dim, config, k_dec)
    critic = Critic(
        dim,
        config.critic_hidden,
        code_size=code_size,
        conv_channels=config.conv_channels,
        key=k_critic,
    )
    opt_g, opt_c = gan_optimizer(config.gan_learning_rate), gan_optimizer(config.gan_learning_rate)
    state = (
        decoder,
        critic,
        opt_g.init(eqx.filter(decoder, eqx.is_array)),
        opt_c.init(eqx.filter(critic, eqx.is_array)),
    )
    ema = config.generator_ema
    if ema:
        state = (*state, eqx.filter(decoder, eqx.is_array))
    batch = config.batch_size

    def step(state, data, key):
        decoder, critic, g_state, c_state = state[:4]
        k_critic, k_gen = jax.random.split(key)

        def batch_loss(cr, k):
            k_batch, k_noise, k_gp = jax.random.split(k, 3)
            x, c = _sample(k_batch, data, batch)
            fake = jax.vmap(decoder)(c, key=jax.random.split(k_noise, batch))
            return critic_loss(cr, x, fake, k_gp, c, config.gp_weight, config.one_sided_penalty)

        critic, c_state, c_loss = _critic_updates(
            critic, c_state, opt_c, config.critic_steps, k_critic, batch_loss
        )
        k_batch, k_noise = jax.random.split(k_gen)
        _, c = _sample(k_batch, data, batch)

        def g_loss_fn(dec):
            fake = jax.vmap(dec)(c, key=jax.random.split(k_noise, batch))
            return generator_adversarial_loss(critic, fake, c)

        decoder, g_state, g_loss = descend(opt_g, g_state, decoder, g_loss_fn)
        new_state = (decoder, critic, g_state, c_state)
        if ema:
            average = jax.tree_util.tree_map(
                lambda a, p: ema * a + (1.0 - ema) * p,
                state[4],
                eqx.filter(decoder, eqx.is_array),
            )
            new_state = (*new_state, average)
        return new_state, {"critic": c_loss, "gen": g_loss}

    run = _runner(config, checkpoint, description, progress)
    final, logs = run(step, state, (jnp.asarray(train), codes), k_train, config.generator_steps)
    decoder = final[0]
    if ema:
        # The exponential moving average of the generator's weights (Yazıcı et al., "The
        # unusual effectiveness of averaging in GAN training", ICLR 2019): the iterates
        # of a WGAN circle the equilibrium, their average sits closer to it.
        decoder = eqx.combine(final[4], eqx.partition(decoder, eqx.is_array)[1])
    return decoder, logs


def train_joint_perceptual_codec(
    train: np.ndarray,
    quantizer: UniformQuantizer,
    perception_weight: float,
    config: TrainingConfig,
    key: jax.Array,
    *,
    checkpoint: Path | None = None,
    progress: bool = True,
    description: str = "E, G (MSE + λ·adv)",
    init: tuple[Encoder, Decoder] | None = None,
    fine_tune: bool = False,
) -> tuple[Encoder, Decoder, dict[str, float]]:
    """Blau & Michaeli's codec: E and stochastic G trained on MSE + λ·(−E f(G)).

    With ``perception_weight = 0`` no critic is trained (pure MSE, stochastic
    decoder ignored noise is allowed to learn to ignore it). ``init`` starts
    from given models (e.g. the λ = 0 codec of the same rate) instead of
    fresh ones. A λ > 0 model trains ``config.generator_steps`` steps at
    ``config.gan_learning_rate``, a λ = 0 one ``config.autoencoder_steps`` at
    ``config.autoencoder_learning_rate``; ``fine_tune=True`` gives λ = 0 the
    λ > 0 schedule (steps, optimizer, learning rate) without the critic: the
    equal-steps MSE baseline of the λ > 0 fine-tunes.
    """
    if perception_weight < 0:
        raise ValueError(f"perception_weight must be >= 0; got {perception_weight!r}")
    k_enc, k_dec, k_critic, k_train = jax.random.split(key, 4)
    dim = train.shape[1]
    if init is not None:
        encoder, decoder = init
    else:
        encoder = _encoder(dim, quantizer, config, k_enc)
        decoder = _stochastic_decoder(quantizer.dims, dim, config, k_dec)
        if config.mean_output_init:
            decoder = _start_at_mean(decoder, train)
    critic = Critic(dim, config.critic_hidden, conv_channels=config.conv_channels, key=k_critic)
    adversarial = perception_weight > 0
    gan_schedule = adversarial or fine_tune
    opt_g = _adam(config.gan_learning_rate if gan_schedule else config.autoencoder_learning_rate)
    opt_c = gan_optimizer(config.gan_learning_rate)
    models = (encoder, decoder)
    state = (
        models,
        critic,
        opt_g.init(eqx.filter(models, eqx.is_array)),
        opt_c.init(eqx.filter(critic, eqx.is_array)),
    )
    batch = config.batch_size

    def reconstruct(models, x, key):
        enc, dec = models
        k_dither, k_noise = jax.random.split(key)
        if enc.quantizer.dithered:
            code = jax.vmap(enc)(x, key=jax.random.split(k_dither, x.shape[0]))
        else:
            code = jax.vmap(enc)(x)
        return jax.vmap(dec)(code, key=jax.random.split(k_noise, x.shape[0]))

    def step(state, data, key):
        models, critic, g_state, c_state = state
        k_critic, k_gen = jax.random.split(key)
        c_loss = jnp.zeros(())
        if adversarial:

            def batch_loss(cr, k):
                k_batch, k_real, k_rec, k_gp = jax.random.split(k, 4)
                (x,) = _sample(k_batch, (data,), batch)
                (real,) = _sample(k_real, (data,), batch)
                fake = reconstruct(models, x, k_rec)
                return critic_loss(
                    cr, real, fake, k_gp, None, config.gp_weight, config.one_sided_penalty
                )

            critic, c_state, c_loss = _critic_updates(
                critic, c_state, opt_c, config.critic_steps, k_critic, batch_loss
            )
        k_batch, k_rec = jax.random.split(k_gen)
        (x,) = _sample(k_batch, (data,), batch)

        def g_loss_fn(models):
            fake = reconstruct(models, x, k_rec)
            mse = mean_squared_error(x, fake)
            adv = generator_adversarial_loss(critic, fake) if adversarial else jnp.zeros(())
            loss = mse + perception_weight * adv
            if config.code_balance_weight:  # see train_mse_codec
                latent = jax.vmap(models[0].latent)(x)
                loss = loss + config.code_balance_weight * jnp.sum(jnp.mean(latent, axis=0) ** 2)
            return loss, mse

        models, g_state, (_g_loss, mse) = descend(opt_g, g_state, models, g_loss_fn, has_aux=True)
        return (models, critic, g_state, c_state), {"mse": mse, "critic": c_loss}

    steps = config.generator_steps if gan_schedule else config.autoencoder_steps
    run = _runner(config, checkpoint, description, progress)
    ((encoder, decoder), *_), logs = run(step, state, jnp.asarray(train), k_train, steps)
    return encoder, decoder, logs


def hidden_tuple(values: Sequence[int]) -> tuple[int, ...]:
    """Layer widths as a tuple of ints (JSON round trip of a config)."""
    return tuple(int(v) for v in values)
