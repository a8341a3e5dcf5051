"""Input features, as TensorFlow Playground offers them: the network reads chosen functions of the two raw
coordinates (x1, x2) instead of the coordinates themselves.

With x1² and x2² as inputs, a network without hidden layers separates two circles: the boundary
w1·x1² + w2·x2² + b = 0 is itself a circle. The transform is applied to the data before training (NumPy), so
the model's inputs *are* the features: its first layer has one weight per feature, and a graph of one sample
shows the feature values as its inputs.

Names are plain ASCII (they are stored in sessions); `LABELS` has the way a learner reads them.
"""

from __future__ import annotations

import numpy as np

# name -> (function of the (n, 2) raw data, the label shown to the learner)
FEATURES = {
    "x1": (lambda X: X[:, 0], "x₁"),
    "x2": (lambda X: X[:, 1], "x₂"),
    "x1^2": (lambda X: X[:, 0] ** 2, "x₁²"),
    "x2^2": (lambda X: X[:, 1] ** 2, "x₂²"),
    "x1*x2": (lambda X: X[:, 0] * X[:, 1], "x₁x₂"),
    "sin(x1)": (lambda X: np.sin(X[:, 0]), "sin x₁"),
    "sin(x2)": (lambda X: np.sin(X[:, 1]), "sin x₂"),
}
RAW = ("x1", "x2")  # the default: the two coordinates as they are
LABELS = {name: label for name, (_, label) in FEATURES.items()}


def check(names) -> list[str]:
    """The feature list as given, or ValueError in one sentence: known names, each once, at least one."""
    if not isinstance(names, (list, tuple)) or not names:
        raise ValueError(f"expected a list of at least one feature among {', '.join(FEATURES)}, not {names!r}")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"{name!r} is not a feature; choose among {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"each feature at most once, not {list(names)!r}")
    return list(names)


def transform(X, names) -> np.ndarray:
    """The (n, len(names)) model inputs for raw (n, 2) points. The raw features alone return X unchanged
    (the same array), so the default changes no number anywhere."""
    names = check(names)
    X = np.asarray(X, dtype=np.float64)
    if tuple(names) == RAW:
        return X
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"input features need points with 2 coordinates (x1, x2), not {X.shape[-1]}")
    return np.column_stack([FEATURES[name][0](X) for name in names])


def input_labels(names, dimensions: int = 2) -> list[str]:
    """What the network's inputs are called: the features' labels, or x₁..x_d for raw data of d columns."""
    if tuple(names) == RAW and dimensions != 2:
        return [f"x{i + 1}" for i in range(dimensions)]
    return [LABELS[name] for name in names]
