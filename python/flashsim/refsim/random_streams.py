"""Counter-based random numbers keyed by (seed, run, luminosityBlock, event, stream, object, draw).

Every random number of the reference detector is a hash of its key, so the output of an event
does not depend on the chunk size, the order of events or how many other objects were drawn
before it. The hash is SplitMix64's finaliser (Steele, Lea, Flood, OOPSLA 2014), which passes
BigCrush when fed a Weyl sequence; here the key is folded in one 64-bit word at a time.
"""

import hashlib

import numpy as np
from scipy.special import ndtri

__all__ = ["EventRandom"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wraps modulo 2^64, in place on a copy)."""
    z = z ^ (z >> _S30)
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _stream_key(name: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))


class EventRandom:
    """Random draws for one chunk of events.

    Args:
        seed: the user's seed (int >= 0).
        run, lumi, event: [n_events] integer arrays identifying the events.
    """

    def __init__(self, seed: int, run, lumi, event):
        seed_word = _mix(np.array([seed], dtype=np.uint64) * _GOLDEN)
        key = _mix(np.asarray(run, dtype=np.uint64) ^ seed_word)
        key = _mix(key ^ (np.asarray(lumi, dtype=np.uint64) * _GOLDEN))
        self.event_key = _mix(key ^ np.asarray(event, dtype=np.uint64))
        self.n_events = len(self.event_key)

    def _bits(self, stream: str, event_index, object_key, n_draws: int) -> np.ndarray:
        base = self.event_key[np.asarray(event_index)] ^ _stream_key(stream)
        base = _mix(base + np.asarray(object_key, dtype=np.uint64) * _GOLDEN)
        draws = np.arange(1, n_draws + 1, dtype=np.uint64) * _M2
        return _mix(base[:, None] + draws[None, :])

    def uniform(self, stream: str, event_index, object_key, n_draws: int = 1) -> np.ndarray:
        """Uniform numbers in (0, 1): [n_objects, n_draws].

        Args:
            stream: a name that separates independent uses (e.g. "jet.response").
            event_index: [n_objects] index of each object's event in this chunk.
            object_key: [n_objects] a stable per-event identity (e.g. the gen index).
        """
        bits = self._bits(stream, event_index, object_key, n_draws)
        return ((bits >> _S11).astype(np.float64) + 0.5) * _TO_UNIT

    def normal(self, stream: str, event_index, object_key, n_draws: int = 1) -> np.ndarray:
        """Standard normal numbers: [n_objects, n_draws] (inverse CDF of :meth:`uniform`)."""
        return ndtri(self.uniform(stream, event_index, object_key, n_draws))

    def per_event(self, stream: str, n_draws: int = 1, normal: bool = False) -> np.ndarray:
        """Draws with one row per event: [n_events, n_draws]."""
        idx = np.arange(self.n_events)
        zeros = np.zeros(self.n_events, dtype=np.int64)
        if normal:
            return self.normal(stream, idx, zeros, n_draws)
        return self.uniform(stream, idx, zeros, n_draws)


def poisson_from_uniform(mean: np.ndarray, u: np.ndarray, k_max: int = 60) -> np.ndarray:
    """Inverse Poisson CDF, vectorised: the smallest k with CDF(k; mean) >= u."""
    mean = np.asarray(mean, dtype=np.float64)
    pmf = np.exp(-mean)
    cdf = pmf.copy()
    k = np.zeros(mean.shape, dtype=np.int64)
    for i in range(1, k_max + 1):
        below = cdf < u
        if not below.any():
            break
        k += below
        pmf = pmf * mean / i
        cdf = cdf + pmf
    return k
