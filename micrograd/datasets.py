"""Small seeded datasets for classification and regression, a train/test split, and a CSV loader. NumPy only.

Every generator takes `(n, noise, seed)` (so `DATASETS[name](n, noise, seed)` works for all of them) and
returns `(X, y)`: X a float64 array of shape (n, d), y an int array of shape (n,) holding class indices
0..K-1 -- or, for the regression sets in `REGRESSION` (`plane`, `multi_gaussian`), a float64 array of real
targets. The same arguments always give the same data: each call uses its own legacy
`np.random.RandomState(seed)`, never NumPy's global generator.

`moons` reproduces scikit-learn's `make_moons` exactly, draw for draw, so `moons(100, 0.1, seed=1337)` is
the data of micrograd's demo.ipynb (which seeds NumPy's global generator with 1337 and calls
`make_moons(n_samples=100, noise=0.1)`).
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np


def _check(n, noise, *, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"the number of samples must be a whole number >= {minimum}, not {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0 or math.isinf(noise):
        raise ValueError(f"noise must be a number >= 0, not {noise!r}")


def _shuffle_and_jitter(X, y, rs: np.random.RandomState, noise: float):
    """Shuffle the samples, then add Gaussian noise: scikit-learn's order of draws."""
    indices = np.arange(len(X))
    rs.shuffle(indices)
    X, y = X[indices], y[indices]
    X += rs.normal(scale=noise, size=X.shape)
    return X, y


def moons(n=100, noise=0.1, seed=1337):
    """Two interleaving half circles (2 classes), exactly as scikit-learn's make_moons."""
    _check(n, noise)
    rs = np.random.RandomState(seed)
    n_out = n // 2
    n_in = n - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)), np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffle_and_jitter(X, y, rs, noise)


def circles(n=100, noise=0.05, seed=1337, factor=0.5):
    """A small circle (class 1) inside a large one (class 0), as scikit-learn's make_circles."""
    _check(n, noise)
    if not 0 <= factor < 1:
        raise ValueError(f"factor (the inner circle's radius) must be in [0, 1), not {factor!r}")
    rs = np.random.RandomState(seed)
    n_out = n // 2
    n_in = n - n_out
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [np.append(np.cos(outer), np.cos(inner) * factor), np.append(np.sin(outer), np.sin(inner) * factor)]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffle_and_jitter(X, y, rs, noise)


def blobs(n=100, noise=0.3, seed=1337, classes=2):
    """Gaussian blobs, one per class, their centres evenly spaced on a circle of radius 1.5."""
    _check(n, noise)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"blobs needs at least 2 classes, not {classes!r}")
    rs = np.random.RandomState(seed)
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = 1.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.arange(n, dtype=np.intp) % classes  # as even as n allows
    X = centres[y].astype(np.float64)
    return _shuffle_and_jitter(X, y, rs, noise)


def xor(n=100, noise=0.1, seed=1337):
    """Points in the square [-1, 1]^2; class 1 where x and y have opposite signs (the XOR of their signs)."""
    _check(n, noise)
    rs = np.random.RandomState(seed)
    X = rs.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.intp)  # labelled before the noise, so noise blurs the border
    return _shuffle_and_jitter(X, y, rs, noise)


def _yinyang_class(x, y, r_small=0.1, r_big=0.5):
    """Class of points inside the yin-yang disc (Kriener et al. 2021): 0 yang, 1 yin, 2 the two dots."""
    d_right = np.hypot(x - 1.5 * r_big, y - r_big)
    d_left = np.hypot(x - 0.5 * r_big, y - r_big)
    is_yin = (
        (d_right <= r_small) | ((d_left > r_small) & (d_left <= 0.5 * r_big)) | ((y > r_big) & (d_right > 0.5 * r_big))
    )
    is_dot = (d_right < r_small) | (d_left < r_small)
    return np.where(is_dot, 2, is_yin.astype(np.intp))


