"""One training loop for every network of a bundle.

Validation split by group (event), learning-rate schedule (linear warm-up, cosine decay),
an optional exponential moving average of the weights (what generative models are usually
sampled with: smoother than the last step), early stopping on the validation loss with the
best weights restored, a checkpoint after every
epoch (atomic) and resume from it, a progress bar, and a guard that stops on a non-finite loss.
"""

import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from flashsim.errors import InputError, TrainingError

__all__ = ["TrainingConfig", "TrainingResult", "split_by_group", "train"]


@dataclass
class TrainingConfig:
    epochs: int = 30
    batch_size: int = 2048
    learning_rate: float = 2e-3
    weight_decay: float = 0.0
    warmup_fraction: float = 0.05
    validation_fraction: float = 0.2
    patience: int = 5  # epochs without improvement before stopping
    min_delta: float = 1e-4  # relative improvement that counts
    seed: int = 0
    device: str = "auto"  # "auto" (CUDA if present), "cpu" or "cuda"
    progress: bool = True
    threads: int | None = None  # torch intra-op threads (None: torch's default)
    ema: float = 0.0  # weight decay of the moving average of the parameters (0: none); validated and kept


@dataclass
class TrainingResult:
    best_validation_loss: float
    best_epoch: int
    epochs_run: int
    stopped_early: bool
    history: list = field(default_factory=list)  # [(epoch, train loss, validation loss)]


def split_by_group(groups, fraction: float, seed: int = 0):
    """Boolean mask of validation rows: whole groups (events) go to one side, never split."""
    groups = np.asarray(groups)
    unique = np.unique(groups)
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(unique)[: max(1, int(round(fraction * len(unique))))]
    return np.isin(groups, chosen)


def _device(name: str):
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _check_finite(tensors: dict, names: dict | None):
    for key, tensor in tensors.items():
        if not torch.is_floating_point(tensor):
            continue
        bad = ~torch.isfinite(tensor)
        if bad.any():
            column = int(bad.nonzero()[0][-1]) if tensor.dim() > 1 else 0
            label = names[key][column] if names and key in names else f"{key}[:, {column}]"
            raise InputError(f"non-finite value (NaN or inf) in training input {label!r} "
                             f"({int(bad.sum())} entries); fix or filter the data first")


