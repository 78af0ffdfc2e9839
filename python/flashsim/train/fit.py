"""Fit one source: transforms on its tables, then the efficiency network and the velocity field."""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from flashsim.errors import InputError

__all__ = ["FittedSource", "SparseSourceError", "fit_source"]


class SparseSourceError(InputError):
    """A source with too few reconstructed objects to train on."""


@dataclass
class FittedSource:
    spec: object  # the catalogue's SourceSpec
    manifest: dict  # the bundle's source dict, transforms fitted (networks added at export)
    efficiency: object | None  # EfficiencyNetwork
    velocity_field: object  # VelocityField
    report: dict = field(default_factory=dict)
    labels: object | None = None  # LabelNetwork (None: no label branches, or a single configuration)
    distilled: object | None = None  # the velocity field's few-step student (None: no distillation)


def _subset(table, max_rows, rng):
    """At most ``max_rows`` rows, whole events."""
    if len(table) <= max_rows:
        return np.arange(len(table))
    events = np.unique(table.event)
    keep_fraction = max_rows / len(table)
    chosen = rng.permutation(events)[: max(1, int(len(events) * keep_fraction))]
    return np.nonzero(np.isin(table.event, chosen))[0]


def balanced(rows, gen_pt, max_factor, bins=30):
    """``rows`` with each repeated round(median density / density) times, at most ``max_factor``
    (density: of log gen pt in ``bins`` bins): a flow sees the rare high-pt conditioning more
    often; what it learns, the distribution given the conditioning, stays the same."""
    if max_factor <= 1 or len(rows) == 0:
        return rows
    log_pt = np.log(np.maximum(np.asarray(gen_pt, dtype=np.float64)[rows], 1e-3))
    counts, edges = np.histogram(log_pt, bins=bins)
    density = counts[np.clip(np.searchsorted(edges, log_pt, side="right") - 1, 0, bins - 1)]
    factor = np.clip(np.round(np.median(density) / density), 1, max_factor).astype(np.int64)
    return np.repeat(rows, factor)


def loss_weights(flow_targets, target_weights, where):
    """The velocity field's per-variable loss weights (mean 1), or None when all are equal."""
    branches = [t.branch for t in flow_targets]
    unknown = set(target_weights) - set(branches)
    if unknown:
        raise InputError(f"{where}: target_weights names {sorted(unknown)}, which are not flow targets of the "
                         f"source; expected some of {branches}")
    w = np.array([float(target_weights.get(b, 1.0)) for b in branches])
    return None if np.all(w == w[0]) else w / w.mean()


def check_flow_options(spec, config, targets=True):
    """The velocity field's ``target_weights`` and ``balance`` of ``spec`` make sense for it:
    -> (loss weights or None, the gen pt column to balance or None). ``targets`` False: before the
    extraction, when the targets (the files' branches) are not known yet: the balance only."""
    net = config.network("velocity_field", spec.key)
    where = f"training config, {spec.key} velocity_field"
    weights = loss_weights(spec.flow_targets, net.target_weights, where) if targets else None
    if net.balance <= 1:
        return weights, None
    column = f"{spec.gen_collection}_pt" if spec.gen_collection else None
    if column not in spec.columns():
        raise InputError(f"{where}: balance {net.balance} needs the gen pt among the source's columns; the source "
                         f"reads {spec.columns()}")
    return weights, column


