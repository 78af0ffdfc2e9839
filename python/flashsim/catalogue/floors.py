"""Reco thresholds: the lowest pt a collection's objects have (NanoAOD keeps Jet pt > 15 GeV, Photon > 10,
FatJet > 170, Tau > 18, ...).

The efficiency network says whether a gen object is reconstructed at all, the flow where its reco values
lie given that it is: the flow's distribution ends at the threshold, and what it puts below (0.6% of the jets,
1% of the fat jets, 0.5% of the electrons of default bundle v13 on ttbar) is a leak that no reference object
has, which a classifier sees at once and which feeds a log(pt) of a negative jet pt to the sources that
read the simulated jets. Where the training objects show a threshold, the bundle records it (collection
field ``floor``: {"branch": "pt", "min": ..., "redraws": ...}) and the simulation draws an object below it
again with fresh noise, up to ``redraws`` times, and leaves it out after that (``flashsim::ObjectFloor``
in C++, the reference sampler alike): the truncated distribution by rejection, the efficiency untouched.

A threshold is kept when, over the objects of every source of the collection:
- they are at least FLOOR_MIN_ROWS,
- at least FLOOR_EDGE_SHARE of them lie within FLOOR_EDGE_WIDTH (relative) above the lowest: a cut that
  truncates a populated spectrum, not the thin end of a tail (the secondary vertices' pt has no cut).
The floor is the lowest training value.
"""

import numpy as np

from flashsim.catalogue.spec import by_collection

__all__ = ["FLOOR_BRANCH", "FLOOR_REDRAW_STRIDE", "FLOOR_REDRAWS", "below_floor", "floor_of", "redraw_below_floor",
           "settle_floors"]

FLOOR_BRANCH = "pt"
FLOOR_MIN_ROWS = 1000
FLOOR_EDGE_WIDTH = 0.05
FLOOR_EDGE_SHARE = 0.001
# redraws after the first draw. Default bundle v13 on the demo's 3,000 ttbar events (seed 1): 145 of 22,526 jets,
# 8 electrons, 20 photons, 10 fat jets, 1 tau and 2 FSR photons below their floors at the first draw; after 8
# redraws one electron is left out
FLOOR_REDRAWS = 8
FLOOR_REDRAW_STRIDE = 1 << 16  # redraw k uses the noise draws k * stride + 1 .. d (ObjectFloor::kRedrawStride)


def floor_of(values) -> float | None:
    """The reco threshold of ``values`` (the pt of a collection's training objects), or None."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) < FLOOR_MIN_ROWS:
        return None
    lowest = float(values.min())
    if lowest <= 0:
        return None
    if np.mean(values <= lowest * (1 + FLOOR_EDGE_WIDTH)) < FLOOR_EDGE_SHARE:
        return None
    return lowest


def settle_floors(specs, tables) -> None:
    """Sets ``spec.floor`` ({branch, min, redraws} or None, the same for every source of a collection) from
    the training objects of all its sources, and records it in ``spec.decisions``."""
    for group in by_collection(specs):
        if not all(FLOOR_BRANCH in {t.branch for t in s.flow_targets} for s in group):
            continue
        values = np.concatenate([np.asarray(tables[s.key].targets[FLOOR_BRANCH], np.float64) for s in group])
        lowest = floor_of(values)
        if lowest is None:
            continue
        floor = {"branch": FLOOR_BRANCH, "min": lowest, "redraws": FLOOR_REDRAWS}
        near = np.mean(values <= lowest * (1 + FLOOR_EDGE_WIDTH))
        for s in group:
            s.floor = dict(floor)
            s.decisions[f"{FLOOR_BRANCH} floor"] = (
                f"{FLOOR_BRANCH} >= {lowest:.4g}, the lowest of the {len(values)} training objects ({100 * near:.2f}% "
                f"within {100 * FLOOR_EDGE_WIDTH:g}% above it): drawn again below it, up to {FLOOR_REDRAWS} times")


def below_floor(values, floor) -> np.ndarray:
    """[n] bool: values below ``floor["min"]`` once written as float (as the C++ compares them)."""
    return np.asarray(values, np.float32).astype(np.float64) < float(floor["min"])


def redraw_below_floor(floor, values_of, draw, keep):
    """The Python twin of flashsim::ObjectFloor's loop (reference sampler).

    Args:
        floor: the collection's floor dict, or None.
        values_of: (x [n, d]) -> [n] physical values of the floor's branch for those rows (x: all rows).
        draw: (rows [k] int, redraw >= 1) -> [k, d] ODE solutions of those rows from their redraw's noise.
        keep: [n, d] ODE solutions (updated in place).
    Returns:
        (x, [n] bool: rows at or above the floor, redrawn count).
    """
    n = len(keep)
    above = np.ones(n, dtype=bool)
    if not floor or n == 0:
        return keep, above, 0
    low = np.flatnonzero(below_floor(values_of(keep), floor))
    redrawn = 0
    for redraw in range(1, int(floor.get("redraws", FLOOR_REDRAWS)) + 1):
        if not len(low):
            break
        keep[low] = draw(low, redraw)
        redrawn += len(low)
        low = low[below_floor(values_of(keep)[low], floor)]
    above[low] = False
    return keep, above, redrawn
