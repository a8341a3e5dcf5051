"""The spiral, gaussian and regression sets, and the held-out test split: their geometry, class balance,
seeding and how noise moves them, each checked from the definition rather than from recorded numbers."""

import math

import numpy as np
import pytest

from micrograd.datasets import gaussians, held_out_mask, multi_gaussian, plane, spiral, spiral3


@pytest.mark.parametrize("arms", [2, 3])
def test_spiral_arms_wind_out_from_the_centre_one_class_each(arms):
    X, y = spiral(120, 0.0, seed=5, arms=arms)
    assert X.shape == (120, 2) and np.bincount(y).tolist() == [120 // arms] * arms
    for k in range(arms):
        arm = X[y == k]
        r = np.hypot(arm[:, 0], arm[:, 1])
        order = np.argsort(r)
        assert r.min() == 0 and r.max() < 1  # from the centre out to (almost) radius 1
        # the angle grows with the radius: 1.75 turns over the arm, arm k turned by 2*pi*k/arms
        angle = np.unwrap(np.arctan2(arm[order, 0], arm[order, 1])[1:])
        turns = (angle[-1] - angle[0]) / (2 * math.pi)
        assert turns == pytest.approx(1.75 * (r[order][-1] - r[order][1]), abs=1e-9)
        start = np.arctan2(arm[order[1], 0], arm[order[1], 1]) - 1.75 * 2 * math.pi * r[order[1]]
        assert math.remainder(start - 2 * math.pi * k / arms, 2 * math.pi) == pytest.approx(0, abs=1e-9)


def test_spiral3_is_the_three_armed_spiral():
    X3, y3 = spiral3(99, 0.1, 4)
    X, y = spiral(99, 0.1, 4, arms=3)
    assert np.array_equal(X3, X) and np.array_equal(y3, y) and np.bincount(y).tolist() == [33, 33, 33]


def test_noise_moves_every_point_by_a_seeded_gaussian():
    clean, labels = spiral(400, 0.0, seed=9)
    noisy, noisy_labels = spiral(400, 0.2, seed=9)
    assert np.array_equal(labels, noisy_labels)  # the same shuffle
    shift = (noisy - clean).ravel()
    assert shift.std() == pytest.approx(0.2, rel=0.1) and abs(shift.mean()) < 0.03


def test_gaussians_are_two_balanced_clusters_on_the_diagonal():
    X, y = gaussians(2000, 0.0, seed=1)
    assert np.bincount(y).tolist() == [1000, 1000]
    for label, centre in ((0, -0.5), (1, 0.5)):
        cluster = X[y == label]
        np.testing.assert_allclose(cluster.mean(axis=0), [centre, centre], atol=0.03)
        np.testing.assert_allclose(cluster.std(axis=0), [0.25, 0.25], rtol=0.1)
    wider = gaussians(2000, 0.3, seed=1)[0]  # noise adds variance: sqrt(0.25^2 + 0.3^2)
    assert wider[y == 1].std(axis=0) == pytest.approx([math.hypot(0.25, 0.3)] * 2, rel=0.1)


def test_plane_target_is_the_mean_of_the_coordinates():
    X, y = plane(500, 0.0, seed=2)
    assert X.shape == (500, 2) and y.dtype == np.float64 and np.abs(X).max() <= 1
    np.testing.assert_array_equal(y, (X[:, 0] + X[:, 1]) / 2)
    noisy, same_targets = plane(500, 0.1, seed=2)
    assert np.array_equal(same_targets, y) and not np.array_equal(noisy, X)  # noise moves points, not targets


def test_multi_gaussian_peaks_at_its_six_bumps():
    X, y = multi_gaussian(300, 0.0, seed=3)
    assert np.abs(X).max() <= 1 and -1.1 < y.min() < -0.5 and 0.5 < y.max() < 1.1
    # Independently: a bump of height +-1 and sd 0.2 at each of the six centres, summed.
    centres = [(-2 / 3, 0.5, 1), (0, 0.5, -1), (2 / 3, 0.5, 1), (-2 / 3, -0.5, -1), (0, -0.5, 1), (2 / 3, -0.5, -1)]
    for (x1, x2), target in zip(X[:20], y[:20]):
        expected = sum(s * math.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / 0.08) for cx, cy, s in centres)
        assert target == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("make", [spiral, spiral3, gaussians, plane, multi_gaussian])
def test_the_new_sets_are_seeded_and_leave_numpy_alone(make):
    state = np.random.get_state()[1].tolist()
    a, b, c = make(50, 0.1, 11), make(50, 0.1, 11), make(50, 0.1, 12)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and not np.array_equal(a[0], c[0])
    assert np.random.get_state()[1].tolist() == state


def test_held_out_mask_by_hand():
    # 10 samples, 30%: 10 * 30 // 100 = 3 held out, the first 3 of RandomState(1).permutation(10) = [2, 9, 6, ...]
    assert np.random.RandomState(1).permutation(10)[:3].tolist() == [2, 9, 6]
    mask = held_out_mask(10, 30, seed=1)
    assert np.flatnonzero(mask).tolist() == [2, 6, 9]
    assert not held_out_mask(10, 0, 1).any()  # 0 % holds out nothing
    assert held_out_mask(7, 99, 1).sum() == 6  # training always keeps one
    assert held_out_mask(3, 50, 5).sum() == 1 and np.array_equal(held_out_mask(50, 20, 5), held_out_mask(50, 20, 5))
    with pytest.raises(ValueError, match="from 0 to 99"):
        held_out_mask(10, 100, 1)
