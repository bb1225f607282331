"""How an exercise is checked: the learner's function against an oracle on a fixed grid.

A failed check raises ``NotYet``; an unfilled stub (it still raises NotImplementedError) is
reported as not attempted and does not stop the run, so Run All on a student copy reaches the end.
A checker returns a ``Verdict``, true only when the answer passed, so a check cell runs the code
that uses the learner's function under ``if checks.iou(iou):``. IPython (so Jupyter, nbclient
and nbval) prints such an error as its message alone, never the checker's source, which holds
the reference answer; the ``checker`` decorator also cuts the checker's frames from the
traceback that plain Python, pytest or a debugger would show. A ``Mistake`` names a common wrong
answer: when the learner's answer matches it on the whole grid, its hint replaces the general
one.
"""

import dataclasses
import functools
import linecache
import pathlib
import sys
from collections.abc import Callable

import numpy as np

_PACKAGE = str(pathlib.Path(__file__).resolve().parent.parent)  # focal/
_LIBRARIES = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
ARRAY_ADVICE = (
    "The inputs are NumPy arrays: use NumPy's elementwise operations on them (np.log, np.exp, "
    "**, np.where, np.maximum), not math.* or an if on an array. "
)


class NotYet(AssertionError):  # noqa: N818 (the name students read)
    """A failed check. IPython shows ``NotYet: <message>`` and no frame of the checker.

    Attributes:
        mistake: the name of the recognised ``Mistake``, or None.
        attempted: False when the function still raises NotImplementedError (an unfilled stub).
    """

    def __init__(self, message, *, mistake=None, attempted=True):
        super().__init__(message)
        self.mistake = mistake
        self.attempted = attempted

    def _render_traceback_(self):
        """The lines IPython prints in place of a traceback."""
        return [f"{type(self).__name__}: {self}"]


class Verdict:
    """What a checker returns: true when the answer passed, false when the stub is unfilled.

    The checker has already printed its one line, so Jupyter shows nothing more for a check cell
    that ends with the call (no ``Out[n]``).
    """

    def __init__(self, exercise, correct):
        self.exercise = exercise
        self.correct = correct

    def __bool__(self):
        return self.correct

    def __repr__(self):
        return f"Verdict({self.exercise!r}, correct={self.correct})"

    def _ipython_display_(self):
        """Display nothing: IPython calls this in place of showing the repr."""


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A common wrong answer (``answer``, same signature as the exercise) and what to change."""

    name: str
    answer: Callable
    hint: str


def checker(check):
    """Decorate a checker (its docstring starts "Exercise N.k:") so that nothing of it shows.

    A ``NotYet`` leaves with a traceback that starts in this wrapper, not in the checker; any
    other error the answer causes in the checker becomes a ``NotYet`` too. An unfilled stub's
    ``NotYet`` (``attempted=False``) is printed instead of raised, and the checked function
    returns a false ``Verdict``; a passed check returns a true one.
    """
    exercise = check.__doc__.split(":", 1)[0]

    @functools.wraps(check)
    def checked(answer):
        try:
            check(answer)
        except NotYet as failure:
            if not failure.attempted:  # Run All goes on past an exercise not started
                print(failure)
                return Verdict(exercise, correct=False)
            raise failure.with_traceback(None) from failure.__cause__
        except Exception as error:  # the answer broke the check itself
            raise NotYet(
                f"{exercise}: not yet. The check could not use your answer: "
                f"{type(error).__name__}: {error}"
            ) from error
        return Verdict(exercise, correct=True)

    return checked


def passed(exercise):
    print(f"{exercise}: correct.")


def described(args, most=12):
    """The inputs as a failure message shows them: small arrays in full, larger ones by shape."""
    shown = []
    for arg in args:
        size = np.size(arg) if isinstance(arg, (np.ndarray, list, tuple)) else 1
        shown.append(f"an array of shape {np.shape(arg)}" if size > most else repr(arg))
    return "(" + ", ".join(shown) + ")"


def _learners_line(error):
    """' at `<line>`': the deepest line of the learner's own code in the error's traceback."""
    line, tb = "", error.__traceback__.tb_next  # skip call()'s own frame
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith((_PACKAGE, *_LIBRARIES)):
            text = linecache.getline(filename, tb.tb_lineno, tb.tb_frame.f_globals).strip()
            line = f" at `{text}`" if text else line
        tb = tb.tb_next
    return line


def call(exercise, answer, args, hint):
    """``answer(*args)``; an error raised inside it becomes a ``NotYet`` that names it."""
    try:
        return answer(*args)
    except NotImplementedError:
        raise NotYet(
            f"{exercise}: not attempted yet. The function still raises NotImplementedError: "
            "fill in its blanks, delete the raise line, run its cell, then this one.",
            attempted=False,
        ) from None
    except Exception as error:
        arrays = any(isinstance(arg, np.ndarray) for arg in args)
        advice = ARRAY_ADVICE if arrays and isinstance(error, (TypeError, ValueError)) else ""
        raise NotYet(
            f"{exercise}: not yet. For inputs {described(args)} your function raised "
            f"{type(error).__name__}: {error}{_learners_line(error)}. {advice}Hint: {hint}"
        ) from error


def _numbers(exercise, value, args, hint):
    """The answer as a float64 array, or a ``NotYet`` that says what came back instead."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise NotYet(
            f"{exercise}: not yet. For inputs {described(args)} your function returned a "
            f"{type(value).__name__}, not a number or an array of numbers. Hint: {hint}"
        ) from None


def _same(got, expected, rtol, atol):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return got.shape == expected.shape and np.allclose(
        got, expected, rtol=rtol, atol=atol, equal_nan=True
    )


def recognised(answer, mistakes, grid, rtol=1e-6, atol=1e-12):
    """The first of ``mistakes`` that ``answer`` matches at every point of ``grid``, or None."""
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                if all(_same(answer(*a), mistake.answer(*a), rtol, atol) for a in grid):
                    return mistake
        except Exception:
            continue
    return None


def function_on_grid(exercise, answer, oracle, grid, hint, rtol=1e-6, atol=1e-12, mistakes=()):
    """Call ``answer(*args)`` for every ``args`` in ``grid`` and compare with ``oracle(*args)``."""
    for args in grid:
        expected = np.asarray(oracle(*args), dtype=np.float64)
        got = _numbers(exercise, call(exercise, answer, args, hint), args, hint)
        if got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=atol):
            continue
        mistake = recognised(answer, mistakes, grid, rtol, atol)
        named = f"Hint: {mistake.hint if mistake else hint}"
        if got.shape != expected.shape:
            message = (
                f"{exercise}: for inputs {described(args)} the answer has shape {got.shape}, "
                f"expected {expected.shape}. {named}"
            )
        else:
            message = (
                f"{exercise}: not yet. For inputs {described(args)} expected "
                f"{np.round(expected, 6)}, got {np.round(got, 6)}. {named}"
            )
        raise NotYet(message, mistake=mistake and mistake.name)
    passed(exercise)
