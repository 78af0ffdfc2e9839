"""No room for the output: a clear one-line error before the event loop, no file left."""

import resource
import subprocess
import sys

import pytest

from flashsim import InputError
from flashsim.rdf import nanoaod_file
from flashsim.rdf.nanoaod_file import simulate_file


def test_file_size_limit_is_one_line(gen_file, tiny_bundle, tmp_path):
    gen = gen_file("ttbar", 400, seed=5, jobs=2)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = subprocess.run([sys.executable, "-m", "flashsim", "simulate", str(gen), "-o", str(out_dir / "nano.root"),
                           "--bundle", str(tiny_bundle), "--seed", "1", "--no-progress"], preexec_fn=limit,
                          capture_output=True, text=True, timeout=300)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("flashsim")]
    assert proc.returncode == 2 and len(errors) == 1 and "file-size limit" in errors[0], proc.stderr[-500:]
    assert list(out_dir.iterdir()) == []


def test_full_disk_is_one_line(gen_file, tiny_bundle, tmp_path, monkeypatch):
    gen = gen_file("ttbar", 400, seed=5, jobs=2)

    class Usage:
        free = 1_000_000

    monkeypatch.setattr(nanoaod_file.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(InputError, match=r"1 MB free, this job needs about \d+ MB"):
        simulate_file(gen, tmp_path / "nano.root", tiny_bundle, seed=1, progress=False)
    assert list(tmp_path.iterdir()) == []
