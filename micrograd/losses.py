"""Loss functions over `Value`s.

Labels are class indices 0..K-1 (what `micrograd.datasets` returns for a classification set), except for
`mse_regression`, whose targets are real numbers (the regression sets `plane` and `multi_gaussian`).
The binary losses read one output score per sample; `cross_entropy` reads K logits per sample.

Each loss is a `Loss` object in `LOSSES`, so callers can ask how many outputs it needs, score one sample,
turn an output into a predicted class, or reduce a whole batch. The module-level functions
(`svm_max_margin(scores, labels)`, ...) are the batch form. Every graph here has the same shape whatever
the numbers are (no branches on data), so a traced graph can be replayed on other inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from micrograd.engine import LogitShift, Value


def _binary_label(label) -> int:
    if label not in (0, 1) or isinstance(label, bool):
        raise ValueError(f"a binary loss needs labels 0 or 1, not {label!r}")
    return int(label)


def _svm_sample(score: Value, label) -> Value:
    t = 2 * _binary_label(label) - 1
    return (1 + -t * score).relu()  # micrograd demo.ipynb's max-margin loss, built the same way


def _mse_sample(score: Value, label) -> Value:
    t = 2 * _binary_label(label) - 1
    return (score - t) ** 2


def _regression_sample(score: Value, target) -> Value:
    """(s - y)^2 against a real target y: a number, or a Value leaf when the compiled engine traces it."""
    if not isinstance(target, Value) and (isinstance(target, bool) or not isinstance(target, (int, float))):
        raise ValueError(f"mse_regression needs a real-number target, not {target!r}")
    return (score - target) ** 2


def _bce_sample(logit: Value, label) -> Value:
    """-[t log sigmoid(z) + (1-t) log(1 - sigmoid(z))] = relu(z) - z*t + log(1 + exp(-|z|)).

    exp only ever sees -|z| <= 0, so nothing overflows for any logit. Written -|z| = z - 2 relu(z) (rather
    than -(relu(z) + relu(-z))) so the slope at exactly z = 0 is sigmoid(0) - t = 0.5 - t, as it should be.
    """
    t = _binary_label(label)
    z = logit
    neg_abs = z + z.relu() * -2
    return z.relu() - z * t + (1 + neg_abs.exp()).log()


def _cross_entropy_sample(logits: Sequence[Value], label) -> Value:
    """-log softmax(logits)[label], via log-sum-exp with the largest logit subtracted.

    The max is subtracted as a constant (not a node): log-sum-exp(z - c) + c is the same for every c, so
    the gradient is unchanged, and with c = max(z) every exp sees a number <= 0. The constant is a
    `LogitShift`, which the compiled engine recomputes on every pass (logits grow in training).
    """
    logits = list(logits)
    k = len(logits)
    if isinstance(label, bool) or label not in range(k):
        raise ValueError(f"cross_entropy needs labels 0..{k - 1} for {k} logits, not {label!r}")
    shift = LogitShift(logits)
    shifted = [z + shift for z in logits]
    log_sum_exp = Value.sum([s.exp() for s in shifted]).log()
    return log_sum_exp - shifted[int(label)]


def _predict_binary(output) -> int:
    return 1 if float(output) > 0 else 0


def _predict_argmax(outputs) -> int:
    outputs = [float(o) for o in outputs]
    return max(range(len(outputs)), key=outputs.__getitem__)  # the first of equal maxima, like numpy


class Loss:
    """One loss function: how many outputs it reads, one sample's term, the prediction, the batch mean."""

    def __init__(self, name: str, sample: Callable, *, multiclass: bool, description: str, regression: bool = False):
        self.name = name
        self._sample = sample
        self.multiclass = multiclass
        self.regression = regression  # targets are real numbers, the output is the prediction itself
        self.description = description

    def outputs(self, num_classes: int) -> int:
        """How many outputs the model needs for `num_classes` classes (a regression target needs one)."""
        if self.regression:
            return 1
        if not self.multiclass and num_classes > 2:
            raise ValueError(
                f"{self.name} is a two-class loss, but the data has {num_classes} classes; use cross_entropy"
            )
        return num_classes if self.multiclass else 1

    def sample(self, output, label) -> Value:
        """One sample's loss term from the model's output (a Value, or a list of Values for cross_entropy)."""
        if self.multiclass:
            if isinstance(output, Value):
                output = [output]
        elif not isinstance(output, Value):
            output = list(output)
            if len(output) != 1:
                raise ValueError(f"{self.name} reads one output score per sample, but the model gave {len(output)}")
            output = output[0]
        return self._sample(output, label)

    def predict(self, output_data) -> int:
        """The predicted class from the output number(s): a score's sign, or the largest logit (regression:
        the output itself)."""
        if self.regression:
            return float(output_data if isinstance(output_data, (int, float)) else next(iter(output_data)))
        if self.multiclass:
            return _predict_argmax(output_data)
        if not isinstance(output_data, (int, float)):
            (output_data,) = list(output_data)
        return _predict_binary(output_data)

    def __call__(self, outputs: Iterable, labels: Iterable) -> Value:
        """The batch's data loss: the mean of the per-sample terms (micrograd's sum(losses) * (1.0 / n))."""
        outputs, labels = list(outputs), list(labels)
        if len(outputs) != len(labels):
            raise ValueError(f"{self.name}: {len(outputs)} outputs but {len(labels)} labels")
        if not outputs:
            raise ValueError(f"{self.name}: the batch is empty")
        terms = [self.sample(o, y) for o, y in zip(outputs, labels)]
        return Value.sum(terms) * (1.0 / len(terms))

    def __repr__(self):
        return f"Loss({self.name!r})"


LOSSES: dict[str, Loss] = {
    "svm_max_margin": Loss(
        "svm_max_margin",
        _svm_sample,
        multiclass=False,
        description="hinge loss relu(1 - t*s), t = +-1 (micrograd's demo)",
    ),
    "mse": Loss("mse", _mse_sample, multiclass=False, description="squared error (s - t)^2 against t = +-1"),
    "mse_regression": Loss(
        "mse_regression",
        _regression_sample,
        multiclass=False,
        regression=True,
        description="squared error (s - y)^2 against a real target y (regression sets)",
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        _bce_sample,
        multiclass=False,
        description="logistic loss from a logit, stable for any logit",
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        _cross_entropy_sample,
        multiclass=True,
        description="softmax cross-entropy over K logits, stable for any logits",
    ),
}


def svm_max_margin(scores, labels) -> Value:
    return LOSSES["svm_max_margin"](scores, labels)


def mse(scores, labels) -> Value:
    return LOSSES["mse"](scores, labels)


def mse_regression(predictions, targets) -> Value:
    return LOSSES["mse_regression"](predictions, targets)


def binary_cross_entropy(logits, labels) -> Value:
    return LOSSES["binary_cross_entropy"](logits, labels)


def cross_entropy(logits, labels) -> Value:
    return LOSSES["cross_entropy"](logits, labels)


def l2(parameters: Iterable[Value], alpha: float) -> Value:
    """alpha * sum(p*p): micrograd's demo regularisation, `alpha * sum((p*p for p in model.parameters()))`."""
    return alpha * Value.sum([p * p for p in parameters])
