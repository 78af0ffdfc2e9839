"""The output is written atomically: interrupted or failed runs leave no file behind, and an
existing file is replaced only by a complete one."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flashsim.generate import generate

REPO = Path(__file__).resolve().parents[2]


def test_error_midway_leaves_no_file(tmp_path, monkeypatch):
    import flashsim.generate.events as events

    real = events.generate_block
    calls = []

    def failing(request, progress=None):
        calls.append(request.block.index)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, between two blocks
        return real(request, progress)

    monkeypatch.setattr(events, "generate_block", failing)
    out = tmp_path / "gen.root"
    out.write_bytes(b"previous content")
    with pytest.raises(KeyboardInterrupt):
        generate("dy", 20, 1, out, events_per_lumi=10, progress=False)
    assert calls == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen.root"]
    assert out.read_bytes() == b"previous content"  # the old file is untouched


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 130)])
@pytest.mark.parametrize("jobs", [1, 2])
def test_signal_leaves_no_file(tmp_path, sig, code, jobs):
    out = tmp_path / "gen.root"
    env = dict(os.environ, PYTHONPATH=str(REPO / "python"))
    cmd = [
        sys.executable,
        "-m",
        "flashsim",
        "generate",
        "--process",
        "dy",
        "--events",
        "100000",
        "--seed",
        "1",
        "--jobs",
        str(jobs),
        "-o",
        str(out),
        "--no-progress",
    ]
    # a suite started in the background (`make test &`) inherits SIGINT ignored, and so would the
    # child: give it the default disposition, as an interactive shell would
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while not any(tmp_path.iterdir()):  # the temporary file appears once work started
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err.decode()
    assert b"interrupted" in err
    assert list(tmp_path.iterdir()) == []


def _spawned_workers():
    """PIDs of this process's multiprocessing spawn workers (children running spawn_main)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"spawn_main" in cmdline:
            pids.append(int(entry.name))
    return pids


def test_dead_worker_is_an_error_not_a_hang(tmp_path):
    """A worker killed mid-block (as by the out-of-memory killer) stops the run with an error."""
    import threading

    from flashsim.errors import FlashSimError

    killed = []

    def kill_one_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            workers = _spawned_workers()
            if len(workers) == 2:
                time.sleep(1.0)  # let them start generating
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        with pytest.raises(FlashSimError, match="worker process died"):
            generate("dy", 4000, 1, tmp_path / "gen.root", jobs=2, events_per_lumi=100, progress=False)
    finally:
        killer.join()
    assert killed
    assert list(tmp_path.iterdir()) == []
    assert _spawned_workers() == []  # the other worker was stopped too
