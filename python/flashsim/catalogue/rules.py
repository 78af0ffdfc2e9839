"""The transform of a reco branch, chosen by a rule from its type and name family.

The catalogue does not list a collection's targets: they are the reco branches the training files
have (:mod:`flashsim.catalogue.follow`). Each gets its transform here, from its ROOT type and the
family its name belongs to; a source's ``overrides`` replace a rule where it is wrong for one branch.

    pt / eta / phi     ratio / difference / wrapped difference to the gen object (plain without one)
    mass, msoftdrop    log(1 + m)
    *EF (fractions)    logit on [0, 1] with the value 0 as a spike
    scores, taggers    logit on [0, 1] (btag*, particleNet*, globalParT*, *vs*, *QvG, prob*, ...)
    mva*, qgl          logit on [-1, 1] / [0, 1] with the default -1 as a spike
    dxy, dz, ...       asinh (signed, heavy tails: linear near 0)
    ndof               the training values' quantiles to normal scores (a vertex fit's ndof, 2 sum(w) - 3
                       over its tracks' weights: a box per track count, with gaps between them)
    errors, isolations, shapes, dROverEt2
                       log (positive, heavy-tailed); event sums, rho, MET significance: log(offset + x)
    integer counts     dequantised (n*, *Multiplicity, *Hits, *Layers, *Stations, *Size, npvs*, seedi*)
    other integers, bools
                       the label head (flags, IDs, working points, enumerations, the charge)
    anything else      standardised

:func:`adapt` then checks a rule against the training values: a default value outside the
transform's domain (a -1 score, a 0 isolation under a log) becomes a spike; values a transform
cannot take at all give a plain standardisation. Both are recorded in the bundle's provenance.

>>> steps_for("Jet", "btagDeepFlavB", "Float_t", gen="GenJet")[0]["op"]
'logit'
>>> steps_for("Muon", "tightId", "Bool_t", gen="GenPart")
[{'op': 'label'}]
"""

import re

import numpy as np

from flashsim.catalogue.spec import asinh, integer, label, log, quantile, score, standardized

__all__ = ["FLOAT_TYPES", "adapt", "is_cross_reference", "root_type", "steps_for"]

FLOAT_TYPES = ("Float_t", "Double_t")
# RDataFrame column types (TTree typedefs, RNTuple fixed-width names) -> NanoAOD branch types
_ROOT_TYPES = {
    "float": "Float_t", "Float_t": "Float_t", "double": "Double_t", "Double_t": "Double_t",
    "int": "Int_t", "Int_t": "Int_t", "std::int32_t": "Int_t", "int32_t": "Int_t",
    "unsigned int": "UInt_t", "UInt_t": "UInt_t", "std::uint32_t": "UInt_t", "uint32_t": "UInt_t",
    "short": "Short_t", "Short_t": "Short_t", "std::int16_t": "Short_t", "int16_t": "Short_t",
    "unsigned short": "UShort_t", "UShort_t": "UShort_t", "std::uint16_t": "UShort_t", "uint16_t": "UShort_t",
    "unsigned char": "UChar_t", "UChar_t": "UChar_t", "std::uint8_t": "UChar_t", "uint8_t": "UChar_t",
    "char": "Char_t", "Char_t": "Char_t", "std::int8_t": "Char_t", "int8_t": "Char_t", "signed char": "Char_t",
    "bool": "Bool_t", "Bool_t": "Bool_t",
}
_VECTOR = re.compile(r"^(?:ROOT::VecOps::RVec|ROOT::RVec|std::vector)<(.+)>$")

# an index into another collection (genPartIdx, jetIdx, muonIdx1, subJetIdx2, svIdx1, muonIdx3SJ, ...) or the count
# of the objects of another collection that point here (Jet_nMuons, Jet_nElectrons, Jet_nSVs, Tau_nSVs): computed
# after the simulation when both collections are simulated (catalogue.crossrefs), else not written
_CROSS_REFERENCE = re.compile(r"Idx|^n(Muons|Electrons|SVs)$")
# counts and positions (crystal indices) among the integers: the rest are flags and enumerations
_COUNT = re.compile(r"^n[A-Z0-9]|^npvs|Multiplicity$|Hits$|Layers$|Stations$|Size$|^nConstituents$|^seedi")
_FRACTION = re.compile(r"EF$")
_SCORE = re.compile(r"^(btag|particleNet|globalParT|ParticleNet|deepTag|Xbb|probb|prob)|vs|QvG|VsQCD|"
                    r"^raw(Deep|PNet|UParT)")
_MVA = re.compile(r"^mva(?!.*WP)")
_SIGNED = {"dxy": 0.002, "dz": 0.005, "eInvMinusPInv": 0.002, "deltaEtaSC": 0.01, "dEscaleDown": 0.01,
           "dEscaleUp": 0.01, "dEsigmaDown": 0.01, "dEsigmaUp": 0.01, "covXY": 50.0}
_POSITIVE = re.compile(r"Err$|^s?ip3d$|Iso|iso|^sieie$|^sieip$|^sipip$|^hoe|^tau[1-4]$|^n[23]b1$|"
                       r"^score$|^sumpt2$|^lsf3$|^energyErr$|^dROverEt2$")
# positive event-level sums that reach 0: log(offset + x)
_NEAR_ZERO = ((re.compile(r"^sumEt$|^sumPt|^cov(XX|YY)$"), 1.0), (re.compile(r"^fixedGridRho"), 0.1),
              (re.compile(r"^significance$"), 0.01))
