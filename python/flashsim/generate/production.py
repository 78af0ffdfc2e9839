"""The public entry point: ``generate(process, events, seed, output, ...)`` -> a gen-level file.

Luminosity blocks (fixed-size blocks of events, one seed each) are handed to ``jobs`` worker
processes; the parent writes them in block order into a temporary file that is renamed onto
``output`` at the end. Only the standard library is imported at the top of this module.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import deque
from pathlib import Path

from flashsim.errors import FlashSimError, InputError
from flashsim.generate.pileup import DEFAULT_PILEUP

__all__ = ["DEFAULT_EVENTS_PER_LUMI", "generate"]

DEFAULT_EVENTS_PER_LUMI = 500

# Filled in each worker process by _worker_init: where progress (events done) is reported.
_PROGRESS_QUEUE = None


def _worker_init(queue) -> None:
    global _PROGRESS_QUEUE
    _PROGRESS_QUEUE = queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool


def _worker_block(request):
    from flashsim.generate.events import generate_block

    return generate_block(request, progress=_PROGRESS_QUEUE.put)


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} = {value!r}: expected an integer")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise InputError(f"{name} = {value}: expected an integer {bound}")
    return value


def _sigterm_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt (so the temporary file is removed); returns the
    previous handler, or None when not on the main thread (signals cannot be set there)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def _raise(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, _raise)


def generate(
    process: str,
    events: int,
    seed: int,
    output: str | Path,
    jobs: int = 1,
    run: int = 1,
    pthat_min: float | None = None,
    pthat_max: float | None = None,
    pythia_cmnd: str | Path | None = None,
    progress: bool = True,
    events_per_lumi: int = DEFAULT_EVENTS_PER_LUMI,
    pileup: str = DEFAULT_PILEUP,
) -> Path:
    """Generate ``events`` Pythia8 events and write the NanoAOD-style gen tree to ``output``.

    Args:
        process: a built-in process (ttbar, dy, wjets, qcd, vbf_hmumu, zh_llbb); with
            ``pythia_cmnd`` a free label recorded in the file (default use: ``"custom"``).
        events: number of events (> 0).
        seed: master seed (>= 0); the same seed gives the same events whatever ``jobs``.
        output: the ROOT file to write (replaced atomically; never left half-written).
        jobs: worker processes.
        run: the ``run`` number of every event (1 .. 2^32-1).
        pthat_min, pthat_max: pthat range of ``qcd`` in GeV (default 30-1000).
        pythia_cmnd: a user Pythia card; its lines replace the built-in process.
        progress: show a tqdm progress bar on stderr.
        events_per_lumi: events per luminosity block = per seed block. Changing it changes the
            events; it is recorded in the file.
        pileup: pileup profile, ``uniform:LOW:HIGH`` | ``fixed:MU`` | ``none``.
    Returns:
        The output path.
    Raises:
        InputError: a bad argument, an unwritable output, a card Pythia rejects.
    """
    from flashsim.generate.pileup import parse_pileup
    from flashsim.generate.processes import PROCESSES, process_card, read_user_card
    from flashsim.generate.writer import check_output_path

    events = _check_int("events", events, 1)
    seed = _check_int("seed", seed, 0)
    jobs = _check_int("jobs", jobs, 1)
    run = _check_int("run", run, 1, 2**32 - 1)
    events_per_lumi = _check_int("events_per_lumi", events_per_lumi, 1)
    profile = parse_pileup(pileup)
    if pythia_cmnd is not None:
        if pthat_min is not None or pthat_max is not None:
            raise InputError("--pthat-min/--pthat-max cannot be combined with --pythia-cmnd")
        card = read_user_card(pythia_cmnd)
        label = process or "custom"
    else:
        card = process_card(process, pthat_min, pthat_max)
        label = process
    output = check_output_path(output)

    from flashsim.generate.pythia_run import configured_pythia

    configured_pythia(card, init=False)  # every line accepted, before any worker starts

    previous = _sigterm_as_interrupt()
    try:
        _produce(
            card,
            label,
            events,
            seed,
            output,
            jobs,
            run,
            progress,
            events_per_lumi,
            profile,
            pthat=(pthat_min, pthat_max),
            description=PROCESSES.get(process, card.source),
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return output


def _produce(card, label, events, seed, output, jobs, run, progress, events_per_lumi, profile, pthat, description):
    from tqdm import tqdm

    from flashsim._version import __version__
    from flashsim.generate.events import BlockRequest
    from flashsim.generate.genjets import AK4, AK8
    from flashsim.generate.pythia_run import pythia_version
    from flashsim.generate.seeding import lumi_blocks
    from flashsim.generate.writer import AtomicOutput, GenTreeWriter

    blocks = lumi_blocks(events, events_per_lumi)
    requests = [BlockRequest(card, seed, run, b, profile) for b in blocks]
    jobs = min(jobs, len(requests))
    metadata = {
        "process": label,
        "description": description,
        "card": card.text,
        "card_source": card.source,
        "seed": seed,
        "events": events,
        "jobs": jobs,
        "run": run,
        "events_per_lumi": events_per_lumi,
        "pileup": str(profile),
        "pthat_min": pthat[0],
        "pthat_max": pthat[1],
        "pythia_version": pythia_version(),
        "flashsim_version": __version__,
        "jets": {jd.name: {"algorithm": "anti-kt", "R": jd.radius, "min_pt": jd.min_pt} for jd in (AK4, AK8)},
        "flavour": "ghost association of weakly decaying b/c hadrons and status 71-79 partons",
        "seeding": "per luminosity block: numpy SeedSequence(seed, spawn_key=(lumi-1, stream))",
    }
    bar = tqdm(
        total=events, unit="ev", file=sys.stderr, disable=not progress, desc=f"generate {label}", dynamic_ncols=True
    )
    try:
        with AtomicOutput(output) as temporary, GenTreeWriter(temporary, run) as writer:
            for result in _results(requests, jobs, bar.update):
                writer.append(result.branches)
            writer.finish(metadata)
    finally:
        bar.close()


def _results(requests, jobs, update):
    """BlockResults in block order, computed here (jobs == 1) or by a pool of processes."""
    from flashsim.generate.events import generate_block

    if jobs == 1:
        for request in requests:
            yield generate_block(request, progress=update)
        return

    import multiprocessing as mp
    import queue as queue_module
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # spawn: the parent may hold threads (ROOT, tqdm); forking those is unsafe.
    ctx = mp.get_context("spawn")
    progress_queue = ctx.Queue()

    def drain(timeout):
        try:
            update(progress_queue.get(timeout=timeout))
            while True:
                update(progress_queue.get_nowait())
        except queue_module.Empty:
            pass

    # An executor, not multiprocessing.Pool: a worker that dies (killed, out of memory) breaks
    # the executor and raises, where Pool would wait for its result forever.
    executor = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init, initargs=(progress_queue,))
    finished = False
    try:
        todo = iter(requests)
        pending = deque()
        # Keep a bounded number of blocks in flight so finished ones do not pile up in memory.
        for request in todo:
            pending.append(executor.submit(_worker_block, request))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            head = pending[0]
            while not head.done():
                drain(0.1)
            try:
                result = head.result()
            except BrokenProcessPool as err:
                raise FlashSimError(f"a generation worker process died ({err}); no output was written") from err
            pending.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(executor.submit(_worker_block, nxt))
            drain(0)
            yield result
        drain(0)
        finished = True
    finally:
        if not finished:
            _stop_workers(executor)
        executor.shutdown(wait=True, cancel_futures=True)


def _stop_workers(executor) -> None:
    """Terminate the worker processes of an executor (on error or Ctrl-C): their blocks are
    lost anyway, and waiting for them could take minutes."""
    for process in list(getattr(executor, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()
