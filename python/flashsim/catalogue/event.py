"""Event-level collections (kind "event", one object per event, scalar branches): MET, PV, Rho,
conditioned on GenMET, pileup and summaries of the gen event."""

from flashsim.catalogue.spec import Input, SourceSpec, Target, asinh, integer, log, standardized

__all__ = ["SOURCES"]


def _conditioning():
    return [Input("log_genmet", "GenMET_pt", log(1.0)), Input("genmet_phi", "GenMET_phi", standardized()),
            Input("nPU", "Pileup_nPU", standardized()), Input("n_true", "Pileup_nTrueInt", standardized()),
            Input("log_ht", "GenJet_HT", log(1.0)), Input("n_genjet", "GenJet_count", standardized())]


SOURCES = [
    SourceSpec("MET", "Event", "event", sort_by=None, conditioning=_conditioning(), targets=[
        Target("pt", "Float_t", log(1.0)),
        Target("phi", "Float_t", standardized({"op": "delta_phi", "gen": "GenMET_phi"})),
        Target("sumEt", "Float_t", log(1.0)),
        Target("significance", "Float_t", log(0.01)),
        Target("covXX", "Float_t", log(1.0)),
        Target("covXY", "Float_t", asinh(50.0)),
        Target("covYY", "Float_t", log(1.0)),
        Target("sumPtUnclustered", "Float_t", log(1.0))]),
    SourceSpec("PV", "Event", "event", sort_by=None, conditioning=_conditioning(), targets=[
        Target("npvs", "UChar_t", integer()),
        Target("npvsGood", "UChar_t", integer()),
        Target("x", "Float_t", standardized()),
        Target("y", "Float_t", standardized()),
        Target("z", "Float_t", standardized()),
        Target("ndof", "Float_t", log()),
        Target("chi2", "Float_t", standardized()),
        Target("score", "Float_t", log())]),
    SourceSpec("Rho", "Event", "event", sort_by=None, conditioning=_conditioning(), targets=[
        Target("fixedGridRhoFastjetAll", "Float_t", log(0.1)),
        Target("fixedGridRhoFastjetCentral", "Float_t", log(0.1)),
        Target("fixedGridRhoFastjetCentralChargedPileUp", "Float_t", log(0.1))]),
]
