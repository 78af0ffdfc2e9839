"""scripts/replace_collections_in_bundle.py: a few collections retrained alone (flashsim train --collections) put
in place of a bundle's own, the rest of the bundle untouched."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "python" / "flashsim" / "bundle" / "default"


def _script():
    spec = importlib.util.spec_from_file_location("replace_collections", ROOT / "scripts" /
                                                  "replace_collections_in_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copy(tmp_path, name):
    out = tmp_path / name
    shutil.copytree(DEFAULT, out)
    return out, json.loads((out / "bundle.json").read_text())


def test_a_retrained_collection_replaces_the_bundles_own_in_place(tmp_path):
    bundle, before = _copy(tmp_path, "bundle")
    partial, manifest = _copy(tmp_path, "partial")
    tau = next(c for c in manifest["collections"] if c["name"] == "Tau")
    old_model = tau["sources"][0]["velocity_field"]["model"]
    new_model = old_model.replace(".onnx", "_v2.onnx")
    (partial / old_model).rename(partial / new_model)
    tau["sources"][0]["velocity_field"]["model"] = new_model
    tau["floor"]["min"] = 20.0
    manifest["provenance"]["parity"][new_model] = manifest["provenance"]["parity"].pop(old_model)
    manifest["provenance"]["config"]["collections"] = ["Tau"]  # as flashsim train --collections Tau writes it
    (partial / "bundle.json").write_text(json.dumps(manifest))

    _script().replace_collections(bundle, partial, ["Tau"], "a test")
    after = json.loads((bundle / "bundle.json").read_text())
    assert [c["name"] for c in after["collections"]] == [c["name"] for c in before["collections"]]
    assert next(c for c in after["collections"] if c["name"] == "Tau") == tau
    assert [c for c in after["collections"] if c["name"] != "Tau"] == \
        [c for c in before["collections"] if c["name"] != "Tau"]
    assert (bundle / new_model).is_file() and not (bundle / old_model).exists()
    assert new_model in after["provenance"]["parity"] and old_model not in after["provenance"]["parity"]
    assert "Tau (GenVisTau, FromJet) retrained alone" in after["provenance"]["edits"][-1]
    assert after["provenance"]["edits"][-1].endswith("a test")


def test_a_bundle_trained_on_other_files_is_refused(tmp_path):
    bundle, _ = _copy(tmp_path, "bundle")
    partial, manifest = _copy(tmp_path, "partial")
    manifest["provenance"]["samples"] = manifest["provenance"]["samples"][:1]
    (partial / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(SystemExit, match="not the same files"):
        _script().replace_collections(bundle, partial, ["Tau"], "a test")
