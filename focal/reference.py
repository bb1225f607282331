"""The paper's formulas in float64 NumPy: the oracle for the tests and notebooks.

Lin, Goyal, Girshick, He, Dollar (2017), "Focal Loss for Dense Object Detection",
arXiv:1708.02002. Each function names the equation it implements. Nothing here is
tuned for speed or for extreme inputs: it is the maths written plainly.

Conventions: ``p`` is the model's estimated probability of the positive class,
``y`` the label in {0, 1} (soft labels in [0, 1] are accepted where stated),
``x`` a logit (p = sigmoid(x)). The appendices write labels as y in {-1, +1};
the functions here take y in {0, 1} and convert where the formula needs the sign.
"""

import numpy as np


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def sigmoid(x):
    """p = 1 / (1 + exp(-x))."""
    (x,) = _f64(x)
    return 1.0 / (1.0 + np.exp(-x))


def cross_entropy(p, y):
    """Binary cross-entropy, eq. (1): CE(p, y) = -log(p) if y = 1, else -log(1 - p).

    For a soft label y in [0, 1] this is -y log(p) - (1 - y) log(1 - p).
    """
    p, y = _f64(p, y)
    return -y * np.log(p) - (1.0 - y) * np.log1p(-p)


def p_t(p, y):
    """Eq. (2): p_t = p if y = 1, else 1 - p, so that CE(p, y) = -log(p_t)."""
    p, y = _f64(p, y)
    return np.where(y == 1, p, 1.0 - p)


def alpha_t(alpha, y):
    """The weight of eq. (3): alpha_t = alpha if y = 1, else 1 - alpha."""
    alpha, y = _f64(alpha, y)
    return np.where(y == 1, alpha, 1.0 - alpha)


def alpha_balanced_cross_entropy(p, y, alpha):
    """Eq. (3): CE(p_t) = -alpha_t log(p_t)."""
    return -alpha_t(alpha, y) * np.log(p_t(p, y))


def focal_loss(p, y, gamma):
    """Eq. (4): FL(p_t) = -(1 - p_t)^gamma log(p_t)."""
    pt = p_t(p, y)
    return -((1.0 - pt) ** gamma) * np.log(pt)


def alpha_balanced_focal_loss(p, y, gamma, alpha):
    """Eq. (5): FL(p_t) = -alpha_t (1 - p_t)^gamma log(p_t)."""
    return alpha_t(alpha, y) * focal_loss(p, y, gamma)


def soft_focal_loss(p, y, gamma_pos, gamma_neg=None, alpha=None, margin=0.0):
    """Focal loss for a soft label y in [0, 1]: the expectation of eq. (4)/(5) over y.

    L(p, y) = y * alpha * FL(p, 1) + (1 - y) * (1 - alpha) * FL(p, 0)
            = -y alpha (1 - p)^gamma_pos log(p) - (1 - y)(1 - alpha) p^gamma_neg log(1 - p).

    This is the generalisation ``focal.FocalLoss`` uses: it equals eq. (4)/(5) for
    y in {0, 1} and is linear in y, so smoothing a label by e equals mixing the
    losses, (1 - e) L(p, y) + e L(p, 1/2). ``alpha=None`` means no weighting.

    ``margin`` m shifts the negatives' probability, as in the asymmetric loss (ASL) of
    Ridnik et al. (2021): p_m = max(p - m, 0), negative term -p_m^gamma_neg log(1 - p_m).
    """
    p, y = _f64(p, y)
    gamma_neg = gamma_pos if gamma_neg is None else gamma_neg
    w_pos, w_neg = (1.0, 1.0) if alpha is None else (alpha, 1.0 - np.asarray(alpha))
    p_m = np.maximum(p - margin, 0.0)
    pos = -((1.0 - p) ** gamma_pos) * np.log(p)
    neg = -(p_m**gamma_neg) * np.log1p(-p_m)
    return y * w_pos * pos + (1.0 - y) * w_neg * neg


def asymmetric_loss(p, y, gamma_pos=0.0, gamma_neg=4.0, margin=0.05):
    """ASL of Ridnik et al. (2021), "Asymmetric Loss for Multi-Label Classification".

    The defaults are the paper's recommended setting.

    L+ = -(1 - p)^gamma_pos log(p);  L- = -p_m^gamma_neg log(1 - p_m), p_m = max(p - m, 0).
    """
    return soft_focal_loss(p, y, gamma_pos, gamma_neg, margin=margin)


def prior_bias(pi):
    """Section 3.3 / 4.1: bias b = -log((1 - pi) / pi), so that sigmoid(b) = pi at step 0."""
    (pi,) = _f64(pi)
    return -np.log((1.0 - pi) / pi)


def _signed(y):
    """Map y in {0, 1} to the appendices' y in {-1, +1}."""
    (y,) = _f64(y)
    return 2.0 * y - 1.0


def x_t(x, y):
    """Appendix A, eq. (6): x_t = y x with y in {-1, +1}, so that p_t = sigmoid(x_t)."""
    (x,) = _f64(x)
    return _signed(y) * x


def fl_star(x, y, gamma, beta):
    """Appendix A, eq. (7)-(8): p*_t = sigmoid(gamma x_t + beta), FL* = -log(p*_t) / gamma."""
    p_star = sigmoid(gamma * x_t(x, y) + beta)
    return -np.log(p_star) / gamma


def cross_entropy_grad(x, y):
    """Appendix B, eq. (9): dCE/dx = y (p_t - 1), with y in {-1, +1}."""
    pt = sigmoid(x_t(x, y))
    return _signed(y) * (pt - 1.0)


def focal_loss_grad(x, y, gamma):
    """Appendix B, eq. (10): dFL/dx = y (1 - p_t)^gamma (gamma p_t log(p_t) + p_t - 1)."""
    pt = sigmoid(x_t(x, y))
    return _signed(y) * (1.0 - pt) ** gamma * (gamma * pt * np.log(pt) + pt - 1.0)


def fl_star_grad(x, y, gamma, beta):
    """Appendix B, eq. (11): dFL*/dx = y (p*_t - 1), p*_t = sigmoid(gamma x_t + beta)."""
    p_star = sigmoid(gamma * x_t(x, y) + beta)
    return _signed(y) * (p_star - 1.0)
