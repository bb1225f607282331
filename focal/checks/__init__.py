"""Exercise checkers for the notebooks, one module per notebook, e.g. ``focal.checks.basics``.

A checker compares a learner's answer with ``focal.reference`` (or NumPy) on a fixed grid,
prints one fixed line when the answer is right and raises ``core.NotYet`` (an
``AssertionError``) with a hint when it is not: Jupyter shows the hint and nothing of the checker.
A notebook imports its module as ``checks``.
"""
