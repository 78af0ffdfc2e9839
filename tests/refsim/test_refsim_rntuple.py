"""A gen file stored as an RNTuple (NanoAOD column names) goes through the reference detector to the
same events as the same file stored as a TTree, with the same branch types and the small trees."""

import awkward as ak
import uproot


def _as_rntuple(src, dst):
    with uproot.open(src) as f:
        trees = {name: f[name].arrays() for name in ("Events", "Runs", "LuminosityBlocks")}
    with uproot.recreate(dst) as f:
        for name, arrays in trees.items():
            f[name] = arrays  # an awkward array: uproot writes an RNTuple
    return dst


def test_rntuple_gen_gives_the_same_events(ttbar_gen, full_file, tmp_path):
    from flashsim.refsim import reference_detector

    rntuple = _as_rntuple(ttbar_gen, tmp_path / "gen_rntuple.root")
    with uproot.open(rntuple) as f:
        assert "RNTuple" in type(f["Events"]).__name__
    out = tmp_path / "full_from_rntuple.root"
    reference_detector(str(rntuple), str(out), seed=1, chunk_size=300)  # chunks that do not divide the file
    want = full_file(ttbar_gen, seed=1)
    with uproot.open(want) as f, uproot.open(out) as g:
        for tree in ("Events", "Runs", "LuminosityBlocks"):
            a, b = f[tree], g[tree]
            assert a.num_entries == b.num_entries > 0, tree
            assert a.typenames() == b.typenames(), tree  # the TTree output keeps NanoAOD types
            xa, xb = a.arrays(), b.arrays()
            for field in xa.fields:
                assert ak.all(ak.ravel(xa[field]) == ak.ravel(xb[field])), (tree, field)


def test_rntuple_without_counters_is_a_clean_error(ttbar_gen, tmp_path):
    import pytest

    from flashsim import InputError
    from flashsim.refsim import reference_detector

    with uproot.open(ttbar_gen) as f:
        arrays = f["Events"].arrays()
    bare = tmp_path / "no_counter.root"
    with uproot.recreate(bare) as f:
        f["Events"] = arrays[[name for name in arrays.fields if name != "nGenJet"]]
    with pytest.raises(InputError, match="'GenJet_pt' holds lists but has no counter column"):
        reference_detector(str(bare), str(tmp_path / "out.root"), seed=1)
    assert not list(tmp_path.glob("out.root*"))
