"""The focal loss on torch, per element, in torch's own ops: fewer kernels than the
``keras.ops`` form, whose every op is a separate kernel with Keras's conversions around it.
From logits for any target; from probabilities for hard targets only (see
``_hard_terms_from_probabilities``).

Same maths as ``losses._focal_terms_from_logits`` without a margin: with ls = log p and
lq = log(1 - p) = ls - x,

    loss = y w_pos (1 - p)^gamma_pos (-ls) + (1 - y) w_neg p^gamma_neg (-lq)

and the gradient is appendix B's closed form (eq. 10 for each side). -ls and x - ls are
torch's ``binary_cross_entropy_with_logits`` at y = 1 and y = 0 bit for bit (torch computes
(1 - y) x - log_sigmoid(x)), and -lq = x - ls exactly, as IEEE subtraction is antisymmetric;
each term is that times factors in [0, 1], so on hard labels FL <= CE holds exactly.

When a gradient is wanted, it is computed in the forward pass and only it is kept for the
backward pass (one tensor, not the half-dozen the formula reads), which then multiplies it
by the incoming gradient. torch is imported only when this runs (the torch backend).
"""

import numpy as np

_FUNCTION = []  # the autograd function, built on first use


def _power(v, gamma, log_v):
    """v^gamma: products for a small integer gamma, else exp(gamma log v); None for gamma 0."""
    if not gamma:
        return None
    if gamma == int(gamma) and gamma <= 4:
        result = v
        for _ in range(int(gamma) - 1):
            result = result * v
        return result
    import torch

    return torch.exp(log_v * gamma)


def _times(t, factor, owned):
    """t * factor (t if factor is None), in place where t is a temporary of ours."""
    if factor is None:
        return t
    return t.mul_(factor) if owned else t * factor


def _terms(x, y, gamma_pos, gamma_neg, w_pos, w_neg, grad_x, grad_y):
    """(loss, d loss / d x or None, d loss / d y or None), elementwise.

    Temporaries are overwritten in place once read for the last time: fewer allocations,
    and writes to memory still in the cache.
    """
    import torch
    from torch.nn import functional

    bound = float(np.sqrt(torch.finfo(x.dtype).max))  # as losses._finite: +-inf costs 0
    x = torch.clamp(x, -bound, bound)
    ls = functional.logsigmoid(x)  # log p
    lq = torch.sub(ls, x, out=x)  # log(1 - p); the clipped copy of x is read no more
    p, q = torch.exp(ls), torch.exp(lq)
    a = _power(q, gamma_pos, lq)  # (1 - p)^gamma_pos
    b = _power(p, gamma_neg, ls)  # p^gamma_neg
    # Each label times its side's weight, negated (ls, lq <= 0; a negation is exact).
    y_pos = -y if w_pos is None else y * -w_pos
    y_neg = 1.0 - y
    y_neg = y_neg.neg_() if w_neg is None else y_neg.mul_(-w_neg)
    d_x = d_y = None
    if grad_x:
        # y w_pos (1 - p)^g (g p ls - q) + (1 - y) w_neg p^g (p - g q lq): eq. (10), mirrored.
        inner_pos = torch.addcmul(q, p, ls, value=-gamma_pos) if gamma_pos else q
        inner_neg = torch.addcmul(p, q, lq, value=-gamma_neg) if gamma_neg else p
        inner_pos = _times(inner_pos, a, owned=bool(gamma_pos))
        inner_neg = _times(inner_neg, b, owned=bool(gamma_neg))
        d_x = _times(inner_pos, y_pos, owned=bool(gamma_pos))
        d_x.addcmul_(y_neg, inner_neg, value=-1.0)
    ls_a, lq_b = _times(ls, a, owned=True), _times(lq, b, owned=True)
    if grad_y:  # d/dy of y t + (1 - y) u is t - u
        minus_w_pos = -1.0 if w_pos is None else -w_pos
        minus_w_neg = -1.0 if w_neg is None else -w_neg
        d_y = ls_a * minus_w_pos - lq_b * minus_w_neg
    # y_pos (ls a) + y_neg (lq b): a hard label picks one term exactly (fma(0, u, t) = t),
    # and each is -ls or -lq times factors in [0, 1].
    loss = ls_a.mul_(y_pos).addcmul_(y_neg, lq_b)
    return loss, d_x, d_y


