"""The default bundle: found inside the installed package, a clear error while none is trained,
and packaged (json + onnx) by the wheel build."""

import shutil
from pathlib import Path

import pytest

import flashsim.bundle
from flashsim import BundleError
from flashsim.bundle import default_bundle, write_toy_bundle

REPO = Path(__file__).resolve().parents[2]


def test_lives_in_the_package():
    assert flashsim.bundle.DEFAULT_BUNDLE_DIR == Path(flashsim.bundle.__file__).resolve().parent / "default"


def test_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(flashsim.bundle, "DEFAULT_BUNDLE_DIR", tmp_path / "default")
    with pytest.raises(BundleError, match=r"no default bundle installed .*train one with flashsim train or pass "
                                          r"--bundle"):
        default_bundle()


def test_found_when_present(tmp_path, monkeypatch):
    monkeypatch.setattr(flashsim.bundle, "DEFAULT_BUNDLE_DIR", write_toy_bundle(tmp_path / "default"))
    assert default_bundle() == tmp_path / "default"


def test_wheel_packages_json_and_onnx(tmp_path):
    """scikit-build-core's wheel.packages copies every file of python/flashsim that git does not
    ignore: a bundle trained into python/flashsim/bundle/default/ ships with the wheel."""
    import tomllib

    from scikit_build_core.build._pathutil import iter_package_files

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["scikit-build"]
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "python", copy / "python", ignore=shutil.ignore_patterns("__pycache__", "default"))
    shutil.copy(REPO / ".gitignore", copy / ".gitignore")
    write_toy_bundle(copy / "python" / "flashsim" / "bundle" / "default")
    packages = {Path(p).name: p for p in config["wheel"]["packages"]}
    targets = {str(target) for _, target in iter_package_files(
        packages={name: str(copy / path) for name, path in packages.items()}, include=[], src_exclude=[],
        target_exclude=config["wheel"].get("exclude", []), build_dir="build", mode="default")}
    shipped = {t for t in targets if t.startswith("flashsim/bundle/default/")}
    assert shipped == {"flashsim/bundle/default/bundle.json", "flashsim/bundle/default/jet_efficiency.onnx",
                       "flashsim/bundle/default/jet_velocity.onnx"}
