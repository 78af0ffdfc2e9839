"""Running Pythia for one luminosity block: configure, seed, initialise, generate a batch.

Pythia's own batch interface (``Pythia.nextBatch``) returns the full event records of many
events as one awkward array, so no Python code touches single particles.
"""

from __future__ import annotations

from flashsim.errors import InputError
from flashsim.generate.processes import ProcessCard

__all__ = ["MAX_FAILURE_FACTOR", "configured_pythia", "pythia_version", "run_batch"]

# nextBatch retries failed events; give up (error) after this many attempts per requested event.
MAX_FAILURE_FACTOR = 10.0


def pythia_version() -> str:
    from importlib.metadata import version

    return version("pythia8mc")


def configured_pythia(card: ProcessCard, seed: int | None = None, init: bool = True):
    """A Pythia instance with every line of ``card`` read (and ``seed`` set), initialised.

    Args:
        card: the process card.
        seed: Pythia's ``Random:seed`` (1..900,000,000); None leaves the seed alone.
        init: call ``Pythia.init()`` (False only checks that every line is accepted).

    Raises:
        InputError: a line Pythia does not accept, or an initialisation that fails.
    """
    import pythia8mc

    pythia = pythia8mc.Pythia("", False)
    for line in card.lines:
        if not pythia.readString(line):
            raise InputError(
                f"Pythia card {card.source!r}: Pythia does not accept the line {line!r} (unknown setting or bad value)"
            )
    if seed is not None:
        for line in ("Random:setSeed = on", f"Random:seed = {seed}"):
            if not pythia.readString(line):
                raise InputError(f"Pythia rejected {line!r}")
    if init and not pythia.init():
        raise InputError(
            f"Pythia card {card.source!r} (process {card.process!r}): Pythia.init() failed; "
            "check the beams and that at least one process is switched on"
        )
    return pythia


def run_batch(pythia, events: int, card: ProcessCard):
    """Generate ``events`` events; returns Pythia's awkward batch (fields ``prt`` and ``info``)."""
    try:
        return pythia.nextBatch(events, MAX_FAILURE_FACTOR)
    except RuntimeError as err:  # pythia8mc: "exceeded allowed trials N"
        raise InputError(
            f"Pythia card {card.source!r} (process {card.process!r}): more than "
            f"{MAX_FAILURE_FACTOR:g} attempts per event failed ({err})"
        ) from err
