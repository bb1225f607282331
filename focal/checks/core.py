"""How an exercise is checked: the learner's function against an oracle on a fixed grid."""

import numpy as np


def passed(exercise):
    print(f"{exercise}: correct.")


def described(args, most=12):
    """The inputs as a failure message shows them: small arrays in full, larger ones by shape."""
    shown = []
    for arg in args:
        size = np.size(arg) if isinstance(arg, (np.ndarray, list, tuple)) else 1
        shown.append(f"an array of shape {np.shape(arg)}" if size > most else repr(arg))
    return "(" + ", ".join(shown) + ")"


def function_on_grid(exercise, answer, oracle, grid, hint, rtol=1e-6, atol=1e-12):
    """Call ``answer(*args)`` for every ``args`` in ``grid`` and compare with ``oracle(*args)``."""
    for args in grid:
        expected = np.asarray(oracle(*args), dtype=np.float64)
        got = np.asarray(answer(*args), dtype=np.float64)
        if got.shape != expected.shape:
            raise AssertionError(
                f"{exercise}: for inputs {described(args)} the answer has shape {got.shape}, "
                f"expected {expected.shape}. Hint: {hint}"
            )
        if not np.allclose(got, expected, rtol=rtol, atol=atol):
            raise AssertionError(
                f"{exercise}: not yet. For inputs {described(args)} expected "
                f"{np.round(expected, 6)}, got {np.round(got, 6)}. Hint: {hint}"
            )
    passed(exercise)
