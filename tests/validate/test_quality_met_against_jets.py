"""The quality script's MET-against-the-jets figures (benchmarks/quality_default_bundle.py): the
correlation of MET with the jets' HT and the MET response in HT bins, with paired bootstrap errors."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import quality_default_bundle as quality  # noqa: E402


def _sample(rng, n_events):
    """Jets (2-6 per event) and a MET that grows with their HT, as the quality script's tables."""
    counts = rng.integers(2, 7, n_events)
    event = np.repeat(np.arange(n_events), counts)
    pt = rng.exponential(60.0, len(event)) + 20.0
    ht = np.bincount(event[pt > 30], weights=pt[pt > 30], minlength=n_events)
    gen_met = 20.0 + 0.1 * ht + rng.exponential(10.0, n_events)
    met = gen_met + rng.normal(0.0, 5.0, n_events)
    return {"Jet": {"pt": pt, "event": event}, "PuppiMET": {"pt": met, "event": np.arange(n_events)}}, gen_met


def test_agreement_and_two_distortions():
    n = 4000
    reference, gen_met = _sample(np.random.default_rng(1), n)
    scaled = {"Jet": reference["Jet"], "PuppiMET": dict(reference["PuppiMET"], pt=reference["PuppiMET"]["pt"] * 1.1)}
    # MET with the same spectrum but no link to these jets (as one conditioned on gen quantities only)
    decoupled = {"Jet": reference["Jet"], "PuppiMET": dict(reference["PuppiMET"],
                                                           pt=np.random.default_rng(2).permutation(
                                                               reference["PuppiMET"]["pt"]))}
    m = quality.met_against_jets({"reference": reference, "same": reference, "scaled": scaled,
                                  "decoupled": decoupled}, "PuppiMET", gen_met, n)
    c = m["correlation"]
    assert c["reference"]["value"] > 0.5
    assert c["same"]["value"] == c["reference"]["value"] and c["same"]["minus_reference_se"] == 0
    assert abs(c["decoupled"]["value"]) < 0.1  # a MET that ignores the jets is caught ...
    assert c["reference"]["value"] - c["decoupled"]["value"] > 5 * c["decoupled"]["minus_reference_se"]
    # ... a scale is not (a correlation does not see it): the response does
    assert c["scaled"]["value"] == pytest.approx(c["reference"]["value"], abs=1e-9)
    rows = [r for r in m["response"] if r["reference"]["n"] >= 20]
    assert len(rows) >= 4
    for row in rows:
        assert row["same"]["rel_diff"] == 0
        assert abs(row["scaled"]["rel_diff"] - 0.1) < 1e-9 and row["scaled"]["rel_diff_se"] < 0.03
    quality.print_met_against_jets(m)  # the printed lines do not fail on any of them
