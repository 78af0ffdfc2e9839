"""Reco thresholds (flashsim.catalogue.floors): found where the training objects' pt is cut, not where it
only thins out; an object the flow puts below it is drawn again (the truncated distribution by rejection)
and left out when it stays below."""

import numpy as np

from flashsim.catalogue.floors import FLOOR_MIN_ROWS, below_floor, floor_of, redraw_below_floor


def test_a_cut_spectrum_has_a_floor_and_a_tail_has_none():
    rng = np.random.default_rng(1)
    falling = 15.0 * (1 + rng.pareto(3.0, 20_000))  # dN/dpt falls from a cut at 15 GeV, as the jets' does
    assert floor_of(falling) == falling.min() and 15.0 <= floor_of(falling) < 15.01
    tail = rng.lognormal(2.0, 0.5, 20_000)  # the thin lower end of a distribution (no cut: secondary vertices)
    assert floor_of(tail) is None
    assert floor_of(falling[:FLOOR_MIN_ROWS - 1]) is None  # too few objects to tell
    assert floor_of(np.r_[falling, np.nan, -1.0]) is None  # a non-positive pt: no threshold


def test_below_floor_compares_as_written_in_a_float_branch():
    floor = {"min": float(np.float32(15.0) + np.float32(1e-6))}
    assert below_floor([15.0], floor)[0] == (float(np.float32(15.0)) < floor["min"])
    assert not below_floor([floor["min"]], floor)[0]


def test_redraws_replace_only_the_rows_below_and_give_up_after_the_last():
    floor = {"branch": "pt", "min": 10.0, "redraws": 3}
    x = np.array([[12.0], [5.0], [7.0], [20.0]])
    calls = []

    def draw(rows, redraw):  # row 1 rises above at its second redraw, row 2 never does
        calls.append((rows.tolist(), redraw))
        return np.array([[11.0 if (r == 1 and redraw >= 2) else 1.0] for r in rows])

    out, above, redrawn = redraw_below_floor(floor, lambda v: v[:, 0], draw, x.copy())
    assert calls == [([1, 2], 1), ([1, 2], 2), ([2], 3)]
    assert above.tolist() == [True, True, False, True] and redrawn == 5
    assert out[:, 0].tolist()[:2] == [12.0, 11.0] and out[3, 0] == 20.0
    none, kept, zero = redraw_below_floor(None, lambda v: v[:, 0], draw, x.copy())
    assert kept.all() and zero == 0 and (none == x).all()
