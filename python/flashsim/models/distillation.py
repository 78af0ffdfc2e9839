"""Few-step samplers distilled from a trained velocity field.

A flow-matching field is integrated with 20-100 network evaluations per object; these students
give nearly the teacher's samples in 1-4. Both have the teacher's shape and inputs (x, t, cond),
start from its weights, and are integrated with Euler at ``steps`` fixed steps (the C++ ODE method
``distilled``):

- ``trajectory``: the teacher's ODE is solved accurately from each noise x0 and its states kept at
  the student's grid t_i = i / k; the student learns the secant of each interval,
  v_s(x(t_i), t_i) = k (x(t_{i+1}) - x(t_i)), so that its k Euler steps follow the teacher's
  solution from grid point to grid point (the k-step direct distillation of Luhman & Luhman 2021,
  one interval at a time). A student is made for one k.
- ``reflow``: Liu et al., "Flow straight and fast" (2023): the teacher's (noise, sample) pairs are
  joined by straight lines and the student is a flow-matching field on them; its paths are
  straighter, so Euler with few steps lands near the teacher's sample (any k).

Given the same noise, the student's sample is close to the teacher's: the per-object distance to
the teacher is reported beside the usual quality figures.
"""

import copy
from dataclasses import asdict, dataclass, field

import numpy as np

from flashsim.errors import InputError

__all__ = ["DISTILLATION_METHODS", "DistillationConfig", "check_distillation", "distil", "teacher_states"]

DISTILLATION_METHODS = ("trajectory", "reflow")


@dataclass
class DistillationConfig:
    """How a few-step student is made (``flashsim train``: the config's ``distillation``).

    method: ``trajectory`` or ``reflow`` (see the module).
    steps: the student's Euler steps (its network evaluations per object).
    teacher: the ODE that solves the teacher's flow for the targets (``flashsim.ode`` options);
        fixed-step methods take ``steps`` for the whole interval, a multiple of the student's. The
        default is the yardstick itself, per-row dopri5 at 1e-5: a fixed-step teacher that evaluates
        the field at t = 1 (rk4) misses it by 0.009 on the thin directions of Rho, 5x their spread.
    pairs: at most this many (noise, conditioning) rows; at least ``min_pairs`` (rows repeated with
        fresh noise), so that small sources see enough noise draws.
    """

    method: str = "trajectory"
    steps: int = 4
    teacher: dict = field(default_factory=lambda: {"method": "dopri5", "rtol": 1e-5, "atol": 1e-5})
    pairs: int = 400_000
    min_pairs: int = 100_000
    epochs: int = 20
    batch_size: int = 2048
    learning_rate: float = 5e-4
    patience: int = 3
    ema: float = 0.999

    def to_json(self):
        return asdict(self)


