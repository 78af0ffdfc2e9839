"""The training configuration (``flashsim train --config cfg.json``): sizes, epochs, rows."""

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["NetworkConfig", "TrainConfig", "load_config"]


@dataclass
class NetworkConfig:
    hidden: int = 128
    depth: int = 3  # hidden layers (efficiency) or residual blocks (velocity field)
    epochs: int = 30
    batch_size: int = 2048
    learning_rate: float = 2e-3
    patience: int = 5
    min_steps: int = 0  # small sources: more epochs, so that every network gets this many optimiser steps
    max_epochs: int = 0  # but at most this many epochs (0: no limit): tiny sources would only memorise
    ema: float = 0.0  # moving average of the weights (e.g. 0.999; 0: none), see models/training.py
    # velocity field only: rows whose gen pt is rare are repeated up to this many times, so that
    # log(gen pt) is flatter (1: off); the conditional distribution learnt stays the same
    balance: float = 1.0
    # velocity field only: loss weight of some targets by branch (the others 1), e.g. {"pt": 4}
    target_weights: dict = field(default_factory=dict)


@dataclass
class TrainConfig:
    """Everything ``flashsim train`` needs beside the input files.

    collections: catalogue collections to train (all by default).
    max_rows: at most this many rows per network (a random subset, by event).
    max_label_classes: the label head draws one of at most this many joint configurations.
    max_events: read at most this many events per run of the extraction.
    leave_out_sparse: leave out (one line in the log, recorded in the provenance's ``left_out``) the
        sources with fewer than ``min_rows`` reconstructed objects (default); False: stop instead.
        Sources whose branches the files lack, or with no object at all, are always left out so;
        training stops only when nothing is left.
    transforms: {"<Collection>_<branch>": steps}: overrides the catalogue's rule (catalogue.rules)
        for that branch; the steps are those of bundle.json, unfitted.
    """

    collections: list | None = None
    efficiency: NetworkConfig = field(default_factory=lambda: NetworkConfig(hidden=64, depth=3, epochs=20))
    velocity_field: NetworkConfig = field(default_factory=NetworkConfig)
    labels: NetworkConfig = field(default_factory=lambda: NetworkConfig(hidden=128, depth=3, epochs=20))
    max_label_classes: int = 128  # joint configurations of a source's discrete branches (models/labels.py)
    max_rows: int = 300000
    min_rows: int = 2  # a network needs at least this many rows
    leave_out_sparse: bool = True  # a source below min_rows is left out (recorded), not an error
    max_events: int | None = None
    seed: int = 1
    threads: int | None = None
    jobs: int = 1  # sources trained in parallel worker processes (threads are shared out among them)
    device: str = "auto"
    progress: bool = True
    ode: dict = field(default_factory=lambda: {"method": "midpoint", "steps": 20, "rtol": 1e-5, "atol": 1e-5})
    # a few-step student of every velocity field (flashsim.models.distillation.DistillationConfig's keys,
    # e.g. {"method": "trajectory", "steps": 4}), run by the ODE method "distilled"; None: none
    distillation: dict | None = None
    name: str = "flashsim bundle"
    # per-source changes of the networks, e.g. {"Jet_GenJet": {"velocity_field": {"hidden": 192}}}
    sources: dict = field(default_factory=dict)
    # per-branch transforms where the catalogue's rule is wrong for one's files, for every source of
    # the collection: {"Muon_ptErr": [{"op": "log", "offset": 0.01}, {"op": "standardize"}]}
    transforms: dict = field(default_factory=dict)

    def to_json(self):
        return asdict(self)

    def network(self, kind: str, source: str) -> NetworkConfig:
        """The NetworkConfig of network ``kind`` (efficiency, velocity_field, labels) of ``source``."""
        base = getattr(self, kind)
        changes = self.sources.get(source, {}).get(kind, {})
        return replace(base, **changes) if changes else base


_NETWORKS = ("efficiency", "velocity_field", "labels")