def yinyang(n=99, noise=0.0, seed=1337):
    """The yin-yang dataset (3 classes: yang, yin, the dots), equally many of each, scaled to [-1, 1]^2.

    Points are drawn uniformly in the disc and kept only while their class still needs samples, so the
    small dots get as many samples as the large halves.
    """
    _check(n, noise, minimum=3)
    rs = np.random.RandomState(seed)
    wanted = [n // 3 + (1 if k < n % 3 else 0) for k in range(3)]
    points, labels = [], []
    while any(wanted):
        candidates = rs.uniform(0, 1, size=(4 * n, 2))
        inside = np.hypot(candidates[:, 0] - 0.5, candidates[:, 1] - 0.5) <= 0.5
        candidates = candidates[inside]
        for point, label in zip(candidates, _yinyang_class(candidates[:, 0], candidates[:, 1])):
            if wanted[label]:
                wanted[label] -= 1
                points.append(point)
                labels.append(label)
    X = (np.array(points) - 0.5) * 2  # the disc of radius 0.5 around (0.5, 0.5) -> the unit disc
    y = np.array(labels, dtype=np.intp)
    return _shuffle_and_jitter(X, y, rs, noise)


def tiny(n=4, noise=0.0, seed=None):
    """The four samples of Karpathy's micrograd lecture: xs with targets [1, -1, -1, 1], as classes [1, 0, 0, 1].

    n, noise and seed are accepted (so every dataset can be called alike) and ignored: the data is fixed.
    """
    X = np.array([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]])
    y = np.array([1, 0, 0, 1], dtype=np.intp)
    return X, y


def spiral(n=100, noise=0.1, seed=1337, arms=2):
    """Interleaved spiral arms, one class per arm (TensorFlow Playground's spiral, scaled to [-1, 1]^2).

    Each arm winds 1.75 turns out from the centre; arm k is arm 0 turned by 2*pi*k/arms.
    """
    _check(n, noise, minimum=arms)
    if isinstance(arms, bool) or not isinstance(arms, int) or arms < 2:
        raise ValueError(f"a spiral needs at least 2 arms, not {arms!r}")
    rs = np.random.RandomState(seed)
    y = np.arange(n, dtype=np.intp) % arms  # as even as n allows
    along = np.empty(n)
    for k in range(arms):
        mine = y == k
        along[mine] = np.linspace(0.0, 1.0, int(mine.sum()), endpoint=False)
    angle = 1.75 * 2 * np.pi * along + 2 * np.pi * y / arms
    X = np.column_stack([along * np.sin(angle), along * np.cos(angle)])
    return _shuffle_and_jitter(X, y, rs, noise)


def spiral3(n=99, noise=0.1, seed=1337):
    """The spiral with three arms (three classes)."""
    return spiral(n, noise, seed, arms=3)


def gaussians(n=100, noise=0.1, seed=1337):
    """Two Gaussian clusters (Playground's "Gaussian"): class 0 around (-0.5, -0.5), class 1 around (0.5, 0.5),
    each with a standard deviation of 0.25 before the noise."""
    _check(n, noise)
    rs = np.random.RandomState(seed)
    y = np.arange(n, dtype=np.intp) % 2
    X = np.where(y[:, None] == 1, 0.5, -0.5) + rs.normal(scale=0.25, size=(n, 2))
    return _shuffle_and_jitter(X, y, rs, noise)


def plane(n=100, noise=0.0, seed=1337):
    """Regression: points uniform in [-1, 1]^2, target (x1 + x2) / 2 (Playground's "plane"), in [-1, 1].

    The target is computed before the noise moves the points, so noise blurs the plane.
    """
    _check(n, noise)
    rs = np.random.RandomState(seed)
    X = rs.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] + X[:, 1]) / 2
    return _shuffle_and_jitter(X, y, rs, noise)


# (centre x, centre y, sign) of the bumps of `multi_gaussian`: Playground's six, scaled into [-1, 1]^2.
_BUMPS = ((-2 / 3, 0.5, 1), (0, 0.5, -1), (2 / 3, 0.5, 1), (-2 / 3, -0.5, -1), (0, -0.5, 1), (2 / 3, -0.5, -1))


def _bumps(X) -> np.ndarray:
    return sum(sign * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / (2 * 0.2**2)) for cx, cy, sign in _BUMPS)


def multi_gaussian(n=100, noise=0.0, seed=1337):
    """Regression: points uniform in [-1, 1]^2, target a sum of six Gaussian bumps of height +-1 and width 0.2
    (Playground's "multi gaussian"), so about -1 to 1. Target before noise, as `plane`."""
    _check(n, noise)
    rs = np.random.RandomState(seed)
    X = rs.uniform(-1, 1, size=(n, 2))
    return _shuffle_and_jitter(X, _bumps(X), rs, noise)


DATASETS = {
    "moons": moons,
    "circles": circles,
    "blobs": blobs,
    "xor": xor,
    "yinyang": yinyang,
    "tiny": tiny,
    "spiral": spiral,
    "spiral3": spiral3,
    "gaussians": gaussians,
    "plane": plane,
    "multi_gaussian": multi_gaussian,
}
REGRESSION = frozenset({"plane", "multi_gaussian"})  # their y are real targets, trained with mse_regression


