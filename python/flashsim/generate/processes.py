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
    """The card of a named process. ``pthat_min/max`` apply to ``qcd`` (default 30-1000 GeV)."""
    if process not in _PROCESS_SETTINGS:
        known = ", ".join(sorted(_PROCESS_SETTINGS))
        raise InputError(f"unknown process {process!r}; expected one of: {known}")
    lines = list(COMMON_SETTINGS) + list(_PROCESS_SETTINGS[process][1])
    if process == "qcd":
        lo = QCD_PTHAT_DEFAULT[0] if pthat_min is None else float(pthat_min)
        hi = QCD_PTHAT_DEFAULT[1] if pthat_max is None else float(pthat_max)
        if not 0 < lo < hi:
            raise InputError(f"--pthat-min {lo} / --pthat-max {hi}: expected 0 < pthat-min < pthat-max (GeV)")
        lines += [f"PhaseSpace:pTHatMin = {lo:g}", f"PhaseSpace:pTHatMax = {hi:g}"]
    elif pthat_min is not None or pthat_max is not None:
        raise InputError(f"--pthat-min/--pthat-max apply to the qcd process only, not to {process!r}")
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
