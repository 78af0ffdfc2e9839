"""Process cards: the Pythia settings of each named process, and user cards read from a file.

Every card starts from ``COMMON_SETTINGS`` (13.6 TeV pp, CMS CP5 tune, CMS decay settings, quiet);
the process lines follow. A user card (``--pythia-cmnd``) replaces the process lines: its
beams and process come from the file, the common lines stay underneath as defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flashsim.errors import InputError

__all__ = [
    "COMMON_SETTINGS",
    "PROCESSES",
    "ProcessCard",
    "process_card",
    "read_user_card",
]

COMMON_SETTINGS: tuple[str, ...] = (
    "Print:quiet = on",
    "Next:numberCount = 0",
    "Beams:idA = 2212",
    "Beams:idB = 2212",
    "Beams:eCM = 13600.",
    # CMS (pythia8CommonSettings): particles with c*tau > 10 mm are left to the detector
    # simulation, so K0S, Lambda, pi+-, K+- are final-state particles as in CMS GenParticles.
    "ParticleDecays:limitTau0 = on",
    "ParticleDecays:tau0Max = 10",
    "Check:epTolErr = 0.01",
    # CMS CP5 tune (MCTunes2017/PythiaCP5Settings_cfi), with Pythia's internal NNPDF3.1 NNLO
    # (PDF:pSet 20, QCD+LUXQED) standing in for LHAPDF's NNPDF31_nnlo_as_0118 (no LHAPDF here).
    "Tune:pp = 14",
    "Tune:ee = 7",
    "MultipartonInteractions:ecmPow = 0.03344",
    "MultipartonInteractions:bProfile = 2",
    "MultipartonInteractions:pT0Ref = 1.41",
    "MultipartonInteractions:coreRadius = 0.7634",
    "MultipartonInteractions:coreFraction = 0.63",
    "ColourReconnection:range = 5.176",
    "SigmaTotal:zeroAXB = off",
    "SpaceShower:alphaSorder = 2",
    "SpaceShower:alphaSvalue = 0.118",
    "SigmaProcess:alphaSvalue = 0.118",
    "SigmaProcess:alphaSorder = 2",
    "MultipartonInteractions:alphaSvalue = 0.118",
    "MultipartonInteractions:alphaSorder = 2",
    "TimeShower:alphaSorder = 2",
    "TimeShower:alphaSvalue = 0.118",
    "SigmaTotal:mode = 0",
    "SigmaTotal:sigmaEl = 21.89",
    "SigmaTotal:sigmaTot = 100.309",
    "PDF:pSet = 20",
    "6:m0 = 172.5",
    "25:m0 = 125.0",
)

# a Z' whose mass spreads over 0.5-4 TeV (a forced 1 TeV width around 2 TeV): one sample covers the
# boosted range instead of one mass point
_BROAD_ZPRIME = ("32:m0 = 2000.", "32:doForceWidth = on", "32:mWidth = 1000.", "32:mMin = 500.", "32:mMax = 4000.")

_PROCESS_SETTINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ttbar": (
        "top-quark pair production (gg, qqbar -> t tbar), all decays",
        ("Top:gg2ttbar = on", "Top:qqbar2ttbar = on"),
    ),
    "dy": (
        "Z/gamma* -> ee, mumu, tautau with m_ll > 50 GeV; extra jets from the parton shower",
        (
            "WeakSingleBoson:ffbar2gmZ = on",
            "PhaseSpace:mHatMin = 50.",
            "23:onMode = off",
            "23:onIfAny = 11 13 15",
        ),
    ),
    "wjets": (
        "W -> e nu, mu nu, tau nu; extra jets from the parton shower",
        ("WeakSingleBoson:ffbar2W = on", "24:onMode = off", "24:onIfAny = 11 13 15"),
    ),
    "qcd": (
        "QCD 2 -> 2 (HardQCD:all), pthat in [pthat_min, pthat_max]",
        ("HardQCD:all = on",),
    ),
    "vbf_hmumu": (
        "vector-boson fusion H -> mu mu (WW and ZZ fusion)",
        (
            "HiggsSM:ff2Hff(t:WW) = on",
            "HiggsSM:ff2Hff(t:ZZ) = on",
            "25:onMode = off",
            "25:onIfMatch = 13 -13",
        ),
    ),
    # the corners of phase space (issue "Generalisation"; CMS FlashSim trains on such a mixture): biased
    # spectra give every event a weight (genWeight), which a conditional model p(reco | gen) does not need
    "qcd_flat": (
        "QCD 2 -> 2 (HardQCD:all), pthat 15-3000 GeV biased towards high pthat (pthat^4.5: about flat in "
        "log pthat), weighted events",
        ("HardQCD:all = on", "PhaseSpace:bias2Selection = on", "PhaseSpace:bias2SelectionPow = 4.5",
         "PhaseSpace:bias2SelectionRef = 15."),
    ),
    "gamma_jets": (
        "prompt photon + jet (PromptPhoton:all), pthat 20-2000 GeV biased towards high pthat (pthat^3), "
        "weighted events",
        ("PromptPhoton:all = on", "PhaseSpace:pTHatMin = 20.", "PhaseSpace:pTHatMax = 2000.",
         "PhaseSpace:bias2Selection = on", "PhaseSpace:bias2SelectionPow = 3.", "PhaseSpace:bias2SelectionRef = 20."),
    ),
    "zjets_boosted": (
        "Z -> ee, mumu, tautau recoiling against a jet (WeakBosonAndParton), pthat 100-1500 GeV biased "
        "towards high pthat (pthat^3), weighted events",
        ("WeakBosonAndParton:qqbar2gmZg = on", "WeakBosonAndParton:qg2gmZq = on", "WeakZ0:gmZmode = 2",
         "PhaseSpace:pTHatMin = 100.", "PhaseSpace:pTHatMax = 1500.", "PhaseSpace:bias2Selection = on",
         "PhaseSpace:bias2SelectionPow = 3.", "PhaseSpace:bias2SelectionRef = 100.", "23:onMode = off",
         "23:onIfAny = 11 13 15"),
    ),
    "zbb_boosted": (
        "Z -> b bbar recoiling against a jet (WeakBosonAndParton), pthat 150-1500 GeV biased towards high "
        "pthat (pthat^3): two-prong b-tagged fat jets, weighted events",
        ("WeakBosonAndParton:qqbar2gmZg = on", "WeakBosonAndParton:qg2gmZq = on", "WeakZ0:gmZmode = 2",
         "PhaseSpace:pTHatMin = 150.", "PhaseSpace:pTHatMax = 1500.", "PhaseSpace:bias2Selection = on",
         "PhaseSpace:bias2SelectionPow = 3.", "PhaseSpace:bias2SelectionRef = 150.", "23:onMode = off",
         "23:onIfAny = 5"),
    ),
    "zprime_tt": (
        "a heavy Z' (0.5-4 TeV, broad: boosted tops, W and b jets) -> t tbar, all decays",
        ("NewGaugeBoson:ffbar2gmZZprime = on", "Zprime:gmZmode = 3", *_BROAD_ZPRIME, "32:onMode = off",
         "32:onIfAny = 6"),
    ),
    "zprime_ww": (
        "a heavy Z' (0.5-4 TeV, broad) -> W+ W-, all W decays: two-prong fat jets, high-pt leptons",
        ("NewGaugeBoson:ffbar2gmZZprime = on", "Zprime:gmZmode = 3", *_BROAD_ZPRIME, "Zprime:coup2WW = 1.",
         "32:onMode = off", "32:onIfMatch = 24 -24"),
    ),
    "zprime_ll": (
        "a heavy Z' (0.5-4 TeV, broad) -> ee, mumu, tautau: leptons at high pt",
        ("NewGaugeBoson:ffbar2gmZZprime = on", "Zprime:gmZmode = 3", *_BROAD_ZPRIME, "32:onMode = off",
         "32:onIfAny = 11 13 15"),
    ),
    "zh_llbb": (
        "ZH associated production, Z -> ee/mumu, H -> b bbar",
        (
            "HiggsSM:ffbar2HZ = on",
            "23:onMode = off",
            "23:onIfAny = 11 13",
            "25:onMode = off",
            "25:onIfMatch = 5 -5",
        ),
    ),
}

PROCESSES: dict[str, str] = {name: desc for name, (desc, _) in _PROCESS_SETTINGS.items()}
"""Known process names -> one-line description."""

QCD_PTHAT_DEFAULT = (30.0, 1000.0)
PTHAT_DEFAULTS = {"qcd": QCD_PTHAT_DEFAULT, "qcd_flat": (15.0, 3000.0)}  # the processes --pthat-min/max apply to


@dataclass(frozen=True)
class ProcessCard:
    """What a generation job hands to Pythia: a name and the setting lines (without the seed).

    Attributes:
        process: the process name, or ``"custom"`` for a user card.
        lines: Pythia ``readString`` lines, in order; the seed is added per luminosity block.
        source: where the process lines came from (``"builtin"`` or the user card's path).
    """

    process: str
    lines: tuple[str, ...]
    source: str = "builtin"

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def process_card(process: str, pthat_min: float | None = None, pthat_max: float | None = None) -> ProcessCard:
    """The card of a named process. ``pthat_min/max`` apply to ``qcd`` (default 30-1000 GeV) and
    ``qcd_flat`` (15-3000 GeV)."""
    if process not in _PROCESS_SETTINGS:
        known = ", ".join(sorted(_PROCESS_SETTINGS))
        raise InputError(f"unknown process {process!r}; expected one of: {known}")
    lines = list(COMMON_SETTINGS) + list(_PROCESS_SETTINGS[process][1])
    if process in PTHAT_DEFAULTS:
        lo = PTHAT_DEFAULTS[process][0] if pthat_min is None else float(pthat_min)
        hi = PTHAT_DEFAULTS[process][1] if pthat_max is None else float(pthat_max)
        if not 0 < lo < hi:
            raise InputError(f"--pthat-min {lo} / --pthat-max {hi}: expected 0 < pthat-min < pthat-max (GeV)")
        lines += [f"PhaseSpace:pTHatMin = {lo:g}", f"PhaseSpace:pTHatMax = {hi:g}"]
    elif pthat_min is not None or pthat_max is not None:
        raise InputError(f"--pthat-min/--pthat-max apply to {' and '.join(PTHAT_DEFAULTS)} only, not to {process!r}")
    return ProcessCard(process, tuple(lines))


def _is_setting(line: str) -> bool:
    # Pythia treats a line whose first non-blank character is not a letter or digit as a comment.
    stripped = line.strip()
    return bool(stripped) and stripped[0].isalnum()


def read_user_card(path: str | Path) -> ProcessCard:
    """A user's Pythia card: the common settings, then every setting line of the file.

    Raises:
        InputError: the file cannot be read or holds no setting line.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"--pythia-cmnd {path}: cannot read the Pythia card ({err})") from err
    user = [line.strip() for line in text.splitlines() if _is_setting(line)]
    if not user:
        raise InputError(f"--pythia-cmnd {path}: no setting lines found (expected 'Key = value')")
    return ProcessCard("custom", tuple(COMMON_SETTINGS) + tuple(user), source=str(path))