def held_out_mask(n: int, test_percent: int, seed: int) -> np.ndarray:
    """Which of n samples are held out for testing, as a boolean mask: n * test_percent // 100 of them (at most
    n - 1: training needs one), the first ones of a permutation seeded with `seed`. 0 percent holds out none."""
    if isinstance(test_percent, bool) or not isinstance(test_percent, int) or not 0 <= test_percent < 100:
        raise ValueError(f"the test percentage must be a whole number from 0 to 99, not {test_percent!r}")
    held_out = min(n * test_percent // 100, n - 1) if n else 0
    mask = np.zeros(n, dtype=bool)
    mask[np.random.RandomState(seed).permutation(n)[:held_out]] = True
    return mask


# What `load_csv` takes (the workbench's import, and its session format, share these: tui/limits.py).
MAX_CSV_BYTES = 16 * 2**20  # 10,000 rows of 64 numbers written in full; a 200 MB file took 25 s to parse
MAX_CSV_ROWS = 10_000
MAX_CSV_COLUMNS = 65  # 64 features and the label
MAX_CLASS = 1000  # the largest class index a label may be
MAX_CSV_FIELD = 1000  # characters in one cell: a number needs a few dozen


def load_csv(path, *, max_bytes: int = MAX_CSV_BYTES, max_rows: int = MAX_CSV_ROWS):
    """Features and labels from a CSV file: numbers in every column, the class index (0, 1, ...) last.

    A first row that is not all numbers is taken as a header; a UTF-8 byte order mark before it is dropped.
    Blank lines are skipped. Only a regular file of at most `max_bytes` is read (a named pipe would block
    forever). Every bad input raises ValueError naming the file and the line (counting from 1, as an editor
    shows lines).
    """
    from micrograd import files

    name = files.printable_name(path)
    try:
        text = files.read_text(path, max_bytes)
    except files.FileRefused as err:
        raise ValueError(str(err)) from None
    rows: list[list[float]] = []
    labels: list[int] = []
    width = None
    reader = csv.reader(io.StringIO(text, newline=""))
    row_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:  # a field over the csv module's limit, a NUL, a stray quote
            raise ValueError(f"{name}, line {reader.line_num}: not readable as CSV ({err})") from None
        row_number = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        where = f"{name}, line {row_number}"
        if len(row) > MAX_CSV_COLUMNS:
            raise ValueError(f"{where}: {len(row)} columns; at most {MAX_CSV_COLUMNS} (64 features and the label)")
        long_cell = next((cell for cell in row if len(cell) > MAX_CSV_FIELD), None)
        if long_cell is not None:
            raise ValueError(f"{where}: a cell of {len(long_cell):,} characters; a number needs far fewer")
        try:
            numbers = [float(cell) for cell in row]
        except ValueError:
            if width is None and not rows:  # a header
                width = len(row)
                continue
            bad = next(cell for cell in row if not _is_number(cell))
            raise ValueError(f"{where}: {_shown_cell(bad)} is not a number") from None
        if width is None:
            width = len(row)
        if len(numbers) != width:
            raise ValueError(f"{where}: {len(numbers)} columns, but the file's rows have {width}")
        if width < 2:
            raise ValueError(f"{where}: a row needs at least one feature and a label, got {width} column")
        if not all(math.isfinite(x) and abs(x) <= 1e308 for x in numbers):
            raise ValueError(f"{where}: every number must be finite (no nan or inf)")
        label = numbers[-1]
        if not (0 <= label <= MAX_CLASS and label.is_integer()):
            raise ValueError(
                f"{where}: the label (last column) must be a class index 0, 1, 2, ... up to {MAX_CLASS}, "
                f"not {_shown_cell(row[-1])}"
            )
        if len(rows) == max_rows:
            raise ValueError(f"{where}: more than {max_rows:,} data rows")
        rows.append(numbers[:-1])
        labels.append(int(label))
    if not rows:
        raise ValueError(f"{name}: no data rows")
    return np.array(rows, dtype=np.float64), np.array(labels, dtype=np.intp)


def _shown_cell(cell: str) -> str:
    """A cell in a message: quoted, without the spaces around it, control characters escaped, at most 40."""
    text = cell.strip()
    short = text[:40] + ("…" if len(text) > 40 else "")
    return "'" + "".join(ch if ch.isprintable() and ch != "'" else ascii(ch)[1:-1] for ch in short) + "'"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
