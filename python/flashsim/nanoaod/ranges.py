"""The physical range of a NanoAOD reco branch, by what its name says it is.

The rules are NanoAOD's meanings, not fitted numbers: momenta, masses, widths, errors,
isolations, energy sums, counts and regression factors (PNetRegPtRawCorr; 0: no regression) are
>= 0; phi is in [-pi, pi]; energy fractions, tagger scores and their efficiencies are in [0, 1],
the ParticleNet and ParT AK4 scores (btagPNetQvG, btagUParTAK4B, ...) in [-1, 1] (-1: no score);
MVA outputs and likelihoods are in [-1, 1] (qgl -1: undefined); |eta| stays inside the detector
(5.5 gives the forward calorimeter's 5.2 some room for the response); indices are >= -1 (-1:
none). A branch no rule covers (dxy, dz, PV_x, covXY, rawFactor, deltaEtaSC, ...) is only
required to be finite.

    from flashsim.nanoaod.ranges import physical_range, range_violations
    physical_range("Jet_btagDeepFlavB")    # (0.0, 1.0)
"""

import math
import re

import numpy as np

__all__ = ["BRANCH_RULES", "RULES", "physical_range", "range_violations"]

_INF = math.inf
# (regular expression on the branch name without its collection, (low, high)); the first match wins.
RULES = [
    (r"(\w*Idx\w*)", (-1, _INF)),
    (r"phi", (-math.pi, math.pi)),
    (r"eta", (-5.5, 5.5)),
    (r"charge", (-1, 1)),
    (r"(btagPNet\w*|btagUParT\w*|btagRobustParT\w*)", (-1.0, 1.0)),
    (r"(btag\w*|particleNet\w*|\w*EF|\w*HEF|score\w*Probability)", (0.0, 1.0)),
    (r"(qgl|puIdDisc|mva\w*)", (-1.0, 1.0)),
    (r"(pt|mass|msoftdrop|area|sumEt|sumPtUnclustered|significance|energyErr|ptErr|\w*Err|ip3d|sip3d|hoe|sieie|"
     r"r9|n2b1|tau[1-4]|chi2|ndof|bRegCorr|\w*RegPtRaw\w*|covXX|covYY|dlen\w*|\w*Iso\w*|fixedGridRho\w*|n[A-Z]\w*|"
     r"\w*Multiplicity|nStations|nTrackerLayers|lostHits|seedGain|cutBased|jetId|puId|hadronFlavour|genPartFlav|tightCharge|npvs\w*)",
     (0.0, _INF)),
]
_COMPILED = [(re.compile(pattern + r"$"), bounds) for pattern, bounds in RULES]
# whole branch names that the rules by variable would get wrong: a secondary vertex's charge is the sum of its
# tracks' charges (at most its ntracks, a UChar_t, in size)
BRANCH_RULES = {"SV_charge": (-255, 255)}


def physical_range(branch: str) -> tuple:
    """(low, high) allowed for a reco branch ``Collection_variable`` (or a bare variable name);
    (-inf, inf) when no rule covers it."""
    if branch in BRANCH_RULES:
        return BRANCH_RULES[branch]
    variable = branch.split("_", 1)[1] if "_" in branch and branch[:1].isupper() else branch
    for pattern, bounds in _COMPILED:
        if pattern.match(variable):
            return bounds
    return (-_INF, _INF)


def range_violations(branch: str, values, slack: float = 1e-5) -> list:
    """The offending values of ``values`` (flat array) as a short list: non-finite ones and those
    outside :func:`physical_range` by more than ``slack`` (relative, for float rounding)."""
    x = np.asarray(values)
    if x.dtype == np.bool_:
        return []
    x = x.astype(np.float64)
    lo, hi = physical_range(branch)
    tol_lo = slack * max(1.0, abs(lo)) if math.isfinite(lo) else 0.0
    tol_hi = slack * max(1.0, abs(hi)) if math.isfinite(hi) else 0.0
    bad = ~np.isfinite(x) | (x < lo - tol_lo) | (x > hi + tol_hi)
    return x[bad][:5].tolist()