def _steps_for(steps, values):
    """The catalogue's steps, or a clip to the value when the training data hold a single value
    (e.g. the muon energy fraction of pileup jets): the simulation then returns exactly it."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) and np.all(values == values[0]):
        v = float(values[0])
        return [{"op": "clip", "lo": v, "hi": v}, {"op": "standardize"}]
    return steps


def _within_training_range(steps):
    """A target's steps with a range clip before the final standardisation: the network's rare
    far-out values (heavy-tailed targets: asinh, log) map back inside what training saw."""
    if not steps or steps[-1]["op"] != "standardize" or any(s["op"] == "clip" for s in steps):
        return steps
    return [*steps[:-1], {"op": "clip", "fit": "range"}, steps[-1]]


def _conditioning_transforms(spec, fit_table):
    from flashsim.transforms import Transform

    out = []
    for c in spec.conditioning:
        values = fit_table.columns[c.column]
        name = f"{spec.key} conditioning {c.name} ({c.column})"
        out.append(Transform(_steps_for(c.steps, values), name).fit(values))
    return out


def _matrix(transforms, columns, inputs, rng=None, gen=None):
    rows = []
    for t, name in zip(transforms, inputs, strict=True):
        # the C++ layer reads gen columns as float32: the same here, so training sees what it will get
        x = np.asarray(columns[name], dtype=np.float32).astype(np.float64)
        rows.append(t.forward(x, gen, rng))
    return np.stack(rows, axis=1).astype(np.float32)


def fit_source(spec, tables, config, seed: int) -> FittedSource:
    """Fits the transforms and trains the networks of ``spec`` on ``tables`` (extract.SourceTables)."""
    import torch

    from flashsim.models.efficiency import EfficiencyNetwork
    from flashsim.models.flow_matching import flow_matching_loss
    from flashsim.models.training import TrainingConfig, train
    from flashsim.models.velocity_field import VelocityField
    from flashsim.transforms import Transform

    rng = np.random.default_rng(seed)
    props = tables.properties
    if len(props) < max(2, config.min_rows):
        raise SparseSourceError(f"{spec.key}: {len(props)} reconstructed objects to learn from (at least "
                                f"{max(2, config.min_rows)} needed); the selection is (nearly) empty")
    fit_table = tables.efficiency if tables.efficiency is not None else props
    cond_t = _conditioning_transforms(spec, fit_table)
    inputs = [c.column for c in spec.conditioning]
    flow_targets = spec.flow_targets
    gen_refs = {name: np.asarray(props.columns[name], dtype=np.float32).astype(np.float64)
                for t in flow_targets for name in Transform(t.steps).gen_inputs}
    target_t = []
    for t in flow_targets:
        steps = _within_training_range(_steps_for(t.steps, props.targets[t.branch]))
        transform = Transform(steps, f"{spec.key} target {spec.collection}_{t.branch}")
        target_t.append(transform.fit(props.targets[t.branch], gen_refs))
    report = {}
    manifest = spec.manifest()
    for entry, t in zip(manifest["conditioning"], cond_t, strict=True):
        entry["transform"] = t.to_json()
    for entry, t in zip(manifest["targets"], target_t, strict=True):
        entry["transform"] = t.to_json()

    def training_config(net, rows):
        steps_per_epoch = max(1, math.ceil(rows * 0.8 / net.batch_size))  # 0.8: the validation split
        epochs = max(net.epochs, math.ceil(net.min_steps / steps_per_epoch))
        if net.max_epochs:
            epochs = max(net.epochs, min(epochs, net.max_epochs))
        return TrainingConfig(epochs=epochs, batch_size=net.batch_size, learning_rate=net.learning_rate,
                              patience=max(net.patience, epochs // 4), seed=seed, device=config.device,
                              progress=config.progress, threads=config.threads, ema=net.ema)

    cond_names = {"cond": [f"{c.name} ({c.column})" for c in spec.conditioning]}
    efficiency = None
    if tables.efficiency is not None:
        e = tables.efficiency
        rows = _subset(e, config.max_rows, rng)
        cond = _matrix(cond_t, {k: v[rows] for k, v in e.columns.items()}, inputs)
        label = torch.from_numpy(e.label[rows].astype(np.float32))
        net = config.network("efficiency", spec.key)
        torch.manual_seed(seed)  # initial weights from the source's seed, not from what ran before
        efficiency = EfficiencyNetwork(len(inputs), hidden=net.hidden, layers=net.depth)
        start = time.perf_counter()
        result = train(efficiency, lambda m, b, g: m.loss(b["cond"], b["label"]),
                       {"cond": torch.from_numpy(cond), "label": label}, training_config(net, len(rows)),
                       groups=e.event[rows], names=cond_names, description=f"{spec.key} efficiency")
        report["efficiency"] = {"rows": int(len(rows)), "seconds": round(time.perf_counter() - start, 1),
                                "validation_loss": result.best_validation_loss, "epochs": result.epochs_run,
                                "efficiency": float(e.label[rows].mean())}
    net = config.network("velocity_field", spec.key)
    weights, balance_column = check_flow_options(spec, config)
    rows = _subset(props, config.max_rows, rng)
    if balance_column:
        rows = balanced(rows, props.columns[balance_column], net.balance)
    columns = {k: v[rows] for k, v in props.columns.items()}
    cond = _matrix(cond_t, columns, inputs)
    gen_rows = {k: v[rows] for k, v in gen_refs.items()}
    x = np.stack([t.forward(props.targets[s.branch][rows], gen_rows, rng)
                  for t, s in zip(target_t, flow_targets, strict=True)], axis=1).astype(np.float32)
    torch.manual_seed(seed + 1)
    field_ = VelocityField(len(flow_targets), len(inputs), hidden=net.hidden, blocks=net.depth)
    start = time.perf_counter()
    weights = None if weights is None else torch.tensor(weights, dtype=torch.float32)
    result = train(field_, lambda m, b, g: flow_matching_loss(m, b["x"], b["cond"], g, weights),
                   {"x": torch.from_numpy(x), "cond": torch.from_numpy(cond)}, training_config(net, len(rows)),
                   groups=props.event[rows], description=f"{spec.key} velocity field",
                   names={**cond_names, "x": [f"{spec.collection}_{t.branch}" for t in flow_targets]})
    report["velocity_field"] = {"rows": int(len(rows)), "seconds": round(time.perf_counter() - start, 1),
                                "validation_loss": result.best_validation_loss, "epochs": result.epochs_run}
    labels = None
    if spec.label_targets:
        labels = _fit_labels(spec, props, rows, x, cond, config, training_config, manifest, report, seed + 2)
    distilled = None
    if config.distillation:
        from flashsim.models.distillation import check_distillation, distil

        settings = check_distillation(config.distillation, "training config: distillation")
        distilled, report["distilled"] = distil(field_, cond, settings, seed + 3, groups=props.event[rows],
                                                threads=config.threads, progress=config.progress,
                                                description=f"{spec.key} distillation")
    return FittedSource(spec, manifest, efficiency, field_, report, labels, distilled)


def _fit_labels(spec, props, rows, x, cond, config, training_config, manifest, report, seed):
    """The label head on the rows of the flow: the configurations of the discrete branches, and a
    classifier on (x, cond) when there are several. Fills manifest["labels"]["values"]."""
    import torch

    from flashsim.models.labels import LabelNetwork, configurations
    from flashsim.models.training import train

    values = np.stack([props.targets[t.branch][rows] for t in spec.label_targets], axis=1)
    table, classes, moved = configurations(values, config.max_label_classes)
    manifest["labels"]["values"] = table.tolist()
    report["labels"] = {"rows": int(len(rows)), "classes": int(len(table)), "moved": moved}
    if len(table) == 1:
        return None
    net = config.network("labels", spec.key)
    torch.manual_seed(seed)
    network = LabelNetwork(x.shape[1], cond.shape[1], len(table), hidden=net.hidden, layers=net.depth)
    start = time.perf_counter()
    result = train(network, lambda m, b, g: m.loss(b["x"], b["cond"], b["label"]),
                   {"x": torch.from_numpy(x), "cond": torch.from_numpy(cond), "label": torch.from_numpy(classes)},
                   training_config(net, len(rows)), groups=props.event[rows], description=f"{spec.key} labels")
    report["labels"].update(seconds=round(time.perf_counter() - start, 1),
                            validation_loss=result.best_validation_loss, epochs=result.epochs_run)
    return network
