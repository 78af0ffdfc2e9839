"""The counter-based RNG: Philox4x32-10 known answers, and what the stream key depends on."""

import numpy as np
import pytest

# Known-answer vectors of Philox4x32-10 (Random123, kat_vectors).
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_known_answers(ROOT, counter, key, expected):
    c = ROOT.flashsim.Detail.PhiloxCounter()
    k = ROOT.flashsim.Detail.PhiloxKey()
    for i, word in enumerate(counter):
        c[i] = word
    for i, word in enumerate(key):
        k[i] = word
    out = ROOT.flashsim.Detail.Philox4x32(c, k)
    assert tuple(int(out[i]) for i in range(4)) == expected


def stream(ROOT, seed=1, run=1, lumi=1, event=1, copy=0, collection="Jet", source="GenJet"):
    event_id = ROOT.flashsim.EventId()
    event_id.run, event_id.luminosityBlock, event_id.event = run, lumi, event
    return ROOT.flashsim.RandomStream(seed, event_id, copy, collection, source)


def test_draws_depend_on_every_part_of_the_key(ROOT):
    base = stream(ROOT).Normal(3, 1)
    variants = [
        stream(ROOT, seed=2), stream(ROOT, run=2), stream(ROOT, lumi=2), stream(ROOT, event=2),
        stream(ROOT, event=1 + 2**40), stream(ROOT, copy=1), stream(ROOT, collection="Muon"),
        stream(ROOT, source="Pileup"),
    ]
    values = [base] + [s.Normal(3, 1) for s in variants]
    values += [stream(ROOT).Normal(4, 1), stream(ROOT).Normal(3, 2)]  # object index, draw index
    assert len(set(values)) == len(values)
    assert stream(ROOT).Normal(3, 1) == base  # and on nothing else


def test_distributions(ROOT):
    s = stream(ROOT, seed=123)
    uniform = np.array([s.Uniform(i, 0) for i in range(20000)])
    normal = np.array([s.Normal(i, 1) for i in range(20000)])
    assert 0.0 < uniform.min() and uniform.max() < 1.0
    assert abs(uniform.mean() - 0.5) < 0.01 and abs(uniform.var() - 1 / 12) < 0.003
    assert abs(normal.mean()) < 0.03 and abs(normal.std() - 1.0) < 0.03
    assert abs(np.mean(normal**4) - 3.0) < 0.2  # Gaussian tails, not just two moments
