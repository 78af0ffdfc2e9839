"""The full report renders: two processes (one marked as seen in training by a bundle manifest),
every figure kind, toy analyses; every image exists and is a PNG; headless Chromium shows a
page that is not blank. The command line writes the same report."""

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from flashsim.bundle.manifest import write_manifest
from flashsim.validate import validate_processes

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(nano_pair, tmp_path_factory):
    ttbar, zh = nano_pair("ttbar", 300), nano_pair("zh_llbb", 200)
    bundle = tmp_path_factory.mktemp("bundle")
    write_manifest(bundle, {"name": "test", "provenance": {"processes": ["ttbar", "dy"]}})
    folder = tmp_path_factory.mktemp("report")
    # ttbar: jet pt x 1.1; zh_llbb: the reference at another seed
    metrics = validate_processes([("ttbar", ttbar["distorted"], ttbar["ref"]), ("zh_llbb", zh["other"], zh["ref"])],
                                 folder, collections=["Jet", "Muon", "Electron", "PuppiMET"], bundle=bundle,
                                 log=lambda msg: None)
    return folder, metrics


def test_processes_and_training(report):
    _, metrics = report
    assert metrics["training_processes"] == ["ttbar", "dy"]
    assert metrics["processes"]["ttbar"]["seen_in_training"] == "yes"
    assert metrics["processes"]["zh_llbb"]["seen_in_training"] == "no"
    zh = metrics["processes"]["zh_llbb"]
    assert zh["analyses"]["zh_llbb"]["selected"]["b"] > 10 and "variables" in zh["analyses"]["zh_llbb"]
    assert metrics["ranking"][0]["process"] == "ttbar" and metrics["ranking"][0]["name"] == "Jet_pt"
    jet = metrics["processes"]["ttbar"]["collections"]["Jet"]
    assert jet["roc_auc"]["btagDeepFlavB b vs light"]["b"] > 0.9
    assert 0.5 < jet["efficiency"]["b"] <= 1.0


def test_every_image_exists_and_is_a_png(report):
    from PIL import Image

    folder, metrics = report
    page = (folder / "index.html").read_text()
    sources = re.findall(r"<img src='([^']+)'", page)
    assert len(sources) == metrics["figures"] > 100
    kinds = {"efficiency", "efficiency_map", "response", "correlation", "roc"}
    assert {k for k in kinds if any(s.endswith(f"__{k}.png") for s in sources)} == kinds
    for src in sources:
        path = folder / src
        assert path.is_file(), src
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
        with Image.open(path) as img:
            img.verify()
    assert "Worst variables first" in page and "seen in training" in page


def test_chromium_renders_the_page(report, tmp_path):
    from PIL import Image

    chromium = shutil.which("chromium")
    assert chromium, "chromium not found: `make setup` installs Debian's chromium package"
    folder, _ = report
    shot = tmp_path / "shot.png"
    proc = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--window-size=1400,2400", f"--screenshot={shot}", (folder / "index.html").as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert pixels.shape[0] >= 2000
    dark = (pixels < 128).mean()
    assert 0.01 < dark < 0.6, f"screenshot looks blank (dark fraction {dark:.4f})"
    assert pixels.std() > 20


def test_command_line(nano_pair, tmp_path):
    files = nano_pair("ttbar", 300)
    out = tmp_path / "cli"
    cmd = [sys.executable, "-m", "flashsim", "validate", str(files["distorted"]), str(files["ref"]), "-o", str(out),
           "--collections", "Jet", "--no-auc", "--no-analyses", "--label-a", "Distorted", "--max-events", "200"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{out}/index.html"
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["labels"]["a"] == "Distorted" and metrics["ranking"][0]["name"] == "Jet_pt"
    assert metrics["processes"]["ttbar"]["events"] == {"a": 200, "b": 200}  # process read from the file
    assert "auc" not in metrics["processes"]["ttbar"]["collections"]["Jet"]


def test_command_line_errors(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "flashsim", "validate", str(tmp_path / "missing.root"),
                           str(tmp_path / "other.root"), "-o", str(tmp_path / "r")], capture_output=True, text=True)
    assert proc.returncode == 2 and "missing.root: no such file" in proc.stderr
