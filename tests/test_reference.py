"""focal.reference against hand-computed values, the paper's stated facts and finite differences."""

import focal  # first: sets TensorFlow's environment
from focal import reference as ref

import math

import numpy as np
import pytest

P = np.linspace(0.01, 0.99, 25)
X = np.linspace(-6.0, 6.0, 49)
GAMMAS = (0.5, 1.0, 2.0, 5.0)


def test_package_exposes_reference():
    assert focal.reference is ref


# --- golden values, computed by hand ---------------------------------------------------------


def test_sigmoid_golden():
    assert ref.sigmoid(0.0) == 0.5
    assert ref.sigmoid(math.log(3.0)) == pytest.approx(0.75, rel=1e-15)
    assert ref.sigmoid(-math.log(3.0)) == pytest.approx(0.25, rel=1e-15)


def test_cross_entropy_golden():
    assert ref.cross_entropy(0.9, 1) == pytest.approx(0.10536051565782628, rel=1e-14)
    assert ref.cross_entropy(0.9, 0) == pytest.approx(2.302585092994046, rel=1e-12)
    # soft label: -0.3 log(0.8) - 0.7 log(0.2)
    assert ref.cross_entropy(0.8, 0.3) == pytest.approx(1.1935496040981333, rel=1e-12)


def test_p_t_and_alpha_t_golden():
    np.testing.assert_array_equal(ref.p_t([0.3, 0.3], [1, 0]), [0.3, 0.7])
    np.testing.assert_array_equal(ref.alpha_t(0.25, [1, 0]), [0.25, 0.75])


def test_alpha_balanced_cross_entropy_golden():
    got = ref.alpha_balanced_cross_entropy([0.9, 0.9], [1, 0], 0.25)
    np.testing.assert_allclose(got, [0.25 * 0.10536051565782628, 0.75 * 2.302585092994046])


def test_focal_loss_golden():
    # (1 - 0.9)^2 * -log(0.9) and, for y = 0, p_t = 0.2: (0.8)^2 * -log(0.2)
    got = ref.focal_loss([0.9, 0.8], [1, 0], 2.0)
    np.testing.assert_allclose(got, [0.01 * 0.10536051565782628, 0.64 * 1.6094379124341003])


def test_soft_focal_loss_golden():
    # -0.3 (1 - 0.8)^2 log(0.8) - 0.7 (0.8)^2 log(0.2), weighted 0.25 / 0.75 with alpha
    pos, neg = 0.3 * 0.04 * 0.2231435513142097, 0.7 * 0.64 * 1.6094379124341003
    assert ref.soft_focal_loss(0.8, 0.3, 2.0) == pytest.approx(pos + neg, rel=1e-12)
    got = ref.soft_focal_loss(0.8, 0.3, 2.0, alpha=0.25)
    assert got == pytest.approx(0.25 * pos + 0.75 * neg, rel=1e-12)


# --- the paper's facts ------------------------------------------------------------------------


@pytest.mark.parametrize("y", [0, 1])
def test_gamma_2_is_100x_lower_at_p_t_0_9(y):
    p = 0.9 if y == 1 else 0.1  # p_t = 0.9 either way
    ratio = ref.focal_loss(p, y, 2.0) / ref.cross_entropy(p, y)
    assert ratio == pytest.approx(0.01, rel=1e-12)


@pytest.mark.parametrize("y", [0, 1])
def test_gamma_2_is_1000x_lower_near_p_t_0_968(y):
    pt = 1.0 - math.sqrt(1e-3)  # solves (1 - p_t)^2 = 1e-3
    assert round(pt, 3) == 0.968
    p = pt if y == 1 else 1.0 - pt
    ratio = ref.focal_loss(p, y, 2.0) / ref.cross_entropy(p, y)
    assert ratio == pytest.approx(1e-3, rel=1e-9)


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_fl_over_ce_is_modulating_factor_times_alpha_t(y, gamma):
    pt = P if y == 1 else 1.0 - P
    alpha_t = 0.25 if y == 1 else 0.75
    ratio = ref.alpha_balanced_focal_loss(P, y, gamma, 0.25) / ref.cross_entropy(P, y)
    np.testing.assert_allclose(ratio, alpha_t * (1.0 - pt) ** gamma, rtol=1e-12)


@pytest.mark.parametrize("y", [0, 1])
def test_gamma_0_focal_is_cross_entropy(y):
    np.testing.assert_allclose(ref.focal_loss(P, y, 0.0), ref.cross_entropy(P, y), rtol=1e-14)


