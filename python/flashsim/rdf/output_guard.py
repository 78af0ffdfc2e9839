"""What can go wrong writing flashsim simulate's output, caught before or as it happens: too
little room (checked before the event loop, watched during it by OutputRoom.hxx), ROOT's write
errors (logged, not raised, by ROOT: WriteErrors.hxx) and the simulation's errors inside the loop.
"""

import contextlib
import shutil
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["check_room", "flashsim_errors", "watch_room", "write_errors_raised"]

# Measured: the output of the default bundle is 1.0-1.5 times the gen input per copy; the
# temporary Snapshot files and the final file coexist at the end.
_ROOM_FACTOR = 4.0
_ROOM_MARGIN = 20e6
# during the loop (OutputRoom.hxx): output bytes per input byte and copy (generous: 2.0 measured
# for the default bundle on ttbar), the reserve kept free, and entries between two checks of a slot
_LOOP_OUTPUT_FACTOR = 3.0
_LOOP_RESERVE = 8e6
_LOOP_CHECK_EVERY = 100


def check_room(output: Path, inputs, oversample: int) -> None:
    """An InputError before the event loop when the output's folder has clearly too little free
    space, or the process's file-size limit (RLIMIT_FSIZE) is clearly too small, for this job. ROOT
    does not stop on a failed write (it logs, then writes a broken file or crashes at the end), so
    what can be foreseen is refused here; the estimate is generous, not exact."""
    import resource

    need = _ROOM_FACTOR * oversample * sum(p.stat().st_size for p in inputs) + _ROOM_MARGIN
    free = shutil.disk_usage(output.parent).free
    if free < need:
        raise InputError(f"{output.parent}: {free / 1e6:.0f} MB free, this job needs about {need / 1e6:.0f} MB "
                         f"({oversample} cop{'y' if oversample == 1 else 'ies'} of {len(inputs)} input file(s)); "
                         "free some space or write elsewhere")
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and soft < need / 2:
        raise InputError(f"the file-size limit (ulimit -f) is {soft / 1e6:.1f} MB, the output of this job is about "
                         f"{need / 2e6:.0f} MB; raise the limit")


def watch_room(ROOT, count, output: Path, parts, inputs, oversample: int) -> None:
    """Stop the event loop that fills ``count`` before the output's disk, or the file-size limit,
    runs out (OutputRoom.hxx); :func:`write_errors_raised` then reports it as one line."""
    import uproot

    entries = 0
    for path in inputs:
        with uproot.open(path) as f:
            entries += f["Events"].num_entries
    input_bytes = sum(p.stat().st_size for p in inputs)
    per_event = _LOOP_OUTPUT_FACTOR * oversample * input_bytes / max(entries, 1)
    room = ROOT.flashsim.Internal.OutputRoom
    room.Watch(str(output.parent), [str(p) for p in parts], per_event, _LOOP_RESERVE, _LOOP_CHECK_EVERY)
    count.OnPartialResult(_LOOP_CHECK_EVERY, room.Check)


@contextlib.contextmanager
def write_errors_raised(ROOT):
    """ROOT's write errors (a full disk, a file-size limit: logged by ROOT, not raised; recorded by
    WriteErrors.hxx) and an OSError of the uproot writing pass, as one InputError."""
    internal = ROOT.flashsim.Internal
    guard = internal.WriteErrorGuard()

    def cannot_write(detail):
        return InputError(f"flashsim: cannot write the output (disk full or file-size limit?): {detail}")

    try:
        yield
    except OSError as err:
        raise cannot_write(err) from None
    except Exception:
        stopped = str(internal.OutputRoom.Message())
        if stopped:
            raise InputError(stopped) from None
        message = str(internal.WriteErrorMessage())
        if message:
            raise cannot_write(message) from None
        raise
    else:
        message = str(internal.WriteErrorMessage())
        if message:
            raise cannot_write(message)
    finally:
        del guard


@contextlib.contextmanager
def flashsim_errors():
    """An error that the simulation raised inside the event loop (a bad gen value, a non-finite
    simulated value) as the flashsim error it is; the output is removed by AtomicOutput."""
    from flashsim.rdf.simulate import translated_error

    try:
        yield
    except Exception as err:
        translated = translated_error(err)
        if translated is None:
            raise
        raise translated from None
