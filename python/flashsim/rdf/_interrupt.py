"""Ctrl-C and SIGTERM during an RDataFrame event loop.

Python runs its signal handlers only between bytecodes, so a signal that arrives while the C++
event loop runs would wait for the whole loop. While :func:`interruptible` is active, a C
handler records the signal and a partial-result callback (every ``every`` entries, in whatever
thread runs them) throws, which makes RDataFrame stop the loop; the context manager then raises
KeyboardInterrupt, and the caller's cleanup (removing a temporary file) runs at once.
"""

import contextlib
import signal
import threading

__all__ = ["interruptible"]

_DECLARATION = '#include "flashsim/rdf/Interrupt.hxx"'  # cpp/include/flashsim/rdf/Interrupt.hxx
_declared = False
_lock = threading.Lock()


def _declare(ROOT) -> None:
    global _declared
    with _lock:
        if not _declared:
            if not ROOT.gInterpreter.Declare(_DECLARATION):
                raise RuntimeError("cling could not compile flashsim's interrupt handler")
            _declared = True


@contextlib.contextmanager
def interruptible(ROOT, count, every: int = 1000):
    """Within the block, SIGINT/SIGTERM stop the event loop that fills ``count`` (a lazy
    ``Count()`` result of the graph) and raise KeyboardInterrupt.

    Only on the main thread (signals cannot be set elsewhere); elsewhere a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _declare(ROOT)
    interrupt = ROOT.flashsim.Internal.Interrupt
    count.OnPartialResult(every, interrupt.Check)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    interrupt.Install()
    try:
        yield
    except Exception:
        if interrupt.Received():
            raise KeyboardInterrupt from None
        raise
    finally:
        received = interrupt.Received()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:  # arrived after the last check: the loop finished, the caller still stops
        raise KeyboardInterrupt
