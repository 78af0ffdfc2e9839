"""Per-event pairing of two flat collections and nearest-neighbour matching in (eta, phi).

Collections are flat numpy arrays with an ``event`` index per object (sorted by event); pairs
are formed only inside an event, with no Python loop over events or objects.
"""

import numpy as np

__all__ = ["delta_phi", "delta_r2", "nearest", "pair_indices", "local_index", "offsets_of", "wrap_phi"]


def wrap_phi(phi):
    """phi wrapped into [-pi, pi)."""
    return (phi + np.pi) % (2 * np.pi) - np.pi


def delta_phi(a, b):
    """a - b wrapped into [-pi, pi)."""
    return wrap_phi(np.asarray(a) - b)


def delta_r2(eta1, phi1, eta2, phi2):
    return (eta1 - eta2) ** 2 + delta_phi(phi1, phi2) ** 2


def offsets_of(counts) -> np.ndarray:
    """[n_events + 1] start offsets from per-event counts."""
    off = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    return off


def local_index(event: np.ndarray, n_events: int) -> np.ndarray:
    """Index of each object inside its event (objects sorted by event)."""
    counts = np.bincount(event, minlength=n_events)
    off = offsets_of(counts)
    return np.arange(len(event), dtype=np.int64) - off[event]


def pair_indices(event_a, event_b, n_events):
    """All (a, b) pairs in the same event.

    Args:
        event_a: [n_a] event index of each a (sorted); event_b: [n_b] likewise.
    Returns:
        ia, ib: [n_pairs] flat indices into a and b, grouped by a (ia non-decreasing).
    """
    counts_b = np.bincount(event_b, minlength=n_events)
    off_b = offsets_of(counts_b)
    per_a = counts_b[event_a]
    ia = np.repeat(np.arange(len(event_a), dtype=np.int64), per_a)
    starts = offsets_of(per_a)[:-1]
    within = np.arange(len(ia), dtype=np.int64) - np.repeat(starts, per_a)
    ib = off_b[event_a][ia] + within
    return ia, ib


def nearest(event_a, eta_a, phi_a, event_b, eta_b, phi_b, n_events, max_dr, mask_b=None):
    """For each a, the flat index of the nearest b within ``max_dr`` (or -1), and that dR.

    ``mask_b`` optionally restricts which b are candidates.
    """
    ia, ib = pair_indices(event_a, event_b, n_events)
    if mask_b is not None:
        keep = mask_b[ib]
        ia, ib = ia[keep], ib[keep]
    dr2 = delta_r2(eta_a[ia], phi_a[ia], eta_b[ib], phi_b[ib])
    ok = dr2 < max_dr * max_dr
    ia, ib, dr2 = ia[ok], ib[ok], dr2[ok]
    order = np.lexsort((dr2, ia))
    ia, ib, dr2 = ia[order], ib[order], dr2[order]
    first = np.ones(len(ia), dtype=bool)
    first[1:] = ia[1:] != ia[:-1]
    best = np.full(len(event_a), -1, dtype=np.int64)
    dr = np.full(len(event_a), np.inf)
    best[ia[first]] = ib[first]
    dr[ia[first]] = np.sqrt(dr2[first])
    return best, dr


def sum_within(event_a, eta_a, phi_a, event_b, eta_b, phi_b, weight_b, n_events, max_dr,
               mask_b=None):
    """For each a, the sum of ``weight_b`` over the b within ``max_dr``."""
    ia, ib = pair_indices(event_a, event_b, n_events)
    if mask_b is not None:
        keep = mask_b[ib]
        ia, ib = ia[keep], ib[keep]
    ok = delta_r2(eta_a[ia], phi_a[ia], eta_b[ib], phi_b[ib]) < max_dr * max_dr
    return np.bincount(ia[ok], weights=weight_b[ib[ok]], minlength=len(event_a))
