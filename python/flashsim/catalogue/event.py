"""Event-level collections (kind "event", one object per event, scalar branches): MET (any flavour), PV, Rho,
conditioned on GenMET, pileup and summaries of the gen event; the MET also on the reconstructed jets
(since v12: built from the simulated Jet)."""

from flashsim.catalogue.gen import MET_FROM_JETS
from flashsim.catalogue.spec import Input, SourceSpec, log, standardized

__all__ = ["MET_GROUPS", "SOURCES"]


def _conditioning(jets=False):
    """The gen event; with ``jets`` (MET) also the reconstructed jets (catalogue.gen.MET_FROM_JETS), which
    make the MET a collection built from the simulated Jet."""
    from_jets = [Input(f"jets_{c}", c, log(1.0) if c.endswith("HT") else standardized()) for c in MET_FROM_JETS]
    return [*(from_jets if jets else []), Input("log_genmet", "GenMET_pt", log(1.0)),
            Input("genmet_phi", "GenMET_phi", standardized()),
            Input("nPU", "Pileup_nPU", standardized()), Input("n_true", "Pileup_nTrueInt", standardized()),
            Input("log_ht", "GenJet_HT", log(1.0)), Input("n_genjet", "GenJet_count", standardized()),
            Input("log_central_ht", "GenJet_centralHT", log(1.0)),
            Input("n_central_genjet", "GenJet_centralCount", standardized())]


# every MET flavour of NanoAOD v12-v15 (Run-3 NanoAOD's default MET is PUPPI: v15 has PuppiMET
# and PFMET, no MET), then the primary vertex and the pileup densities; a file's groups are those
# it has (catalogue.follow), each with its branches
MET_GROUPS = ("MET", "PuppiMET", "PFMET", "RawMET", "RawPuppiMET", "RawPFMET", "ChsMET", "CaloMET", "TkMET",
              "TrkMET", "DeepMETResolutionTune", "DeepMETResponseTune")
_MET_OVERRIDES = {"phi": standardized({"op": "delta_phi", "gen": "GenMET_phi"})}

SOURCES = [
    *(SourceSpec(group, "Event", "event", sort_by=None, conditioning=_conditioning(jets=True),
               overrides=_MET_OVERRIDES)
      for group in MET_GROUPS),
    SourceSpec("PV", "Event", "event", sort_by=None, conditioning=_conditioning()),
    SourceSpec("Rho", "Event", "event", sort_by=None, conditioning=_conditioning()),
]
