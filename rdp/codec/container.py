"""The ``.rdpc`` file format: a small header, the range coder's words, a checksum.

Layout (little endian)::

    magic      4 bytes  b"RDPC"
    version    u8       FORMAT_VERSION
    model id   8 bytes  first 8 bytes of the SHA-256 of the model file
    seed       u32      seed of the shared dither (rdp.codec.dither); 0 for a model without
    ndim       u8       dimensions of the input's shape
    shape      ndim × u16   the input's shape (the model's, or an image's without its channel
                            axis), given back by decompression
    y lo, hi   2 × i16  support of the latent symbols
    z lo, hi   2 × i16  support of the hyper-latent symbols (0, 0 without hyperprior)
    nwords     u32      number of 32-bit words of the message
    message    nwords × u32
    crc32      u32      of every byte before it

Any deviation is a ``CodecFileError`` with a one-line message.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

MAGIC = b"RDPC"
FORMAT_VERSION = 2
MODEL_ID_BYTES = 8


class CodecFileError(ValueError):
    """A compressed file that cannot be decoded (wrong model, truncated, corrupted...)."""


@dataclass(frozen=True)
class Container:
    """The decoded fields of one ``.rdpc`` file."""

    model_id: bytes
    shape: tuple[int, ...]
    y_range: tuple[int, int]
    z_range: tuple[int, int]
    words: np.ndarray
    seed: int = 0

    def to_bytes(self) -> bytes:
        """Serialise (header, message, CRC-32)."""
        head = MAGIC + struct.pack("<B", FORMAT_VERSION) + self.model_id
        head += struct.pack("<I", self.seed)
        head += struct.pack("<B", len(self.shape)) + struct.pack(
            f"<{len(self.shape)}H", *self.shape
        )
        head += struct.pack("<4h", *self.y_range, *self.z_range)
        words = np.asarray(self.words, "<u4")
        body = head + struct.pack("<I", words.size) + words.tobytes()
        return body + struct.pack("<I", zlib.crc32(body))

    @classmethod
    def from_bytes(cls, data: bytes) -> Container:
        """Parse and check a file; raise ``CodecFileError`` on any problem."""
        if len(data) < 4 or data[:4] != MAGIC:
            raise CodecFileError("not an rdp codec file (bad magic number)")
        fixed = 4 + 1 + MODEL_ID_BYTES + 4 + 1
        if len(data) < fixed:
            raise CodecFileError("truncated file (header incomplete)")
        version = data[4]
        if version != FORMAT_VERSION:
            raise CodecFileError(
                f"unsupported format version {version} (this rdp reads {FORMAT_VERSION})"
            )
        model_id = data[5 : 5 + MODEL_ID_BYTES]
        (seed,) = struct.unpack_from("<I", data, 5 + MODEL_ID_BYTES)
        ndim = data[fixed - 1]
        need = fixed + 2 * ndim + 8 + 4
        if len(data) < need:
            raise CodecFileError("truncated file (header incomplete)")
        shape = struct.unpack_from(f"<{ndim}H", data, fixed)
        ranges = struct.unpack_from("<4h", data, fixed + 2 * ndim)
        (nwords,) = struct.unpack_from("<I", data, need - 4)
        total = need + 4 * nwords + 4
        if len(data) < total:
            raise CodecFileError(f"truncated file ({len(data)} of {total} bytes)")
        if len(data) > total:
            raise CodecFileError(f"corrupted file ({len(data) - total} trailing bytes)")
        (crc,) = struct.unpack_from("<I", data, total - 4)
        if zlib.crc32(data[: total - 4]) != crc:
            raise CodecFileError("corrupted file (checksum mismatch)")
        words = np.frombuffer(data, "<u4", count=nwords, offset=need).astype(np.uint32)
        return cls(model_id, tuple(shape), ranges[:2], ranges[2:], words, seed)
