"""Datasets: scikit-learn's make_moons reproduced (checked once against the real thing, recorded here),
the geometry of each generator, seeding, and the CSV loader's errors."""

import math

import numpy as np
import pytest

from micrograd.datasets import DATASETS, REGRESSION, blobs, circles, load_csv, moons, tiny, xor, yinyang


def test_moons_equals_scikit_learns_make_moons():
    # Copied from scikit-learn 1.9.1 (numpy 2.4.6): np.random.seed(1337); X, y = make_moons(n_samples=100,
    # noise=0.1) -- exactly micrograd's demo.ipynb. (Checked once in a throwaway venv; moons() also equalled
    # make_moons(n, noise, random_state=RandomState(seed)) bit for bit for n in 1, 2, 7, 100, 101, 500, noise in
    # 0, 0.1, 0.3 and 4 seeds, and circles(..., factor=0.5) equalled make_circles likewise.)
    X, y = moons(100, 0.1, seed=1337)
    published = {
        0: (1.1221146075409685, 0.08147717341718697, 0),
        1: (-0.8188294130836691, 0.058790063907949996, 0),
        2: (1.613709660987544, -0.12464590012238597, 1),
        50: (-0.9416269141193683, 0.16801857627931402, 0),
        99: (0.12108297264758441, 1.0655522522437006, 0),
    }
    for i, (x0, x1, label) in published.items():
        assert (X[i, 0], X[i, 1], y[i]) == (x0, x1, label)
    assert y[:20].tolist() == [0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0]


def test_moons_geometry_without_noise():
    X, y = moons(101, 0.0, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64 and np.bincount(y).tolist() == [50, 51]
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert (outer[:, 1] >= -1e-12).all() and (inner[:, 1] <= 0.5 + 1e-12).all()


def test_circles_geometry_without_noise():
    X, y = circles(40, 0.0, seed=3, factor=0.3)
    radii = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radii[y == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(radii[y == 1], 0.3, rtol=1e-12)


def test_blobs_cluster_around_their_centres():
    X, y = blobs(300, 0.1, seed=1, classes=3)
    assert np.bincount(y).tolist() == [100, 100, 100]
    for k in range(3):
        angle = 2 * math.pi * k / 3
        centre = X[y == k].mean(axis=0)
        assert np.hypot(*(centre - 1.5 * np.array([math.cos(angle), math.sin(angle)]))) < 0.05


def test_xor_labels_are_the_xor_of_the_signs():
    X, y = xor(200, 0.0, seed=2)
    assert ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int).tolist() == y.tolist()
    assert np.abs(X).max() <= 1


def test_yinyang_has_three_balanced_classes_in_the_unit_disc():
    X, y = yinyang(300, 0.0, seed=4)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert (np.hypot(X[:, 0], X[:, 1]) <= 1 + 1e-12).all()
    # The dots (class 2) are two small discs of radius 0.2 around (+-0.5, 0) after scaling.
    dots = X[y == 2]
    nearest = np.minimum(np.hypot(dots[:, 0] - 0.5, dots[:, 1]), np.hypot(dots[:, 0] + 0.5, dots[:, 1]))
    assert (nearest < 0.2).all()
    # Yin and yang are mirror images: each half of the disc holds mostly one of them.
    upper = X[:, 1] > 0
    assert abs(np.mean(y[upper & (y < 2)]) - np.mean(1 - y[~upper & (y < 2)])) < 0.2


def test_tiny_is_the_lecture_data():
    X, y = tiny()
    assert X.tolist() == [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]]
    assert y.tolist() == [1, 0, 0, 1]  # ys = [1.0, -1.0, -1.0, 1.0] as class indices


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_is_seeded_and_shaped_alike(name):
    make = DATASETS[name]
    state = np.random.get_state()
    X, y = make(60, 0.1, 7)
    assert np.random.get_state()[1].tolist() == state[1].tolist()  # NumPy's global generator untouched
    again_X, again_y = make(60, 0.1, 7)
    assert np.array_equal(X, again_X) and np.array_equal(y, again_y)
    assert X.ndim == 2 and X.dtype == np.float64 and y.shape == (len(X),)
    if name in REGRESSION:
        assert y.dtype == np.float64 and np.isfinite(y).all() and len(np.unique(y)) == len(y)  # real targets
    else:
        assert np.issubdtype(y.dtype, np.integer) and y.min() == 0
    assert np.isfinite(X).all()
    if name != "tiny":
        assert len(X) == 60
        assert not np.array_equal(X, make(60, 0.1, 8)[0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: moons(0, 0.1, 1), "number of samples"),
        (lambda: moons(10.5, 0.1, 1), "number of samples"),
        (lambda: moons(10, -0.1, 1), "noise"),
        (lambda: circles(10, 0.1, 1, factor=1.5), "factor"),
        (lambda: blobs(10, 0.1, 1, classes=1), "at least 2 classes"),
        (lambda: yinyang(2, 0.1, 1), "number of samples"),
    ],
)
def test_bad_arguments_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- CSV ---------------------------------------------------------------------------------------------


def test_load_csv_with_a_header_and_blank_lines(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("x,y,label\n0.5,-1,0\n\n2,3e-1,1\n  1.5 , 2 , 2 \n")
    X, y = load_csv(path)
    assert X.tolist() == [[0.5, -1.0], [2.0, 0.3], [1.5, 2.0]]
    assert y.tolist() == [0, 1, 2] and np.issubdtype(y.dtype, np.integer)


@pytest.mark.parametrize(
    "text, message",
    [
        ("x,y,label\n1,2,0\n1,oops,1\n", "line 3: 'oops' is not a number"),
        ("1,2,0\n1,2\n", "line 2: 2 columns, but the file's rows have 3"),
        ("1,2,0\n1,2,-1\n", "line 2: the label .* not '-1'"),
        ("1,2,0.5\n", "line 1: the label"),
        ("1,nan,0\n", "line 1: every number must be finite"),
        ("5\n", "line 1: a row needs at least one feature and a label"),
        ("x,y,label\n", "no data rows"),
        ("", "no data rows"),
    ],
)
def test_load_csv_rejects_bad_rows_with_the_row_number(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        load_csv(path)
    assert "bad.csv" in str(info.value)
