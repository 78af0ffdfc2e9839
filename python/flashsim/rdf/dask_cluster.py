"""The Dask client of ``flashsim simulate --dask ADDRESS`` / ``--dask-local N``.

Workers must run the same Python environment as the client (flashsim, ROOT, onnxruntime,
dask at the same versions): DistRDF sends its graph as pickles that import flashsim and ROOT
on the worker. What flashsim ships itself (plugin, bundle) is in :mod:`flashsim.rdf.distributed`.
"""

import contextlib

__all__ = ["dask_client"]

# Local workers would print ROOT's alpha-stage announcement at their first import of ROOT. Python
# reads PYTHONWARNINGS at start-up: it goes in the environment the nanny spawns workers with.
_PRE_SPAWN_ENV = {"PYTHONWARNINGS": "ignore::UserWarning:ROOT"}


def _import_distributed():
    try:
        import distributed
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError("running on Dask needs dask.distributed: "
                                  "pip install 'flashsim-rdf[distributed]' (dask, distributed)") from err
    return distributed


@contextlib.contextmanager
def dask_client(address: str | None = None, local_workers: int | None = None, env: dict | None = None):
    """A ``dask.distributed.Client``, closed at the end (with its cluster, if it made one).

    Args:
        address: a running scheduler, e.g. ``tcp://host:8786``.
        local_workers: else a ``LocalCluster`` of this many worker processes, one thread each,
            on the loopback interface, without dashboard.
        env: environment variables of the local workers (e.g. ``FLASHSIM_ONNXRUNTIME_LIBRARY``).
    """
    from flashsim.errors import InputError

    if (address is None) == (local_workers is None):
        raise InputError("give either a Dask scheduler address or a number of local workers")
    distributed = _import_distributed()
    if address is not None:
        with distributed.Client(address) as client:
            yield client
        return
    if isinstance(local_workers, bool) or not isinstance(local_workers, int) or local_workers < 1:
        raise InputError(f"the number of local Dask workers must be an integer >= 1, got {local_workers!r}")
    import dask

    pre_spawn = {**dask.config.get("distributed.nanny.pre-spawn-environ"), **_PRE_SPAWN_ENV}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": pre_spawn}):
        # without dashboard the scheduler still serves HTTP (health checks), by default on port 8787: a
        # random loopback port instead, so that two clusters do not collide (a warning, then another port)
        cluster = distributed.LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None, env=env or {},
                                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    with cluster, distributed.Client(cluster) as client:
        yield client
