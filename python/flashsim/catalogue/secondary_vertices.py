"""SV (secondary vertices): the first and the second vertex of each simulated jet, one source each (a
vertex's jet is the closest within 0.4, as Jet_svIdx1/2 count them), drawn with one efficiency uniform
per jet (``efficiency_stream``), so that a jet has a second vertex only with a first: p_0 = P(N > 0)
and p_1 = P(N > 1) of the jet's multiplicity. The heavy-flavour, tau and fake vertices of a jet are
one source: the simulated jet's flavour, b-tag score and mass tell them apart. Vertices beyond the
second of a jet (1-2% of the b jets' in the reference detector) and those with no jet within 0.4 are
not simulated.

Positions are absolute in NanoAOD: SV_x/y/z are learnt as the flight from the simulated PV_x/y/z."""

from flashsim.catalogue.leptons import PU
from flashsim.catalogue.spec import Input, SourceSpec, log, standardized

__all__ = ["SOURCES"]

_SIMULATED_JET = [Input("log_pt", "Jet_pt", log()), Input("eta", "Jet_eta", standardized()),
                  Input("phi", "Jet_phi", standardized()), Input("log_mass", "Jet_mass", log(1.0)),
                  Input("hadron_flavour", "Jet_hadronFlavour", standardized()),
                  Input("parton_flavour", "Jet_partonFlavour", standardized()),
                  Input("btag_b", "Jet_btagDeepFlavB", standardized()),
                  Input("btag_cvl", "Jet_btagDeepFlavCvL", standardized()), PU]


def _flight(axis):
    """SV_x/y/z: the displacement from the simulated primary vertex, linear near 0 and log beyond 0.05 cm."""
    return standardized({"op": "difference", "gen": f"PV_{axis}"}, {"op": "asinh", "scale": 0.05})


# flight lengths and their significances are positive and heavy-tailed
_OVERRIDES = {"dlen": log(), "dxy": log(), "dlenSig": log(), "dxySig": log(), "pAngle": log(), "chi2": log(),
              "x": _flight("x"), "y": _flight("y"), "z": _flight("z")}


def _vertex(name, occurrence):
    return SourceSpec("SV", name, "unmatched", gen_collection="Jet", fake_radius=0.4, occurrence=occurrence,
                      efficiency_stream="FromJet", conditioning=list(_SIMULATED_JET), overrides=dict(_OVERRIDES))


SOURCES = [_vertex("FirstInJet", 0), _vertex("SecondInJet", 1)]
