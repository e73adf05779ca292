"""Entropy coding of integer symbols with per-symbol categorical tables (``constriction``).

A range coder (Schindler 1998; Martin 1979) as implemented by ``constriction``
(Bamler, "Understanding entropy coding with asymmetric numeral systems (ANS):
a statistician's perspective", 2022) codes symbol $s_i$ with the
categorical distribution of row $i$ of a table, quantised to 24-bit
fixed point with every symbol of the support kept codable
(``perfect=False``). The compressed message is a sequence of 32-bit words;
its length exceeds $\\sum_i -\\log_2 p_i(s_i)$ by the fixed-point
approximation of the tables and at most two words of termination.
"""

from __future__ import annotations

import numpy as np


def _coder():
    import constriction

    return constriction


class Decoder:
    """Decodes, in the order they were encoded, symbols from a sequence of 32-bit words."""

    def __init__(self, words: np.ndarray):
        c = _coder()
        self._model = c.stream.model.Categorical(perfect=False)
        self._decoder = c.stream.queue.RangeDecoder(np.asarray(words, np.uint32))

    def decode(self, tables: np.ndarray, lo: int) -> np.ndarray:
        """The next ``len(tables)`` symbols, each with its row of ``tables``."""
        tables = np.ascontiguousarray(tables, np.float64)
        if tables.shape[0] == 0:
            return np.zeros(0, np.int64)
        return np.asarray(self._decoder.decode(self._model, tables), np.int64) + lo


class Encoder:
    """Encodes several groups of symbols, each with its tables, into one message."""

    def __init__(self):
        c = _coder()
        self._model = c.stream.model.Categorical(perfect=False)
        self._encoder = c.stream.queue.RangeEncoder()

    def encode(self, symbols: np.ndarray, tables: np.ndarray, lo: int) -> None:
        """Append ``symbols`` (in ``[lo, lo + K)``) coded with the rows of ``tables (n, K)``."""
        symbols = np.asarray(symbols, np.int64).ravel() - lo
        tables = np.ascontiguousarray(tables, np.float64)
        if tables.shape[0] != symbols.size:
            raise ValueError(f"{symbols.size} symbols but {tables.shape[0]} tables")
        if symbols.size == 0:
            return
        if symbols.min() < 0 or symbols.max() >= tables.shape[1]:
            raise ValueError("a symbol lies outside the tables' support")
        self._encoder.encode(symbols.astype(np.int32), self._model, tables)

    def words(self) -> np.ndarray:
        """The compressed message so far, as ``uint32`` words."""
        return np.asarray(self._encoder.get_compressed(), np.uint32)


def encode(symbols: np.ndarray, tables: np.ndarray, lo: int) -> np.ndarray:
    """Range-code ``symbols`` (integers in ``[lo, lo + K)``) with row ``i`` of ``tables (n, K)``.

    Returns the compressed message as ``uint32`` words.
    """
    encoder = Encoder()
    encoder.encode(symbols, tables, lo)
    return encoder.words()


def decode(words: np.ndarray, tables: np.ndarray, lo: int) -> np.ndarray:
    """Inverse of ``encode``."""
    return Decoder(words).decode(tables, lo)


def ideal_bits(symbols: np.ndarray, tables: np.ndarray, lo: int) -> float:
    """$\\sum_i -\\log_2 T_{i, s_i - lo}$ of the tables as given (before fixed point)."""
    symbols = np.asarray(symbols, np.int64).ravel() - lo
    tables = np.asarray(tables, np.float64)
    probs = tables[np.arange(symbols.size), symbols] / tables.sum(axis=1)
    return float(-np.sum(np.log2(probs)))
