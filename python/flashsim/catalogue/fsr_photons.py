"""FsrPhoton: gen photons close to a simulated muon (the reference detector, like CMS, searches a cone
around each reconstructed muon). FsrPhoton_muonIdx is the closest simulated muon and Muon_fsrPhotonIdx
the first FSR photon pointing at it (crossrefs)."""

from flashsim.catalogue.gen import FSR_CANDIDATE
from flashsim.catalogue.leptons import PU
from flashsim.catalogue.spec import Input, SourceSpec, log, standardized

__all__ = ["SOURCES"]

SOURCES = [
    SourceSpec("FsrPhoton", "GenPhoton", "unmatched", gen_collection="GenPart", select=FSR_CANDIDATE,
               fake_radius=0.02,
               conditioning=[Input("log_pt", "GenPart_pt", log()), Input("eta", "GenPart_eta", standardized()),
                             Input("abs_eta", "GenPart_absEta", standardized()),
                             Input("phi", "GenPart_phi", standardized()),
                             Input("muon_dr", "GenPart_recoMuonDR", log(0.001)),
                             Input("log_activity", "GenPart_activity", log(1.0)), PU]),
]
