"""How an exercise is checked: the learner's function against an oracle on a fixed grid."""

import numpy as np


def passed(exercise):
    print(f"{exercise}: correct.")


def function_on_grid(exercise, answer, oracle, grid, hint, rtol=1e-6, atol=1e-12):
    """Call ``answer(*args)`` for every ``args`` in ``grid`` and compare with ``oracle(*args)``."""
    for args in grid:
        expected = np.asarray(oracle(*args), dtype=np.float64)
        got = np.asarray(answer(*args), dtype=np.float64)
        if got.shape != expected.shape:
            raise AssertionError(
                f"{exercise}: for inputs {args} the answer has shape {got.shape}, "
                f"expected {expected.shape}. Hint: {hint}"
            )
        if not np.allclose(got, expected, rtol=rtol, atol=atol):
            raise AssertionError(
                f"{exercise}: not yet. For inputs {args} expected {np.round(expected, 6)}, "
                f"got {np.round(got, 6)}. Hint: {hint}"
            )
    passed(exercise)
