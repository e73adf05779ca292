"""A learned perceptual image codec (HiFiC on small images) with real bitstreams.

Needs the ``codec`` extra (JAX, equinox, optax, constriction):
``pip install 'rdp-theory[codec]'``. Nothing here is imported by ``import rdp``.
"""
