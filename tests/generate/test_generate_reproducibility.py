"""Same seed -> identical events whatever the number of jobs; another seed -> other events.
Event identity: run settable, luminosity blocks of fixed size, event numbers unique."""

import awkward as ak
import numpy as np
import pytest
import uproot

SETTINGS = {"events_per_lumi": 25, "run": 7}


def _events(path):
    with uproot.open(path) as f:
        return f["Events"].arrays()


@pytest.fixture(scope="module")
def one_job(gen_file):
    return _events(gen_file("dy", 100, jobs=1, **SETTINGS))


def test_same_seed_same_events_with_more_jobs(gen_file, one_job):
    two_jobs = _events(gen_file("dy", 100, jobs=2, **SETTINGS))
    assert one_job.fields == two_jobs.fields
    for name in one_job.fields:
        assert ak.array_equal(one_job[name], two_jobs[name]), name


def test_same_seed_same_events_twice(gen_file, one_job, tmp_path):
    from flashsim.generate import generate

    again = _events(generate("dy", 100, 1, tmp_path / "again.root", progress=False, **SETTINGS))
    for name in one_job.fields:
        assert ak.array_equal(one_job[name], again[name]), name


def test_other_seed_other_events(gen_file, one_job):
    other = _events(gen_file("dy", 100, seed=2, **SETTINGS))
    assert not ak.array_equal(one_job.GenPart_pt, other.GenPart_pt)
    assert not ak.array_equal(one_job.Pileup_nTrueInt, other.Pileup_nTrueInt)

    # No event repeated from one seed to the other (scalar pt sum of GenPart as a fingerprint).
    def fingerprint(ev):
        return set(ak.to_numpy(ak.sum(ev.GenPart_pt, axis=1)).tolist())

    assert not fingerprint(one_job) & fingerprint(other)


def test_luminosity_blocks_have_their_own_seed(one_job):
    # Blocks are independent streams: no block repeats another's events.
    first = ak.to_numpy(ak.sum(one_job.GenPart_pt, axis=1))
    blocks = first.reshape(4, 25)
    assert len({tuple(b) for b in blocks}) == 4


def test_event_identity(one_job):
    assert ak.all(one_job.run == 7)
    assert one_job.luminosityBlock.to_list() == sum(([k] * 25 for k in (1, 2, 3, 4)), [])
    assert one_job.event.to_list() == list(range(1, 101))
    assert one_job.event.type.content.primitive == "uint64"


def test_lumi_blocks_split():
    from flashsim.generate.seeding import lumi_blocks, stream_seed

    blocks = lumi_blocks(1050, 500)
    assert [(b.luminosity_block, b.first_event, b.events) for b in blocks] == [
        (1, 0, 500),
        (2, 500, 500),
        (3, 1000, 50),
    ]
    seeds = {stream_seed(1, b, s) for b in range(100) for s in (0, 1)}
    assert len(seeds) == 200
    assert all(1 <= s <= 900_000_000 for s in seeds)
    assert stream_seed(1, 0, 0) == stream_seed(1, 0, 0) != stream_seed(2, 0, 0)
    assert np.all(np.array(sorted(seeds)) > 0)
