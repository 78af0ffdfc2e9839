"""Gen-level event production: Pythia8 + FastJet -> a NanoAOD-style gen tree.

``generate(process, events, seed, output, jobs=...)`` writes tree ``Events`` with GenPart,
GenJet, GenJetAK8, GenVisTau, GenMET, Pileup and genWeight in NanoAOD v12 naming and types,
plus ``Runs``, ``LuminosityBlocks`` and a ``flashsim_generate`` provenance object
(``read_metadata``). See docs/generate.md. Importing this package imports no Pythia, FastJet
or numpy.
"""

from flashsim.generate.processes import PROCESSES
from flashsim.generate.production import DEFAULT_EVENTS_PER_LUMI, generate


def read_metadata(path):
    """The provenance dict (process, card, seed, ...) of a gen file."""
    from flashsim.generate.writer import read_metadata as _read

    return _read(path)


__all__ = ["DEFAULT_EVENTS_PER_LUMI", "PROCESSES", "generate", "read_metadata"]
