"""Training loops shared by scripts and the app: one `Trainer`, two engines, the same numbers.

`Trainer(model, X, y)` trains micrograd's moons demo by default: svm max-margin loss, 1e-4 L2, SGD with
lr 1.0 -> 0.1 over 100 steps, full batch. ``engine="reference"`` builds the `Value` graph every step, as
micrograd does; ``engine="compiled"`` traces one sample's graph once (`micrograd.compiled`) and runs the
whole batch with NumPy. Both hand the same flat arrays to the same optimizer, so their losses agree to
rounding (7e-15 relative at worst over the demo's 100 steps).

The app calls `step()` from a worker thread: nothing here prints or keeps global state, and a step that
meets a non-finite loss (or a domain error such as log of a negative number) reports ``finite=False``
without touching the parameters, so training stops cleanly where it was.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np

from micrograd.blas_threads import one_blas_thread
from micrograd.compiled import Cancelled, Program
from micrograd.engine import Value
from micrograd.losses import LOSSES
from micrograd.losses import l2 as l2_loss
from micrograd.optim import SGD, linear

ENGINES = ("compiled", "reference")


@dataclass(frozen=True)
class StepResult:
    """One optimizer step: the loss *before* the update (what micrograd's demo prints) and the lr used."""

    step: int
    loss: float
    data_loss: float
    reg_loss: float
    accuracy: float
    lr: float
    seconds: float
    finite: bool = True
    error: str = ""  # why the step was not finite, when the engine could say (e.g. "log of a non-positive ...")
    # The held-out test set under the same parameters (before the update), when the Trainer has one: its data
    # loss plus the same reg_loss (the training objective on other data), and its accuracy.
    test_loss: float = math.nan
    test_accuracy: float = math.nan
    tested: bool = False

    def to_dict(self) -> dict:
        """The JSON-ready numbers a session records (the test numbers only when there is a test set)."""
        d = asdict(self)
        keys = ("step", "loss", "data_loss", "reg_loss", "accuracy", "lr")
        return {key: d[key] for key in keys + (("test_loss", "test_accuracy") if self.tested else ())}


@dataclass(frozen=True)
class Grid:
    """Model outputs over a 2-D grid (for a decision boundary): ``classes[i, j]`` is at (xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    scores: np.ndarray  # (len(ys), len(xs), outputs); for regression the predicted values
    classes: np.ndarray  # (len(ys), len(xs)) class indices (all 0 for regression)


StepCancelled = Cancelled  # `Trainer.should_stop()` said stop in the middle of a step: nothing was updated


def _as_list(out) -> list:
    return [out] if isinstance(out, Value) else list(out)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside a step's forward and backward pass.

    A step builds (reference engine: tens of thousands of) Values that hold no reference cycles, so reference
    counting frees them all; the collector, triggered by the allocation count, only walks the live graph again
    and again and finds nothing -- 30-37% of a reference step's time. Paused here, it runs as usual between
    steps, and a caller that had it switched off keeps it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _ReferenceEngine:
    """The Value graph of the whole batch, rebuilt every step (micrograd's demo loop)."""

    def __init__(self, trainer):
        self.t = trainer
        self.params = np.array([float(p.data) for p in trainer.parameters])
        self.grad = np.zeros_like(self.params)

    def _check(self):
        if self.t.should_stop is not None and self.t.should_stop():
            raise StepCancelled()

    def outputs(self, X):
        model, outs = self.t.model, []
        for row in np.asarray(X, dtype=float).tolist():
            self._check()  # between samples: a big batch's forward pass stops within one sample
            outs.append(_as_list(model([Value(x) for x in row])))
        return outs

    def scores(self, X) -> np.ndarray:
        # One sample's graph at a time, dropped at once: a grid of 25,600 points never holds them all.
        model = self.t.model
        rows = [
            [o.data for o in _as_list(model([Value(x) for x in row]))] for row in np.asarray(X, dtype=float).tolist()
        ]
        return np.array(rows, dtype=float).reshape(len(X), -1)

    def backward(self, root: Value) -> None:
        """`root.backward()`, asking should_stop() every engine.CHECK_EVERY nodes of the sort and of the pass."""
        root.backward(None if self.t.should_stop is None else self._check)

    def build(self, X, y):
        """(total, data_loss, reg_loss Values, outputs) for a batch."""
        t = self.t
        outputs = self.outputs(X)
        data_loss = t.loss([o[0] if len(o) == 1 else o for o in outputs], y.tolist())
        if t.l2:
            reg_loss = l2_loss(t.parameters, t.l2)
            total = data_loss + reg_loss
        else:
            reg_loss, total = Value(0.0), data_loss
        return total, data_loss, reg_loss, outputs

    def evaluate(self, idx):
        t = self.t
        X, y = (t.X, t.y) if idx is None else (t.X[idx], t.y[idx])
        total, data_loss, reg_loss, outputs = self.build(X, y)
        for p in t.parameters:
            p.grad = 0
        self.backward(total)
        self.grad = np.array([float(p.grad) for p in t.parameters])
        scores = np.array([[o.data for o in out] for out in outputs], dtype=float)
        return float(data_loss.data), float(reg_loss.data), scores, self.grad

    def updated(self):
        for p, x in zip(self.t.parameters, self.params.tolist()):
            p.data = x

    def test_loss(self, X, y):
        """(data loss, scores) on other data, forward only: the Values are built afresh, nothing is kept."""
        outputs = self.outputs(X)
        data_loss = self.t.loss([o[0] if len(o) == 1 else o for o in outputs], y.tolist())
        return float(data_loss.data), np.array([[o.data for o in out] for out in outputs], dtype=float)

    def write_back(self):
        for p, g in zip(self.t.parameters, self.grad.tolist()):
            p.grad = g  # the data are the engine's own numbers; a cancelled backward may have left partial grads


SCORE_CHUNK = 2048  # samples per forward pass when scoring a grid: bounded arrays for any grid size


class _L2:
    """The L2 term alpha * sum(p*p) and its gradient, as the compiled engine computes `losses.l2`'s graph
    (the same float operations: a left-to-right sum, then p*alpha added once per factor of p*p), without
    tracing a graph of twice as many nodes as there are parameters."""

    def __init__(self, alpha: float):
        self.alpha = alpha

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan propagate, as in the programs
            squares = params * params
            total = np.add.accumulate(squares)[-1] if len(squares) else 0.0  # Value.sum: left to right
            half = self.alpha * params  # d(p*p) via each factor: grad (alpha) * the other factor (p)
            return float(total * self.alpha), (0.0 + half) + half


class _CompiledEngine:
    """One sample's graph traced once, every class's loss term in it, run over the batch as a second axis."""

    def __init__(self, trainer, probe=None):
        t = self.t = trainer
        self.params = np.array([float(p.data) for p in t.parameters])
        self.grad = np.zeros_like(self.params)
        if probe is None:
            self.inputs = [Value(0.0, label=f"x{j}") for j in range(t.X.shape[1])]
            self.out = t.model(self.inputs)  # a Value, or a list of them: what the loss reads
        else:  # the trainer's first look at the model: its graph is as good as a new one (numbers are fed)
            self.inputs, self.out = probe
        self.outs = [self.out] if isinstance(self.out, Value) else list(self.out)
        self.program = self._trace()
        self.predictor = None
        self.tester = None  # a program of its own for the test set, so the training buffers never change shape
        self.reg = _L2(t.l2) if t.l2 else None
        self.XT = self._rows(t.X, t.y)

    def _trace(self) -> Program:
        """The loss program: the model's outputs, then one loss term per class.

        A class label enters a sample's graph as constants (svm's t = +-1), so every class's term is traced
        and run, and each sample's gradient is seeded at its own class's term only (the others get 0). A
        regression target is a real number: it is traced once, as one more input row.
        """
        t = self.t
        if t.loss.regression:
            target = Value(0.0, label="target")
            return Program(
                self.outs + [t.loss.sample(self.outs[0], target)],
                inputs=self.inputs + [target],
                params=t.parameters,
                param_data=self.params,
                leaf_grads=False,
            )
        return Program(
            self.outs + [t.loss.sample(self.out, label) for label in range(t.num_classes)],
            inputs=self.inputs,
            params=t.parameters,
            param_data=self.params,
            leaf_grads=False,
        )

    def _rows(self, X, y):
        """The program's input rows for a batch: the features, and for regression the targets under them."""
        rows = X.T if not self.t.loss.regression else np.vstack([X.T, np.asarray(y, dtype=float)[None, :]])
        return np.ascontiguousarray(rows)

    def _term_rows(self, y) -> np.ndarray:
        """Which output row holds each sample's loss term (its class's term; the one term for regression)."""
        k = len(self.outs)
        return np.full(len(y), k, dtype=np.intp) if self.t.loss.regression else k + np.asarray(y, dtype=np.intp)

    def scores(self, X) -> np.ndarray:
        if self.predictor is None:
            self.predictor = Program(
                self.outs, inputs=self.inputs, params=self.t.parameters, param_data=self.params, leaf_grads=False
            )
        X = np.asarray(X, dtype=float)
        chunks = [np.array(self.predictor.forward(X[i : i + SCORE_CHUNK].T)).T for i in range(0, len(X), SCORE_CHUNK)]
        self.predictor.vals = self.predictor.grads = None  # a grid's arrays are not kept between pictures
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.outs)))

    def test_loss(self, X, y):
        """(data loss, scores) on other data, forward only, through a program kept for that alone."""
        if self.tester is None:
            self.tester = self._trace()
        y = np.asarray(y)
        n, k = len(y), len(self.outs)
        out = self.tester.forward(self._rows(X, y))
        terms = out[self._term_rows(y), np.arange(n)]
        return float(np.sum(terms)) * (1.0 / n), np.array(out[:k].T)

    def evaluate(self, idx):
        t = self.t
        XT, y = (self.XT, t.y) if idx is None else (self.XT[:, idx], t.y[idx])
        n, k = len(y), len(self.outs)
        out = self.program.forward(XT, should_stop=t.should_stop)
        rows, columns = self._term_rows(y), np.arange(n)
        terms, scores = out[rows, columns], np.array(out[:k].T)
        seed = np.zeros(out.shape)
        seed[rows, columns] = 1.0 / n
        grad = self.grad
        grad[:] = self.program.backward(seed, should_stop=t.should_stop)
        data_loss = float(np.sum(terms)) * (1.0 / n)  # micrograd: sum(losses) * (1.0 / len(losses))
        reg_loss = 0.0
        if self.reg is not None:
            reg_loss, reg_grad = self.reg(self.params)
            grad += reg_grad
        return data_loss, reg_loss, scores, grad

    def updated(self):
        pass  # the programs read self.params, which the optimizer just updated in place

    def write_back(self):
        for p, x, g in zip(self.t.parameters, self.params.tolist(), self.grad.tolist()):
            p.data, p.grad = x, g


