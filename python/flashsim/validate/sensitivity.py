"""What a two-sample AUC means: beyond its control or not, and what the test can see at that
sample size.

The table is measured by benchmarks/two_sample_sensitivity.py (docs/validate.md): the AUC of
:func:`flashsim.validate.two_sample.two_sample_test` for known distortions of the reference
detector against itself (ttbar, detector seeds 201 and 202), at 3,000 events (mean of classifier
seeds 0 and 1) and at 20,000 events (seed 0; the muon and pileup-ID rows the mean of seeds 0-2). A distortion
counts as seen when its AUC is above its collection's control by more than SIGNIFICANCE combined
errors.
"""

from __future__ import annotations

import math

__all__ = ["SENSITIVITY", "SIGNIFICANCE", "reading"]

SIGNIFICANCE = 2.0  # "beyond the control": the AUC above it by more than this many standard errors

# events -> {distortion: (AUC, bootstrap error)}; "none (X)" is the control of collection X (the
# same detector, another seed). Measured 2026-12-07 with the trees (stopped early on the loss) and the MLP, in
# units of their spreads and weighted by stacking (two folds), on the reference detector of refsim.model_version 3:
# benchmarks/two_sample_sensitivity.py --reference full_ttbar_201.root --control full_ttbar_201_seed202.root
# --events 20000 --seeds 0 (the muon and pileup-ID rows: the mean of seeds 0-2) and --events 3000 --seeds 0 1
SENSITIVITY = {
    3000: {
        "none (Jet)": (0.498, 0.0037),
        "none (Muon)": (0.500, 0.0134),
        "jet pt x1.01": (0.510, 0.0039),
        "jet pt x1.02": (0.550, 0.0043),
        "jet pt x1.05": (0.660, 0.0045),
        "jet resolution +5%": (0.504, 0.0037),
        "jet resolution +10%": (0.518, 0.0039),
        "Muon_tightId flipped in 2%": (0.506, 0.0133),
        "Muon_tightId flipped in 5%": (0.517, 0.0132),
        "Jet_puIdDisc tight decision flipped in 2%": (0.502, 0.0037),
        "Jet_puIdDisc tight decision flipped in 5%": (0.515, 0.0037),
    },
    20000: {
        "none (Jet)": (0.499, 0.0015),
        "none (Muon)": (0.500, 0.0051),
        "jet pt x1.01": (0.523, 0.0016),
        "jet pt x1.02": (0.562, 0.0018),
        "jet pt x1.05": (0.681, 0.002),
        "jet resolution +5%": (0.514, 0.0014),
        "jet resolution +10%": (0.553, 0.0015),
        "Muon_tightId flipped in 2%": (0.506, 0.0052),
        "Muon_tightId flipped in 5%": (0.524, 0.0051),
        "Jet_puIdDisc tight decision flipped in 2%": (0.506, 0.0015),
        "Jet_puIdDisc tight decision flipped in 5%": (0.520, 0.0014),
    },
}


def _seen(size: int) -> tuple[list, list]:
    table = SENSITIVITY[size]
    seen, unseen = [], []
    for name, (auc, error) in table.items():
        if name.startswith("none"):
            continue
        null, null_error = table["none (Muon)" if name.startswith("Muon") else "none (Jet)"]  # its collection
        (seen if auc - null > SIGNIFICANCE * math.hypot(error, null_error) else unseen).append(name)
    return seen, unseen


def reading(auc: dict, control: dict | None, events: int) -> dict:
    """The verdict on one collection's test.

    Args:
        auc: the test's result (``auc``, ``auc_error``), FlashSim against the reference.
        control: the same for the reference made again with another seed, or None (then 0.5).
        events: events read per sample.
    Returns:
        {"excess": AUC - control, "error": combined error, "beyond_control": bool, "text": one
        line for the report, "sensitivity": what the test sees at the nearest measured size}
    """
    base = control["auc"] if control else 0.5
    error = math.hypot(auc["auc_error"], control["auc_error"]) if control else auc["auc_error"]
    excess = auc["auc"] - base
    beyond = bool(excess > SIGNIFICANCE * error) if math.isfinite(error) else None
    against = "the control" if control else "0.5 (no control given)"
    if beyond is None:
        text = f"AUC {auc['auc']:.3f} against {against}: no error estimate"
    elif beyond:
        text = f"distinguishable: {excess:+.3f} beyond {against} ({excess / error:.1f} standard errors)"
    else:
        text = f"not distinguishable at this sample size: {excess:+.3f} from {against} (+- {error:.3f})"
    size = min(SENSITIVITY, key=lambda n: abs(math.log(max(events, 1) / n)))
    seen, unseen = _seen(size)
    sensitivity = (f"at {size:,} events this test sees {', '.join(seen) or 'none of the distortions measured'}"
                   + (f"; not {', '.join(unseen)}" if unseen else "") + " (docs/validate.md)")
    return {"excess": excess, "error": error, "beyond_control": beyond, "text": text, "sensitivity": sensitivity,
            "sensitivity_events": size}
