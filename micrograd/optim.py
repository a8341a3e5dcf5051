"""Optimizers and learning-rate schedules.

An optimizer's arithmetic lives in `update(data, grad)`, on flat float64 NumPy arrays, so the reference
engine (`step()` gathers the `Value`s into arrays, updates, and writes back) and the compiled engine (whose
parameters already are an array) run exactly the same float operations. NumPy float64 arithmetic is IEEE
double arithmetic, so plain SGD here is bit-identical to micrograd's `p.data -= learning_rate * p.grad`.

Schedules are callables `schedule(step) -> lr` with a JSON form: `schedule.to_config()` and
`schedule_from_config(config)`; optimizers likewise (`to_config()`, `optimizer_from_config(config)`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from micrograd.engine import Value

# ---- learning-rate schedules ----------------------------------------------------------------------


class Schedule:
    """lr as a function of the step number (0 for the first step)."""

    kind = ""
    fields: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()  # fields with a default

    def __call__(self, step: int) -> float:
        """The rate at `step`: always a finite number, else a ValueError in one sentence (every field is finite,
        but step_decay(1, 1e300, 1) reaches 1e600 at step 2, and linear(1e308, -1e308, n) overflows on its way)."""
        try:
            lr = float(self._at(step))
        except OverflowError:
            lr = math.inf
        if not math.isfinite(lr):
            raise ValueError(
                f"the learning rate is past what a float holds at step {step} ({self!r}); choose a smaller "
                f"start or factor"
            )
        return lr

    def _at(self, step: int) -> float:
        raise NotImplementedError

    def to_config(self) -> dict:
        return {"schedule": self.kind, **{name: getattr(self, name) for name in self.fields}}

    def __eq__(self, other):
        return type(other) is type(self) and other.to_config() == self.to_config()

    def __repr__(self):
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.fields)
        return f"{self.kind}({args})"


class constant(Schedule):
    kind, fields = "constant", ("lr",)

    def __init__(self, lr: float):
        self.lr = _rate(lr, "lr")

    def _at(self, step: int) -> float:
        return self.lr


class linear(Schedule):
    """From `start` to `end` in a straight line over `steps` steps, then `end`.

    linear(1.0, 0.1, 100) is micrograd's demo `1.0 - 0.9*k/100`, float for float.
    """

    kind, fields = "linear", ("start", "end", "steps")

    def __init__(self, start: float, end: float, steps: int):
        self.start, self.end = _rate(start, "start"), _rate(end, "end")
        self.steps = _count(steps, "steps")

    def _at(self, step: int) -> float:
        return self.start - (self.start - self.end) * min(step, self.steps) / self.steps


class cosine(Schedule):
    """Half a cosine from `start` down to `end` over `steps` steps, then `end`."""

    kind, fields = "cosine", ("start", "end", "steps")

    def __init__(self, start: float, end: float, steps: int):
        self.start, self.end = _rate(start, "start"), _rate(end, "end")
        self.steps = _count(steps, "steps")

    def _at(self, step: int) -> float:
        progress = min(step, self.steps) / self.steps
        return self.end + (self.start - self.end) * 0.5 * (1.0 + math.cos(math.pi * progress))


class step_decay(Schedule):
    """`start`, multiplied by `factor` every `every` steps."""

    kind, fields, optional = "step_decay", ("start", "factor", "every"), ("factor", "every")

    def __init__(self, start: float, factor: float = 0.5, every: int = 100):
        self.start, self.factor = _rate(start, "start"), _rate(factor, "factor")
        self.every = _count(every, "every")

    def _at(self, step: int) -> float:
        return self.start * self.factor ** (step // self.every)


SCHEDULES = {cls.kind: cls for cls in (constant, linear, cosine, step_decay)}


def schedule_from_config(config) -> Schedule:
    """A schedule from its `to_config()` dict (a bare number means a constant rate)."""
    if isinstance(config, Schedule):
        return config
    if isinstance(config, (int, float)) and not isinstance(config, bool):
        return constant(config)
    if not isinstance(config, dict):
        raise ValueError(f"a learning-rate schedule must be a number or a dict, not {config!r}")
    kind = config.get("schedule")
    if kind not in SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {kind!r}: choose one of {', '.join(SCHEDULES)}")
    cls = SCHEDULES[kind]
    extra = set(config) - {"schedule", *cls.fields}
    missing = [name for name in cls.fields if name not in config and name not in cls.optional]
    if extra or missing:
        raise ValueError(
            f"a {kind} schedule takes {', '.join(cls.fields)}; "
            + (f"missing {', '.join(missing)}" if missing else f"unexpected {', '.join(sorted(extra))}")
        )
    return cls(**{name: config[name] for name in cls.fields if name in config})


def _rate(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, not {x!r}")
    return float(x)


def _count(x, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {x!r}")
    return x


# ---- optimizers -----------------------------------------------------------------------------------


class Optimizer:
    """Shared bookkeeping: the schedule, the step count, and `step()` over `Value`s via `update()`."""

    name = ""
    BUFFERS: tuple[tuple[str, str], ...] = ()  # (name shown, attribute) of each per-parameter buffer

    def __init__(self, params: Iterable[Value] | None, lr):
        self.params = [] if params is None else list(params)
        self.schedule = schedule_from_config(lr)
        self.steps = 0
        self.last_update: np.ndarray | None = None  # what the last update() added to each parameter

    @property
    def lr(self) -> float:
        """The learning rate the next step will use (a ValueError when the schedule gives no finite number)."""
        return self.schedule(self.steps)

    def update(self, data: np.ndarray, grad: np.ndarray) -> float:
        """Update the flat parameter vector `data` in place from `grad`; returns the lr used."""
        if data.shape != grad.shape or data.ndim != 1:
            raise ValueError(f"update needs two flat arrays of the same length, got {data.shape} and {grad.shape}")
        lr = self.lr
        before = data.copy()
        self._update(data, np.asarray(grad, dtype=np.float64), lr)
        self.last_update = np.subtract(data, before, out=before)
        self.steps += 1
        return lr

    def state(self) -> dict[str, np.ndarray]:
        """Copies of the per-parameter buffers (momentum, AdamW's m and v) and the last update, by name."""
        buffers = {name: getattr(self, attr) for name, attr in self.BUFFERS}
        buffers["update"] = self.last_update
        return {name: buf.copy() for name, buf in buffers.items() if buf is not None}

    def step(self) -> float:
        """One update of `self.params` (Values) from their grads; returns the lr used."""
        data = np.array([p.data for p in self.params], dtype=np.float64)
        grad = np.array([p.grad for p in self.params], dtype=np.float64)
        lr = self.update(data, grad)
        for p, x in zip(self.params, data.tolist()):
            p.data = x
        return lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0

    def reset(self) -> None:
        """Back to step 0 with empty moment buffers."""
        self.steps = 0
        self.last_update = None
        self._reset_buffers()

    def _buffer(self, name: str, like: np.ndarray) -> np.ndarray:
        buf = getattr(self, name)
        if buf is None:
            buf = np.zeros_like(like, dtype=np.float64)
            setattr(self, name, buf)
        elif buf.shape != like.shape:
            raise ValueError(
                f"{self.name} was updating {buf.shape[0]} parameters and now got {like.shape[0]}; "
                f"call reset() when the model changes"
            )
        return buf


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD: optional momentum and (L2-style) weight decay."""

    name = "sgd"
    BUFFERS = (("momentum", "_velocity"),)

    def __init__(self, params=None, lr=0.1, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = _rate(momentum, "momentum")
        self.weight_decay = _rate(weight_decay, "weight_decay")
        self._velocity = None

    def _reset_buffers(self):
        self._velocity = None

    def _update(self, data, grad, lr):
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            first = self._velocity is None
            velocity = self._buffer("_velocity", data)
            if first:  # torch starts the buffer at the first gradient, not at 0
                velocity[:] = grad
            else:
                velocity *= self.momentum
                velocity += grad
            grad = velocity
        data -= lr * grad  # micrograd's p.data -= learning_rate * p.grad

    def to_config(self) -> dict:
        return {
            "optimizer": self.name,
            "lr": self.schedule.to_config(),
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
        }


class AdamW(Optimizer):
    """Adam with decoupled weight decay: the same update as torch.optim.AdamW (amsgrad off)."""

    name = "adamw"
    BUFFERS = (("m", "_m"), ("v", "_v"))

    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr)
        beta1, beta2 = betas
        self.betas = (_rate(beta1, "beta1"), _rate(beta2, "beta2"))
        self.eps = _rate(eps, "eps")
        self.weight_decay = _rate(weight_decay, "weight_decay")
        self._m = self._v = None

    def _reset_buffers(self):
        self._m = self._v = None

    def _update(self, data, grad, lr):
        # torch's _single_tensor_adam, operation for operation (float64 on the CPU), so the numbers are its own.
        beta1, beta2 = self.betas
        m, v = self._buffer("_m", data), self._buffer("_v", data)
        t = float(self.steps + 1)  # torch keeps the step count as a float tensor
        data *= 1 - lr * self.weight_decay  # decoupled decay: shrink the weights, not the gradient
        # exp_avg.lerp_(grad, weight): ATen's lerp takes the form that is exact at its nearer end, so with
        # beta1 = 0 (weight 1) m becomes grad exactly. (ATen fuses the multiply-add, which NumPy cannot;
        # a product by 0 is exact either way.)
        weight = 1 - beta1
        if abs(weight) < 0.5:
            m += weight * (grad - m)
        else:
            np.add((weight - 1) * (grad - m), grad, out=m)
        v *= beta2  # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2): v + ((1-beta2)*g)*g
        v += (1 - beta2) * grad * grad
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        denom = np.sqrt(v) / bias_correction2_sqrt + self.eps
        data += (-step_size * m) / denom  # param.addcdiv_(exp_avg, denom, value=-step_size)

    def to_config(self) -> dict:
        return {
            "optimizer": self.name,
            "lr": self.schedule.to_config(),
            "betas": list(self.betas),
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }


OPTIMIZERS = {"sgd": SGD, "adamw": AdamW}


def optimizer_from_config(config: dict, params: Iterable[Value] | None = None) -> Optimizer:
    """An optimizer from its `to_config()` dict."""
    if not isinstance(config, dict) or config.get("optimizer") not in OPTIMIZERS:
        name = config.get("optimizer") if isinstance(config, dict) else config
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    options = {k: v for k, v in config.items() if k != "optimizer"}
    allowed = {"sgd": {"lr", "momentum", "weight_decay"}, "adamw": {"lr", "betas", "eps", "weight_decay"}}
    unexpected = set(options) - allowed[config["optimizer"]]
    if unexpected:
        raise ValueError(f"optimizer {config['optimizer']!r} has no option {', '.join(sorted(unexpected))}")
    if "betas" in options:
        betas = options["betas"]
        if not isinstance(betas, (list, tuple)) or len(betas) != 2:
            raise ValueError(f"betas must be a list of two numbers, not {betas!r}")
        options["betas"] = tuple(betas)
    return OPTIMIZERS[config["optimizer"]](params, **options)