def _save(path: Path, state: dict):
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def train(model, loss_fn, tensors: dict, config: TrainingConfig, groups=None, checkpoint=None, resume=False,
          names: dict | None = None, description: str = "train") -> TrainingResult:
    """Trains ``model`` in place on ``tensors`` and returns what happened.

    Args:
        model: a torch.nn.Module.
        loss_fn: (model, batch: dict[str, Tensor], generator) -> scalar loss.
        tensors: named tensors with the same first dimension (rows).
        groups: [rows] group ids (event numbers): the validation split keeps groups whole.
        checkpoint: file written after every epoch; with ``resume`` and an existing file,
            training continues from it (same config required).
        names: {tensor name: [column names]}, for error messages.
    """
    rows = {t.shape[0] for t in tensors.values()}
    if len(rows) != 1:
        shapes = {k: v.shape[0] for k, v in tensors.items()}
        raise InputError(f"training tensors have different numbers of rows: {shapes}")
    n = rows.pop()
    if n < 2:
        raise InputError(f"{description}: {n} training rows; an empty selection cannot be trained on")
    _check_finite(tensors, names)
    if config.threads:
        torch.set_num_threads(config.threads)
    device = _device(config.device)
    torch.manual_seed(config.seed)
    model.to(device)

    valid_mask = split_by_group(groups if groups is not None else np.arange(n), config.validation_fraction, config.seed)
    train_index = torch.from_numpy(np.nonzero(~valid_mask)[0])
    valid_index = torch.from_numpy(np.nonzero(valid_mask)[0])
    data = {k: v.to(device) for k, v in tensors.items()}

    steps_per_epoch = max(1, math.ceil(len(train_index) / config.batch_size))
    total_steps = steps_per_epoch * config.epochs
    warmup = max(1, int(config.warmup_fraction * total_steps))
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total_steps))),
    )
    generator = torch.Generator(device=device).manual_seed(config.seed)
    state = {"epoch": 0, "best_loss": math.inf, "best_epoch": 0, "best_state": None, "history": [], "bad_epochs": 0,
             "ema": _average_start(model, config)}

    checkpoint = Path(checkpoint) if checkpoint else None
    if checkpoint and resume and checkpoint.exists():
        saved = torch.load(checkpoint, map_location=device, weights_only=False)
        if saved["config"] != asdict(config):
            raise InputError(f"checkpoint {checkpoint} was written with another training config; "
                             "resume with the same config or start afresh")
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        generator.set_state(saved["generator"].cpu() if hasattr(saved["generator"], "cpu") else saved["generator"])
        state = saved["state"]

    progress = None
    if config.progress:
        from tqdm import tqdm

        progress = tqdm(total=config.epochs, initial=state["epoch"], desc=description, unit="epoch", leave=False)
    stopped_early = False
    try:
        while state["epoch"] < config.epochs:
            epoch = state["epoch"]
            model.train()
            order = train_index[torch.randperm(len(train_index), generator=torch.Generator().manual_seed(
                config.seed * 100003 + epoch))]
            total, count = 0.0, 0
            for start in range(0, len(order), config.batch_size):
                batch_index = order[start:start + config.batch_size]
                batch = {k: v[batch_index] for k, v in data.items()}
                loss = loss_fn(model, batch, generator)
                if not torch.isfinite(loss):
                    raise TrainingError(f"{description}: the loss became {loss.item()} at epoch {epoch + 1}, "
                                        f"step {start // config.batch_size + 1}; nothing is exported. "
                                        "Lower the learning rate or check the inputs.")
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                _average_update(state, model, config.ema)
                total += loss.item() * len(batch_index)
                count += len(batch_index)
            valid_loss = _validation_loss(model, loss_fn, data, valid_index, config, device, state["ema"])
            if not math.isfinite(valid_loss):
                raise TrainingError(f"{description}: the validation loss became {valid_loss} at epoch {epoch + 1}")
            state["history"].append((epoch + 1, total / count, valid_loss))
            if valid_loss < state["best_loss"] * (1 - config.min_delta) or state["best_state"] is None:
                state["best_loss"], state["best_epoch"], state["bad_epochs"] = valid_loss, epoch + 1, 0
                judged = state["ema"] if state["ema"] is not None else model.state_dict()  # the averaged weights
                state["best_state"] = {k: v.detach().clone() for k, v in judged.items()}
            else:
                state["bad_epochs"] += 1
            state["epoch"] = epoch + 1
            if checkpoint:
                _save(checkpoint, {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                   "schedule": schedule.state_dict(), "generator": generator.get_state(),
                                   "state": state, "config": asdict(config)})
            if progress is not None:
                progress.set_postfix(train=f"{total / count:.4f}", valid=f"{valid_loss:.4f}")
                progress.update(1)
            if state["bad_epochs"] >= config.patience:
                stopped_early = True
                break
    finally:
        if progress is not None:
            progress.close()
    model.load_state_dict(state["best_state"])
    model.eval()
    return TrainingResult(state["best_loss"], state["best_epoch"], state["epoch"], stopped_early, state["history"])


def _average_start(model, config):
    if not config.ema:
        return None
    if not 0.0 < config.ema < 1.0:
        raise InputError(f"ema must be in (0, 1) (or 0 for none), got {config.ema}")
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@torch.no_grad()
def _average_update(state, model, decay: float):
    average = state["ema"]
    if average is None:
        return
    state["ema_steps"] = state.get("ema_steps", 0) + 1
    decay = min(decay, (1 + state["ema_steps"]) / (10 + state["ema_steps"]))  # early steps: follow the weights
    for key, value in model.state_dict().items():
        if value.is_floating_point():
            average[key].mul_(decay).add_(value, alpha=1.0 - decay)
        else:
            average[key].copy_(value)


@torch.no_grad()
def _validation_loss(model, loss_fn, data, index, config, device, weights=None) -> float:
    """Mean loss on the validation rows, with a fixed generator so epochs compare fairly; with
    ``weights`` (the moving average), of those weights, the model's own restored afterwards."""
    if weights is not None:
        own = {k: v.detach().clone() for k, v in model.state_dict().items()}
        model.load_state_dict(weights)
        try:
            return _validation_loss(model, loss_fn, data, index, config, device)
        finally:
            model.load_state_dict(own)
    model.eval()
    generator = torch.Generator(device=device).manual_seed(config.seed + 7919)
    total, count = 0.0, 0
    for start in range(0, len(index), config.batch_size):
        batch_index = index[start:start + config.batch_size]
        loss = loss_fn(model, {k: v[batch_index] for k, v in data.items()}, generator)
        total += loss.item() * len(batch_index)
        count += len(batch_index)
    return total / max(1, count)