def _network(values, where):
    names = {f.name for f in fields(NetworkConfig)}
    unknown = set(values) - names
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}; expected some of {sorted(names)}")
    network = NetworkConfig(**values)
    if not (isinstance(network.balance, int | float) and network.balance >= 1):
        raise InputError(f"{where}: balance {network.balance!r}: expected a number >= 1 (1: off)")
    if not isinstance(network.target_weights, dict) or not all(
            isinstance(w, int | float) and w > 0 for w in network.target_weights.values()):
        raise InputError(f"{where}: target_weights {network.target_weights!r}: expected {{branch: weight > 0}}")
    return network


SMOKE_ROWS = 4000  # rows per network in a smoke training
SMOKE_NETWORK = NetworkConfig(hidden=16, depth=1, epochs=1, batch_size=512, patience=1, min_steps=0, max_epochs=1)
SMOKE_DISTILLATION = {"pairs": SMOKE_ROWS, "min_pairs": 1, "epochs": 1, "batch_size": 512, "patience": 1}


def smoke_config(config: TrainConfig) -> TrainConfig:
    """``flashsim train --smoke``: the same sources, collections, seed and solver, with tiny networks
    trained for at most ceil(0.8 x SMOKE_ROWS / 512) = 7 optimiser steps each, so that a whole bundle
    trains in a minute or two on 2 cores (tests, a first try on one's own file). The networks are
    not meant to be good; everything else (extraction, transforms, export, parity checks) is the
    real thing."""
    import dataclasses

    distillation = config.distillation and {**config.distillation, **SMOKE_DISTILLATION}
    return dataclasses.replace(config, efficiency=SMOKE_NETWORK, velocity_field=SMOKE_NETWORK, labels=SMOKE_NETWORK,
                               sources={}, max_rows=min(config.max_rows, SMOKE_ROWS), distillation=distillation,
                               name=f"{config.name} (smoke)")


def load_config(source=None) -> TrainConfig:
    """A TrainConfig from a JSON file path, a dict, or None (defaults)."""
    if source is None:
        return TrainConfig()
    if isinstance(source, dict):
        values, where = dict(source), "training config"
    else:
        path = Path(source)
        try:
            values, where = json.loads(path.read_text()), str(path)
        except (OSError, json.JSONDecodeError) as err:
            raise InputError(f"cannot read the training config {path}: {err}") from None
    names = {f.name for f in fields(TrainConfig)}
    unknown = set(values) - names
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}; expected some of {sorted(names)}")
    for key in _NETWORKS:
        if key in values:
            values[key] = _network(values[key], f"{where}: {key}")
    for source, changes in values.get("sources", {}).items():
        if not isinstance(changes, dict) or set(changes) - set(_NETWORKS):
            raise InputError(f"{where}: sources.{source}: expected some of {list(_NETWORKS)} with network settings")
        for key, network in changes.items():
            _network(network, f"{where}: sources.{source}.{key}")
    _check_transforms(values.get("transforms", {}), where)
    from flashsim.models.distillation import check_distillation

    check_distillation(values.get("distillation"), f"{where}: distillation")
    if values.get("ode", {}).get("method") == "distilled" and values.get("distillation") is None:
        raise InputError(f"{where}: ode method 'distilled' needs a 'distillation' entry (the few-step networks it "
                         "runs)")
    return TrainConfig(**values)


def _check_transforms(transforms, where):
    from flashsim.transforms import Transform

    if not isinstance(transforms, dict):
        raise InputError(f"{where}: transforms: expected {{\"<Collection>_<branch>\": [steps]}}")
    from flashsim.catalogue import COLLECTIONS

    for branch, steps in transforms.items():
        if branch.split("_", 1)[0] not in COLLECTIONS:
            raise InputError(f"{where}: transforms.{branch}: not a branch of a catalogue collection {COLLECTIONS}")
        if "_" not in branch or not isinstance(steps, list) or not all(isinstance(x, dict) for x in steps):
            raise InputError(f"{where}: transforms.{branch}: expected \"<Collection>_<branch>\": "
                             f"[{{\"op\": ...}}, ...]")
        Transform(steps, name=f"{where}: transforms.{branch}")  # unknown ops, misplaced spikes, ...