def _hard_terms_from_probabilities(p, y, gamma_pos, gamma_neg, w_pos, w_neg, grad_p, grad_y):
    """(loss, d loss / d p or None, d loss / d y or None) for hard labels y in {0, 1} and
    probabilities p already clipped to [eps, 1 - eps], elementwise.

    One cross-entropy kernel, at the labels: ce = torch's binary_cross_entropy(p, y) is
    -log p where y = 1 and -log(1 - p) where y = 0, bit for bit what Keras's cross-entropy
    returns there, and the loss is ce times a factor in [0, 1], w_pos (1 - p)^gamma_pos or
    w_neg p^gamma_neg. (torch's cross-entropy kernel is a scalar loop, tens of times slower
    than torch.log: Keras's focal loss pays it once too.)
    """
    import torch
    from torch.nn import functional

    ce = functional.binary_cross_entropy(p, y, reduction="none")
    q = 1.0 - p
    a = None if not gamma_pos else q * q if gamma_pos == 2 else torch.pow(q, gamma_pos)
    b = None if not gamma_neg else p * p if gamma_neg == 2 else torch.pow(p, gamma_neg)
    y_pos = y if w_pos is None else y * w_pos
    y_neg = 1.0 - y
    y_neg = y_neg if w_neg is None else y_neg.mul_(w_neg)
    d_p = d_y = None
    if grad_p:
        # d/dp of q^g (-log p) is -q^g (g ce / q + 1 / p); of p^g (-log q), p^g (g ce / p + 1 / q).
        inv_p, inv_q = torch.reciprocal(p), torch.reciprocal(q)
        d_pos = torch.addcmul(inv_p, ce, inv_q, value=gamma_pos) if gamma_pos else inv_p
        d_neg = torch.addcmul(inv_q, ce, inv_p, value=gamma_neg) if gamma_neg else inv_q
        d_pos, d_neg = _times(d_pos, a, owned=True), _times(d_neg, b, owned=True)
        d_p = d_neg.mul_(y_neg).addcmul_(y_pos, d_pos, value=-1.0)
    if grad_y:  # the loss as linear in y: t - u, with both sides' cross-entropies
        ce_pos = functional.binary_cross_entropy(p, torch.ones_like(p), reduction="none")
        ce_neg = functional.binary_cross_entropy(p, torch.zeros_like(p), reduction="none")
        t = ce_pos if a is None else ce_pos * a
        u = ce_neg if b is None else ce_neg * b
        d_y = (t if w_pos is None else t * w_pos) - (u if w_neg is None else u * w_neg)
    # ce (y_pos a + y_neg b), a factor in [0, 1] for a hard label
    factor = y_pos * a if a is not None else y_pos + 0.0  # a copy of ours to write into
    factor = factor.add_(y_neg) if b is None else factor.addcmul_(y_neg, b)
    return factor.mul_(ce), d_p, d_y


def _function():
    if _FUNCTION:
        return _FUNCTION[0]
    import torch

    class FocalTerms(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, hparams):
            from_logits, *hparams = hparams
            terms = _terms if from_logits else _hard_terms_from_probabilities
            grad_x, grad_y = ctx.needs_input_grad[:2]
            loss, d_x, d_y = terms(x, y, *hparams, grad_x, grad_y)
            ctx.save_for_backward(d_x, d_y)
            return loss

        @staticmethod
        def backward(ctx, upstream):
            d_x, d_y = ctx.saved_tensors
            return (
                None if d_x is None else upstream * d_x,
                None if d_y is None else upstream * d_y,
                None,
            )

    _FUNCTION.append(FocalTerms)
    return FocalTerms


def focal_terms(x, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """The per-element focal loss from logits x and targets y (torch tensors of one float
    dtype); w_pos, w_neg: None or tensors broadcasting against x (alpha, 1 - alpha)."""
    import torch

    hparams = (gamma_pos, gamma_neg, w_pos, w_neg)
    if torch.is_grad_enabled() and (x.requires_grad or y.requires_grad):
        return _function().apply(x, y, (True, *hparams))
    return _terms(x, y, *hparams, False, False)[0]


def focal_terms_from_probabilities(p, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """The per-element focal loss from probabilities p clipped to [eps, 1 - eps], for hard
    targets y; None if some target lies strictly between 0 and 1 (the caller then takes both
    sides' cross-entropies)."""
    import torch

    if torch.compiler.is_compiling() or bool(torch.any(y * (1.0 - y))):
        return None
    hparams = (gamma_pos, gamma_neg, w_pos, w_neg)
    if torch.is_grad_enabled() and (p.requires_grad or y.requires_grad):
        return _function().apply(p, y, (False, *hparams))
    return _hard_terms_from_probabilities(p, y, *hparams, False, False)[0]