@pytest.mark.parametrize("y", [0, 1])
def test_alpha_balanced_focal_is_alpha_t_times_focal(y):
    alpha_t = 0.25 if y == 1 else 0.75
    got = ref.alpha_balanced_focal_loss(P, y, 2.0, 0.25)
    np.testing.assert_allclose(got, alpha_t * ref.focal_loss(P, y, 2.0), rtol=1e-14)


# --- soft_focal_loss ----------------------------------------------------------------------------


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("gamma", [0.0, *GAMMAS])
def test_soft_focal_loss_matches_hard_label_losses(y, gamma):
    labels = np.full_like(P, y)
    np.testing.assert_allclose(
        ref.soft_focal_loss(P, labels, gamma), ref.focal_loss(P, labels, gamma), rtol=1e-12
    )
    np.testing.assert_allclose(
        ref.soft_focal_loss(P, labels, gamma, alpha=0.25),
        ref.alpha_balanced_focal_loss(P, labels, gamma, 0.25),
        rtol=1e-12,
    )


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gammas", [(2.0, None), (0.5, None), (2.0, 4.0), (1.0, 0.5)])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_soft_focal_loss_is_linear_in_the_label(alpha, gammas, y):
    gamma_pos, gamma_neg = gammas
    e = 0.1

    def loss(label):
        return ref.soft_focal_loss(P, label, gamma_pos, gamma_neg=gamma_neg, alpha=alpha)

    smoothed = loss((1.0 - e) * y + e / 2.0)
    np.testing.assert_allclose(smoothed, (1.0 - e) * loss(y) + e * loss(0.5), rtol=1e-12)


def test_soft_focal_loss_gamma_neg_applies_to_negatives_only():
    # y = 1: only gamma_pos; y = 0: only gamma_neg, by the formula written out.
    pos = -((1.0 - P) ** 2.0) * np.log(P)
    neg = -(P**4.0) * np.log(1.0 - P)
    np.testing.assert_allclose(ref.soft_focal_loss(P, 1.0, 2.0, gamma_neg=4.0), pos, rtol=1e-12)
    np.testing.assert_allclose(ref.soft_focal_loss(P, 0.0, 2.0, gamma_neg=4.0), neg, rtol=1e-12)


# --- prior bias -------------------------------------------------------------------------------


def test_prior_bias_golden():
    assert ref.prior_bias(0.01) == pytest.approx(-math.log(99.0), rel=1e-14)
    assert ref.prior_bias(0.01) == pytest.approx(-4.595, abs=1e-3)
    assert ref.prior_bias(0.5) == 0.0


@pytest.mark.parametrize("pi", [1e-4, 0.01, 0.3, 0.5, 0.9])
def test_sigmoid_of_prior_bias_is_pi(pi):
    assert ref.sigmoid(ref.prior_bias(pi)) == pytest.approx(pi, rel=1e-12)


# --- appendices: FL* and the gradients ---------------------------------------------------------


def _central_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2.0 * h)


def _assert_matches_finite_difference(grad, f):
    np.testing.assert_allclose(grad, _central_difference(f, X), rtol=1e-5, atol=1e-7)


def test_x_t_golden():
    np.testing.assert_array_equal(ref.x_t([2.0, 2.0], [1, 0]), [2.0, -2.0])


@pytest.mark.parametrize("y", [0, 1])
def test_cross_entropy_grad(y):
    _assert_matches_finite_difference(
        ref.cross_entropy_grad(X, y), lambda x: ref.cross_entropy(ref.sigmoid(x), y)
    )


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_focal_loss_grad(y, gamma):
    _assert_matches_finite_difference(
        ref.focal_loss_grad(X, y, gamma), lambda x: ref.focal_loss(ref.sigmoid(x), y, gamma)
    )


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("beta", [0.0, 1.0])
def test_fl_star_grad(y, gamma, beta):
    _assert_matches_finite_difference(
        ref.fl_star_grad(X, y, gamma, beta), lambda x: ref.fl_star(x, y, gamma, beta)
    )


@pytest.mark.parametrize("y", [0, 1])
def test_fl_star_with_gamma_1_beta_0_is_cross_entropy(y):
    x_t = X if y == 1 else -X
    expected = np.log1p(np.exp(-x_t))  # -log sigmoid(x_t)
    np.testing.assert_allclose(ref.fl_star(X, y, 1.0, 0.0), expected, rtol=1e-12)