class Trainer:
    """Trains ``model`` on ``X`` (n, features) and ``y`` (n,) class indices (real targets for a regression
    loss), one `step()` at a time. ``test=(X_test, y_test)`` is a held-out set: each step also reports its loss
    and accuracy under the same parameters, forward only, without changing any training number."""

    def __init__(
        self,
        model,
        X,
        y,
        *,
        loss="svm_max_margin",
        l2=1e-4,
        optimizer=None,
        batch_size=None,
        engine="compiled",
        seed=0,
        zero_grad=True,
        test=None,
        num_classes=None,
    ):
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        self.loss = LOSSES[loss]
        X, y = self._checked(X, y, "")
        if batch_size is not None and not 1 <= batch_size <= len(X):
            raise ValueError(f"batch_size must be between 1 and {len(X)} (the number of samples), or None")
        self.model, self.X, self.y = model, X, y
        self.test = None
        if test is not None and len(test[0]):
            self.test = self._checked(*test, "test ")
            if self.test[0].shape[1] != X.shape[1]:
                raise ValueError(f"the test set has {self.test[0].shape[1]} features, the training set {X.shape[1]}")
        labels = y if self.test is None else np.concatenate([y, self.test[1]])
        # num_classes: at least this many, e.g. a model for three classes while one of them has no point left
        self.num_classes = 1 if self.loss.regression else max(2, int(labels.max()) + 1, num_classes or 0)
        self.l2 = float(l2)
        self.parameters = model.parameters()
        self.optimizer = optimizer if optimizer is not None else SGD(lr=linear(1.0, 0.1, 100))
        self.batch_size = batch_size
        self.engine_name = engine
        # One generator per trainer: both engines draw the same minibatches for the same seed.
        self.rng = np.random.default_rng(seed)
        self.steps_done = 0
        self.last_batch = None
        # zero_grad=False is the lecture's pitfall "forgot to zero the grads": each step's gradient is added to
        # every earlier one and the optimizer steps along the running sum (both engines alike). It may be
        # switched between steps; the sum starts with the first step taken without zeroing.
        self.zero_grad = bool(zero_grad)
        self._grad_sum = None
        # Asked between samples and backward chunks on the reference engine (and between steps by `run`):
        # when it returns true, `step()` raises StepCancelled with nothing updated.
        self.should_stop = None
        # The model's first graph, on zeros (its numbers do not matter), counts its outputs; the compiled
        # engine traces this same graph rather than building another.
        probe_inputs = [Value(0.0, label=f"x{j}") for j in range(X.shape[1])]
        probe = model(probe_inputs)
        outputs = 1 if isinstance(probe, Value) else len(probe)
        if outputs != self.loss.outputs(self.num_classes):
            raise ValueError(
                f"{self.loss.name} needs {self.loss.outputs(self.num_classes)} model output(s) for "
                f"{self.num_classes} classes, but the model has {outputs}"
            )
        self.engine = _CompiledEngine(self, (probe_inputs, probe)) if engine == "compiled" else _ReferenceEngine(self)

    def _checked(self, X, y, which: str):
        X, y = np.asarray(X, dtype=float), np.asarray(y)
        if X.ndim != 2 or y.shape != (len(X),) or not len(X):
            raise ValueError(f"{which}X must be (samples, features) and y (samples,), got {X.shape} and {y.shape}")
        if self.loss.regression:
            if not np.issubdtype(y.dtype, np.number) or not np.isfinite(y.astype(float)).all():
                raise ValueError(f"{self.loss.name} needs finite real-number {which}targets")
            return X, y.astype(np.float64)
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ValueError(f"{which}y must hold class indices 0, 1, 2, ...")
        return X, y.astype(np.intp)

    def with_data(self, X, y, *, test=None) -> Trainer:
        """A trainer on other data that carries on where this one is: the same model and its current weights,
        the same optimizer (its state, its schedule's position), minibatch generator and step count. For
        data edits: the network keeps learning from where it was."""
        self.write_back()
        batch = self.batch_size if self.batch_size is None or self.batch_size <= len(X) else None
        other = Trainer(
            self.model,
            X,
            y,
            loss=self.loss.name,
            l2=self.l2,
            optimizer=self.optimizer,
            batch_size=batch,
            engine=self.engine_name,
            zero_grad=self.zero_grad,
            test=test,
            num_classes=self.num_classes,
        )
        other.rng, other.steps_done, other._grad_sum = self.rng, self.steps_done, self._grad_sum
        return other

    def _classes(self, scores: np.ndarray) -> np.ndarray:
        if self.loss.regression:
            return np.zeros(len(scores), dtype=np.intp)  # no classes: Grid.classes is all 0
        if self.loss.multiclass:
            return np.argmax(scores, axis=1)  # the first of equal maxima, as Loss.predict
        return (scores[:, 0] > 0).astype(np.intp)

    @one_blas_thread()  # small matrix products: one BLAS thread is faster, and steady on a busy machine
    def step(self) -> StepResult:
        """One optimizer step on one batch (all samples unless batch_size was given); a ValueError, before
        anything changed, when the schedule's learning rate for this step is not a finite number."""
        self.optimizer.lr  # noqa: B018 -- asked first: a schedule past a float raises here, with nothing changed
        start = time.perf_counter()
        rng_state, last_batch = self.rng.bit_generator.state, self.last_batch  # a cancelled step gives them back
        idx = None
        if self.batch_size is not None and self.batch_size < len(self.X):
            idx = self.rng.permutation(len(self.X))[: self.batch_size]  # micrograd's demo draws the same way
        self.last_batch = idx
        y = self.y if idx is None else self.y[idx]
        error = ""
        try:
            with _collector_paused():
                data_loss, reg_loss, scores, grad = self.engine.evaluate(idx)
            if self.zero_grad:
                self._grad_sum = None  # switched back on: the next time it is forgotten starts afresh
            else:
                grad = grad.copy() if self._grad_sum is None else self._grad_sum + grad
            accuracy = self._accuracy(scores, y)
            test_loss, test_accuracy = self._test_numbers(reg_loss)
        except StepCancelled:
            self.rng.bit_generator.state, self.last_batch = rng_state, last_batch
            raise
        except (ValueError, ZeroDivisionError, OverflowError) as err:  # a domain error: the loss is undefined
            data_loss, reg_loss, grad, accuracy, error = math.nan, math.nan, None, math.nan, str(err)
            test_loss = test_accuracy = math.nan
        loss = data_loss + reg_loss
        finite = math.isfinite(loss) and bool(np.isfinite(grad).all())
        if finite:
            if not self.zero_grad:
                self._grad_sum = grad
            lr = self.optimizer.update(self.engine.params, grad)
            self.engine.updated()
            self.steps_done += 1
        else:  # keep the last good parameters; the caller sees finite=False and stops
            lr = self.optimizer.lr
            error = error or ("the loss is not finite" if not math.isfinite(loss) else "a gradient is not finite")
        return StepResult(
            self.steps_done - finite,
            loss,
            data_loss,
            reg_loss,
            accuracy,
            lr,
            time.perf_counter() - start,
            finite,
            error,
            test_loss,
            test_accuracy,
            self.test is not None,
        )

    def _accuracy(self, scores: np.ndarray, y: np.ndarray) -> float:
        """The fraction classified right; NaN for regression, which has no classes (the chart shows no line)."""
        return math.nan if self.loss.regression else float(np.mean(self._classes(scores) == y))

    def _test_numbers(self, reg_loss: float) -> tuple[float, float]:
        """(test loss, test accuracy) under the parameters the step has just evaluated, before they change."""
        if self.test is None:
            return math.nan, math.nan
        X_test, y_test = self.test
        data_loss, scores = self.engine.test_loss(X_test, y_test)
        return data_loss + reg_loss, self._accuracy(scores, y_test)

    def retune(self, *, loss=None, l2=None, optimizer=None, batch_size=None, engine=None) -> None:
        """Change settings between steps, keeping the weights, the step count and the minibatch generator.

        ``batch_size=0`` means the full batch (None leaves it as it is). A new loss must read as many outputs
        as the model has. The engine is rebuilt (traced again) when the engine, loss or L2 changes.
        """
        self.write_back()  # a new engine starts from the Values' numbers
        rebuild = False
        if loss is not None and loss != self.loss.name:
            if loss not in LOSSES:
                raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
            new = LOSSES[loss]
            if new.outputs(self.num_classes) != self.loss.outputs(self.num_classes):
                raise ValueError(
                    f"{loss} needs {new.outputs(self.num_classes)} model output(s), "
                    f"the model has {self.loss.outputs(self.num_classes)}"
                )
            self.loss, rebuild = new, True
        if l2 is not None and float(l2) != self.l2:
            self.l2, rebuild = float(l2), True
        if batch_size is not None:
            if not 0 <= batch_size <= len(self.X):
                raise ValueError(f"batch_size must be between 1 and {len(self.X)}, or 0 for the full batch")
            self.batch_size = batch_size or None
        if optimizer is not None:
            self.optimizer = optimizer
        if engine is not None and engine != self.engine_name:
            if engine not in ENGINES:
                raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
            self.engine_name, rebuild = engine, True
        if rebuild:
            grad = self.engine.grad
            self.engine = (_CompiledEngine if self.engine_name == "compiled" else _ReferenceEngine)(self)
            self.engine.grad[:] = grad

    @one_blas_thread()  # entered once for the run: each step's own entry is then only a counter
    def run(self, steps, *, until_loss=None, on_step=None, should_stop=None) -> list[StepResult]:
        """Up to ``steps`` steps; stops early at a non-finite loss, at ``loss <= until_loss``, or when
        ``should_stop()`` (checked before every step) returns true. ``on_step(result)`` sees each step."""
        results = []
        for _ in range(steps):
            if should_stop is not None and should_stop():
                break
            result = self.step()
            results.append(result)
            if on_step is not None:
                on_step(result)
            if not result.finite or (until_loss is not None and result.loss <= until_loss):
                break
        return results

    # ---- using the model --------------------------------------------------------------------------

    def scores(self, X) -> np.ndarray:
        """The model's raw outputs for each row of X, shape (samples, outputs)."""
        X = np.asarray(X, dtype=float).reshape(-1, self.X.shape[1])
        return self.engine.scores(X) if len(X) else np.zeros((0, self.loss.outputs(self.num_classes)))

    def predict(self, X) -> np.ndarray:
        """Predicted class index for each row of X (for regression, the predicted value)."""
        scores = self.scores(X)
        return scores[:, 0] if self.loss.regression else self._classes(scores)

    def evaluate_grid(self, resolution=50, *, bounds=None, margin=0.5, transform=None) -> Grid:
        """Outputs on a resolution x resolution grid over the data (plus ``margin``), or over
        ``bounds=(xmin, xmax, ymin, ymax)``: the picture of a decision boundary. Needs 2-D inputs, or a
        ``transform`` from the plane's (n, 2) points to the model's inputs (input features)."""
        if self.X.shape[1] != 2 and transform is None:
            raise ValueError(f"a decision-boundary grid needs 2 input features, this data has {self.X.shape[1]}")
        if bounds is None:
            (xmin, ymin), (xmax, ymax) = self.X.min(axis=0) - margin, self.X.max(axis=0) + margin
        else:
            xmin, xmax, ymin, ymax = bounds
        xs, ys = np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution)
        gx, gy = np.meshgrid(xs, ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        scores = self.scores(points if transform is None else transform(points))
        shape = (len(ys), len(xs))
        return Grid(xs, ys, scores.reshape(*shape, -1), self._classes(scores).reshape(shape))

    def parameter_vector(self) -> np.ndarray:
        """A copy of the current parameters in `model.parameters()` order (safe to hand to another thread)."""
        return self.engine.params.copy()

    def gradient_vector(self) -> np.ndarray:
        """A copy of the last step's gradient (what the optimizer used before its update), in parameter order."""
        return np.array(self.engine.grad, dtype=float)

    def set_parameter(self, index: int, value: float) -> None:
        """Set one parameter by hand (the network view's edit); the optimizer's buffers are left as they are."""
        self.engine.params[index] = float(value)
        self.engine.updated()
        self.parameters[index].data = float(value)

    def current_loss(self) -> tuple[float, float]:
        """(loss, accuracy) on the whole training set with the parameters as they are now, without a step.

        Computes the gradient there too (what `gradient_vector` then returns), as a forward+backward would."""
        data_loss, reg_loss, scores, _ = self.engine.evaluate(None)
        return data_loss + reg_loss, float(np.mean(self._classes(scores) == self.y))

    def write_back(self) -> None:
        """Put the engine's parameter numbers and last gradients into the model's Values."""
        self.engine.write_back()
        if not self.zero_grad and self._grad_sum is not None:  # what the forgotten zero_grad leaves in .grad
            for p, g in zip(self.parameters, self._grad_sum.tolist()):
                p.grad = g

    def loss_graph(self, *, backward=True) -> Value:
        """The reference-engine Value graph of the current loss on the current parameters and batch.

        For the app's graph tree: the root is labelled "loss", its children "data_loss" and "reg_loss".
        Big: the full-batch moons demo is about 40,000 nodes. Fills in grads when ``backward``.
        """
        self.write_back()
        X, y = (self.X, self.y) if self.last_batch is None else (self.X[self.last_batch], self.y[self.last_batch])
        reference = self.engine if isinstance(self.engine, _ReferenceEngine) else _ReferenceEngine(self)
        total, data_loss, reg_loss, _ = reference.build(X, y)
        total.label, data_loss.label, reg_loss.label = "loss", "data_loss", "reg_loss"
        if backward:
            for p in self.parameters:
                p.grad = 0
            total.backward()
        return total


from micrograd.repeat import RepeatSummary, repeat  # noqa: E402,F401  (its old home: kept importable)