def check_distillation(values, where: str) -> DistillationConfig | None:
    """A DistillationConfig from the training config's ``distillation`` (a dict, or None: none made);
    InputError naming ``where`` and the bad value."""
    if values is None:
        return None
    if isinstance(values, DistillationConfig):
        values = values.to_json()
    if not isinstance(values, dict):
        raise InputError(f"{where}: expected {{\"method\": ..., \"steps\": ...}} or null, got {values!r}")
    known = set(DistillationConfig.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}; expected some of {sorted(known)}")
    config = DistillationConfig(**values)
    if config.method not in DISTILLATION_METHODS:
        raise InputError(f"{where}: method {config.method!r}; expected one of {', '.join(DISTILLATION_METHODS)}")
    for key in ("steps", "pairs", "min_pairs", "epochs", "batch_size", "patience"):
        value = getattr(config, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{where}: {key} {value!r}: expected an integer >= 1")
    if config.steps > 64:
        raise InputError(f"{where}: steps {config.steps}: a few-step student takes at most 64 steps")
    from flashsim.ode import check_ode_options

    try:
        teacher = check_ode_options(dict(config.teacher))
    except InputError as err:
        raise InputError(f"{where}: teacher: {err}") from None
    if teacher.get("method", "midpoint") != "dopri5" and teacher.get("steps", 20) % config.steps:
        raise InputError(f"{where}: teacher steps {teacher.get('steps', 20)} must be a multiple of the student's "
                         f"{config.steps} (its states are kept at the student's grid)")
    if not (config.learning_rate > 0 and 0 <= config.ema < 1):
        raise InputError(f"{where}: learning_rate must be > 0 and ema in [0, 1)")
    return config


def teacher_states(teacher, noise, cond, steps: int, ode: dict, batch: int = 20_000):
    """The teacher's ODE solution from ``noise`` [n, d] given ``cond`` [n, c] at t = i / steps,
    i = 0..steps: a float32 array [n, steps + 1, d]."""
    import torch

    from flashsim.ode import integrate

    ode = dict(ode)
    method = ode.pop("method", "midpoint")
    per_interval = {} if method == "dopri5" else {"steps": max(1, ode.pop("steps", 20) // steps)}
    out = np.empty((len(noise), steps + 1, noise.shape[1]), dtype=np.float32)
    out[:, 0] = noise
    with torch.no_grad():
        for start in range(0, len(noise), batch):
            x = torch.from_numpy(np.ascontiguousarray(noise[start:start + batch]))
            c = torch.from_numpy(np.ascontiguousarray(cond[start:start + batch]))

            def velocity(t, xx, rows, c=c):
                return teacher(xx, t[:, None].to(xx.dtype), c if rows is None else c[rows])

            for i in range(steps):
                x = integrate(velocity, x, i / steps, (i + 1) / steps, method=method, **per_interval, **ode).x
                out[start:start + batch, i + 1] = x.numpy()
    return out


def _trajectory_loss(student, batch, generator):
    import torch

    states, cond = batch["states"], batch["cond"]
    k = states.shape[1] - 1
    i = torch.randint(0, k, (states.shape[0],), generator=generator, device=states.device)
    rows = torch.arange(states.shape[0], device=states.device)
    x, after = states[rows, i], states[rows, i + 1]
    t = (i.to(states.dtype) / k)[:, None]
    return ((student(x, t, cond) - k * (after - x)) ** 2).mean()


def _reflow_loss(student, batch, generator):
    from flashsim.models.flow_matching import flow_matching_loss

    states = batch["states"]
    return flow_matching_loss(student, states[:, -1], batch["cond"], generator, x0=states[:, 0])


def distil(teacher, cond, config: DistillationConfig, seed: int, groups=None, threads=None, progress=False,
           description="distillation"):
    """(student, report): a few-step student of ``teacher`` (a VelocityField) on the conditioning
    rows ``cond`` [n, c] (float32, transformed as the teacher's training rows; ``groups`` their
    events, for the validation split).

    The noise is drawn from ``seed``; the rows are repeated up to ``config.min_pairs`` and
    subsampled down to ``config.pairs``."""
    import time

    import torch

    from flashsim.models.training import TrainingConfig, train

    rng = np.random.default_rng(seed)
    n = len(cond)
    if n < 2:
        raise InputError(f"{description}: {n} conditioning rows; a student needs at least 2")
    rows = np.arange(n)
    if n < config.min_pairs:
        rows = np.tile(rows, -(-config.min_pairs // n))
    if len(rows) > config.pairs:
        rows = np.sort(rng.choice(rows, config.pairs, replace=False))
    groups = rows if groups is None else np.asarray(groups)[rows]
    teacher = copy.deepcopy(teacher).float().eval()
    noise = rng.standard_normal((len(rows), teacher.n_targets)).astype(np.float32)
    start = time.perf_counter()
    if threads:
        torch.set_num_threads(threads)
    states = teacher_states(teacher, noise, cond[rows], config.steps, config.teacher)
    teacher_seconds = time.perf_counter() - start
    student = copy.deepcopy(teacher).train()
    loss = _trajectory_loss if config.method == "trajectory" else _reflow_loss
    training = TrainingConfig(epochs=config.epochs, batch_size=config.batch_size, learning_rate=config.learning_rate,
                              patience=config.patience, seed=seed, device="cpu", progress=progress, threads=threads,
                              ema=config.ema)
    result = train(student, loss, {"states": torch.from_numpy(states), "cond": torch.from_numpy(cond[rows])},
                   training, groups=groups, description=description)
    report = {"method": config.method, "steps": config.steps, "teacher": dict(config.teacher), "pairs": int(len(rows)),
              "max_epochs": config.epochs,
              "teacher_seconds": round(teacher_seconds, 1),
              "seconds": round(time.perf_counter() - start - teacher_seconds, 1),
              "validation_loss": result.best_validation_loss, "epochs": result.epochs_run}
    return student, report
