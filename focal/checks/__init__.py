"""Exercise checkers for the notebooks: each compares a learner's answer with ``focal.reference``.

A checker prints one fixed line when the answer is right and raises ``AssertionError`` with a
hint when it is not. One module per notebook; the names are re-exported here, so a notebook
calls e.g. ``checks.modulating_factor(modulating_factor)``.
"""

from focal.checks.basics import alpha_balanced_focal_loss, modulating_factor, p_t_for_ratio

__all__ = ["alpha_balanced_focal_loss", "modulating_factor", "p_t_for_ratio"]
