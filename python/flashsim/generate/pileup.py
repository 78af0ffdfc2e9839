"""Pileup profile: per-event Pileup_nTrueInt and Pileup_nPU (no pileup events are overlaid).

Profiles, as strings (``--pileup``):
    ``uniform:LOW:HIGH``  nTrueInt uniform in [LOW, HIGH], nPU ~ Poisson(nTrueInt) (default 20:70)
    ``fixed:MU``          nTrueInt = MU, nPU ~ Poisson(MU)
    ``none``              both zero
"""

from __future__ import annotations

from dataclasses import dataclass

from flashsim.errors import InputError

__all__ = ["DEFAULT_PILEUP", "PileupProfile", "parse_pileup"]

DEFAULT_PILEUP = "uniform:20:70"


@dataclass(frozen=True)
class PileupProfile:
    """A pileup profile: ``kind`` in {uniform, fixed, none}, with its bounds (low == high for fixed)."""

    kind: str
    low: float = 0.0
    high: float = 0.0

    def __str__(self) -> str:
        if self.kind == "uniform":
            return f"uniform:{self.low:g}:{self.high:g}"
        if self.kind == "fixed":
            return f"fixed:{self.low:g}"
        return "none"

    def draw(self, rng, n: int):
        """([n] float32 nTrueInt, [n] int32 nPU) drawn with the numpy Generator ``rng``."""
        import numpy as np

        if self.kind == "uniform":
            true = rng.uniform(self.low, self.high, n)
        else:
            true = np.full(n, self.low)
        n_pu = rng.poisson(true) if self.kind != "none" else np.zeros(n, dtype=np.int64)
        return true.astype(np.float32), n_pu.astype(np.int32)


def parse_pileup(spec: str | PileupProfile) -> PileupProfile:
    """Parse ``uniform:LOW:HIGH``, ``fixed:MU`` or ``none``; InputError otherwise."""
    if isinstance(spec, PileupProfile):
        return spec
    parts = str(spec).strip().split(":")
    try:
        if parts[0] == "none" and len(parts) == 1:
            return PileupProfile("none")
        if parts[0] == "fixed" and len(parts) == 2:
            mu = float(parts[1])
            if mu >= 0:
                return PileupProfile("fixed", mu, mu)
        if parts[0] == "uniform" and len(parts) == 3:
            low, high = float(parts[1]), float(parts[2])
            if 0 <= low <= high:
                return PileupProfile("uniform", low, high)
    except ValueError:
        pass
    raise InputError(
        f"--pileup {spec!r}: expected 'uniform:LOW:HIGH' (0 <= LOW <= HIGH), 'fixed:MU' (MU >= 0) or 'none'"
    )
