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


# the check before the loop is bypassed, as when another writer fills the disk while the job runs:
# the loop must stop while there is room (OutputRoom.hxx), not crash in ROOT's Snapshot
_BYPASSED = ("import sys; import flashsim.rdf.nanoaod_file as f; f.check_room = lambda *a: None; "
             "from flashsim.cli import main; sys.exit(main(sys.argv[1:]))")


def _simulate_bypassed(gen, bundle, out, threads, preexec_fn=None):
    return subprocess.run([sys.executable, "-c", _BYPASSED, "simulate", str(gen), "-o", str(out), "--bundle",
                           str(bundle), "--seed", "1", "--threads", str(threads), "--no-progress"],
                          preexec_fn=preexec_fn, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("threads", [1, 2])
def test_file_size_limit_reached_during_the_loop_is_one_line(gen_file, tiny_bundle, tmp_path, threads):
    gen = gen_file("ttbar", 400, seed=5, jobs=2)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000))

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = _simulate_bypassed(gen, tiny_bundle, out_dir / "nano.root", threads, limit)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("flashsim")]
    assert proc.returncode == 2 and len(errors) == 1, proc.stderr[-800:]
    assert "stopped before the output ran out of room" in errors[0] and "file-size limit" in errors[0], errors
    assert list(out_dir.iterdir()) == []


def test_disk_filling_during_the_loop_is_one_line(gen_file, tiny_bundle, tmp_path):
    """A real full disk: a 9 MB tmpfs (where this machine lets us mount one)."""
    gen = gen_file("ttbar", 1000, seed=5, jobs=2)
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=9m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not allowed here (the file-size-limit test covers the same stop)")
    try:
        proc = _simulate_bypassed(gen, tiny_bundle, disk / "nano.root", 2)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("flashsim")]
        assert proc.returncode == 2 and len(errors) == 1, proc.stderr[-800:]
        assert f"{disk}: the disk is nearly full" in errors[0], errors
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)
