"""A bundle is data (manifest format 2): named operations of the C++ registry and a cut grammar,
checked at load; a format-1 bundle's C++ text runs only with an explicit opt-in."""

import json
import shutil

import pytest

import flashsim
from flashsim.rdf.operations import cut, define, names


def test_cut_grammar_writes_the_expression_and_its_inputs():
    expression, inputs = cut("GenPart_status == 1 && (abs(GenPart_pdgId) == 13 || !(GenPart_pt <= -2.5e1f))")
    assert expression == ("(GenPart_status == 1) && ((abs(GenPart_pdgId) == 13) || !((GenPart_pt <= -2.5e1f)))")
    assert inputs == ["GenPart_status", "GenPart_pdgId", "GenPart_pt"]


@pytest.mark.parametrize(("text", "message"), [
    ("GenPart_pt > 2; gSystem->Exec(\"ls\")", r"';' is not part of the cut grammar"),
    ("std::system(\"ls\") == 0", r"':' is not part of the cut grammar"),
    ("gSystem == 0", r"'gSystem' is not a column name"),
    ("GenPart_pt", r"expected a comparison"),
    ("GenPart_pt > 2 &&", r"expected a column, got ''"),
    ("(GenPart_pt > 2", r"a '\(' without its '\)'"),
    ("GenPart_pt > 2x", r"'2x...' is not a number"),
    ("", r"the cut is empty"),
])
def test_cut_grammar_refuses_what_is_not_a_cut(text, message):
    with pytest.raises(flashsim.BundleError, match=rf"flashsim: sources\[0\].select: .*{message}"):
        cut(text, "sources[0].select")


@pytest.mark.parametrize(("entry", "message"), [
    ({"column": "X_y", "op": "system", "command": "ls"},
     r"derived\[0\]\.op: unknown operation 'system' \(the library has abs,"),
    ({"column": "X_y", "op": "abs"}, r"missing parameter 'of' of operation 'abs'"),
    ({"column": "X_y", "op": "abs", "of": "GenJet_eta); std::system(\"ls\"); (void"}, r"is not a column name"),
    ({"column": "X_y", "op": "abs", "of": "GenJet_eta", "expression": "1"},
     r"operation 'abs' has no parameter 'expression' \('expression' belongs to manifest format 1"),
    ({"column": "X_y", "op": "closest_index", "from": "Muon", "to": "Jet", "radius": "0.4"},
     r"radius: expected a number, got string"),
    ({"column": "X_y", "op": "inverse_index", "index": "Muon_jetIdx", "size_of": "Jet_pt", "rank": 1.5},
     r"rank: expected an integer in \[0, 255\]"),
    ({"column": "X_y", "op": "multiplicity_sum", "of": ["A_b"], "max": 255, "type": "char*"},
     r"type: expected one of UChar_t, Short_t, Int_t"),
    ({"column": "X_y", "op": "same_gen_index", "from": "Electron", "to": "Photon", "index": "genPartIdx[0]"},
     r"index: 'genPartIdx\[0\]' is not a branch name"),
    ({"column": "bad name", "op": "abs", "of": "GenJet_eta"}, r"'bad name' is not a column name"),
])
def test_an_operation_is_checked_when_it_is_read(entry, message):
    with pytest.raises(flashsim.BundleError, match=message):
        define(entry, "derived[0]")


def test_every_catalogue_entry_is_a_registry_operation():
    from flashsim import catalogue

    used = {e["op"] for e in catalogue.DERIVED + catalogue.postprocess(catalogue.COLLECTIONS)}
    assert used <= set(names())
    for entry in catalogue.DERIVED + catalogue.postprocess(catalogue.COLLECTIONS):
        expression, inputs = define(entry)
        assert expression and inputs, entry


def _as_format_1(manifest):
    """The same bundle with every operation and cut written out as the C++ text format 1 carried."""
    old = json.loads(json.dumps(manifest))
    old["format_version"] = 1
    for key in ("derived", "postprocess"):
        old[key] = []
        for entry in manifest.get(key, []):
            expression, inputs = define(entry)
            old[key].append({"column": entry["column"], "expression": expression, "inputs": inputs,
                             **({"requires": entry["requires"]} if "requires" in entry else {})})
    for collection in old["collections"]:
        for source in collection["sources"]:
            if "select" in source:
                source["select"] = cut(source["select"])[0]
    return old


@pytest.fixture(scope="module")
def gen(gen_file):
    return gen_file("ttbar", 100)


@pytest.fixture(scope="module")
def format_1_bundle(tmp_path_factory):
    """The default bundle with a format-1 manifest (its ONNX files linked, not copied)."""
    from flashsim.bundle import default_bundle, read_manifest

    directory = tmp_path_factory.mktemp("format1")
    for path in default_bundle().iterdir():
        if path.suffix == ".onnx":
            (directory / path.name).symlink_to(path)
    old = _as_format_1(read_manifest(default_bundle()))
    old["postprocess"].append({"column": "Jet_pwned", "requires": ["Jet"],
                               "expression": "ROOT::RVecF(Jet_pt.size(), float(gSystem->Exec(\"true\")))"})
    (directory / "bundle.json").write_text(json.dumps(old))
    return directory


def test_format_1_code_is_refused_without_the_opt_in(ROOT, format_1_bundle, gen):
    df = ROOT.RDataFrame("Events", str(gen))
    with pytest.raises(flashsim.BundleError, match=r"derived\[0\]: manifest format 1 keeps the derived column "
                                                   r"'GenPart_origin' as C\+\+ text.*--allow-bundle-code"):
        flashsim.rdf.simulate(df, format_1_bundle, seed=1)


def test_format_1_with_the_opt_in_runs_and_equals_format_2(ROOT, format_1_bundle, gen):
    """Read with allow_bundle_code, the format-1 text (here written from the operations) gives the
    format-2 bundle's output bit for bit, and its free C++ runs: that is what the opt-in trusts."""
    import numpy as np

    from flashsim.bundle import default_bundle

    branches = ["Jet_pt", "Jet_muonIdx1", "Jet_nConstituents", "Muon_pt", "Muon_jetIdx", "Electron_pdgId", "nPhoton"]
    new = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(100), default_bundle(), seed=4)
    old = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(100), format_1_bundle, seed=4,
                                allow_bundle_code=True)
    a, b = new.AsNumpy(branches), old.AsNumpy(branches + ["Jet_pwned"])
    for name in branches:
        for x, y in zip(a[name], b[name], strict=True):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y), err_msg=name)
    assert all(np.all(np.asarray(v) == 0) for v in b["Jet_pwned"])  # gSystem->Exec("true") returned 0: it ran


def test_a_manifest_with_an_unknown_operation_names_the_manifest_path(ROOT, tmp_path, gen):
    from flashsim.bundle import default_bundle

    bundle = tmp_path / "bundle"
    shutil.copytree(default_bundle(), bundle)
    manifest = json.loads((bundle / "bundle.json").read_text())
    manifest["postprocess"][3]["op"] = "run_this"
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(flashsim.BundleError, match=rf"bundle manifest '{bundle}/bundle.json': postprocess\[3\].op: "
                                                   r"unknown operation 'run_this'"):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), bundle, seed=1)