_MASS = re.compile(r"^(mass|msoftdrop)$")


def root_type(column_type: str) -> tuple[str | None, bool]:
    """(the NanoAOD branch type, whether the column holds one value per object) of an RDataFrame
    column type; (None, ...) for a type the simulation cannot write (strings, 64-bit integers)."""
    text = column_type.strip()
    match = _VECTOR.match(text)
    element = match.group(1).strip() if match else text
    return _ROOT_TYPES.get(element), match is not None


def is_cross_reference(field: str) -> bool:
    """An index into another collection, or a count of the objects of another collection that point here
    (computed after the simulation, or not written when the other collection is not simulated)."""
    return bool(_CROSS_REFERENCE.search(field))


def steps_for(collection: str, field: str, branch_type: str, gen: str | None, event: bool = False) -> list:
    """The unfitted transform steps of ``<collection>_<field>`` (see the module docstring).

    ``gen`` is the gen collection the reco object is paired with (None for pileup jets and
    event-level collections): pt, eta and phi are then taken relative to it. ``event``: an
    event-level collection, whose sums and MET can be near 0 (log with an offset)."""
    if branch_type not in FLOAT_TYPES:
        if branch_type != "Bool_t" and _COUNT.search(field):
            return integer()
        return label()
    if field == "pt":
        return standardized({"op": "ratio", "gen": f"{gen}_pt"}) if gen else log(1.0 if event else 0.0)
    if field == "eta":
        return standardized({"op": "difference", "gen": f"{gen}_eta"}) if gen else standardized()
    if field == "phi":
        return standardized({"op": "delta_phi", "gen": f"{gen}_phi"}) if gen else standardized()
    if _MASS.match(field):
        return log(1.0)
    if _FRACTION.search(field):
        return score(spike=0.0)
    if field == "qgl":
        return score(spike=-1.0)
    if _MVA.match(field):
        return score(-1.0, 1.0, spike=-1.0)
    if _SCORE.search(field):
        return score()
    if field in _SIGNED:
        return asinh(_SIGNED[field])
    if field == "ndof":
        return quantile()
    for pattern, offset in _NEAR_ZERO:
        if pattern.search(field):
            return log(offset)
    if _POSITIVE.search(field):
        return log()
    return standardized()


def _first_regular(steps):
    """(index, step) of the first step that is not a spike."""
    for i, step in enumerate(steps):
        if step["op"] != "spike":
            return i, step
    return None, None


def _outside(step, x):
    """The values the step's domain excludes."""
    if step["op"] == "log":
        return x + step.get("offset", 0.0) <= 0
    if step["op"] == "logit":
        return (x < step["lo"]) | (x > step["hi"])
    return np.zeros(len(x), dtype=bool)


ATOM_SHARE = 0.05  # one value held by at least this share of a continuous branch's rows is a spike
ATOM_ROWS = 50     # ... and by at least this many rows


def _atom(steps: list, x: np.ndarray) -> tuple[list, str | None]:
    """A continuous branch (no spike yet, not a dequantised integer) whose most frequent value holds
    ``ATOM_SHARE`` of the rows gets that value as a spike: a flow cannot put a share of its
    probability on one point (a fake tau's mass at the reconstruction's cap, a pion mass, a clipped
    default) and smears it instead."""
    if steps[0]["op"] in ("spike", "dequantize") or len(x) < ATOM_ROWS:
        return steps, None
    values, counts = np.unique(x, return_counts=True)
    top = int(counts.argmax())
    share = counts[top] / len(x)
    if len(values) < 2 or share < ATOM_SHARE or counts[top] < ATOM_ROWS:
        return steps, None
    value = float(values[top])
    return [{"op": "spike", "value": value}, *steps], f"{100 * share:.1f}% of rows are {value:g}: a spike"


def adapt(steps: list, values) -> tuple[list, str | None]:
    """``steps`` checked against the training ``values`` of their branch: (steps, what was changed
    or None).

    A value that holds a share of the rows of a continuous branch (``_atom``) becomes a spike. When
    the first step (log, logit) cannot take some values and those are all one value (the default of
    a score, a zero isolation), that value becomes a spike; when they are many values, the transform
    falls back to a plain standardisation. Gen-relative steps (ratio, ...) are not checked here:
    their domain is that of the gen object."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    i, step = _first_regular(steps)
    if step is None or not len(x):
        return steps, None
    steps, atom = _atom(steps, x)
    spike = steps[0]["value"] if steps[0]["op"] == "spike" else None
    regular = x if spike is None else x[x != spike]
    bad = _outside(step, regular)
    if not bad.any():
        return steps, atom
    odd = np.unique(regular[bad])
    if spike is None and len(odd) == 1 and not _outside(step, regular[~bad]).any() and (~bad).any():
        value = float(odd[0])
        share = float(bad.mean())
        return [{"op": "spike", "value": value}, *steps], \
            f"{step['op']} cannot take {value:g} ({100 * share:.1f}% of rows): a spike"
    fallback = standardized() if atom is None else [steps[0], *standardized()]
    return fallback, (f"{step['op']} cannot take {int(bad.sum())} of {len(regular)} values "
                            f"({len(odd)} distinct, e.g. {odd[0]:g}): standardised instead")
