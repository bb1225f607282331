"""Argument checks shared by the package: each failure is a ValueError naming the argument."""

import math
import numbers
from collections.abc import Iterator, Mapping, Set

import numpy as np


def number(name, value, low=None, high=None, *, high_open=False):
    """Return ``value`` as a float, checked finite and in [low, high] (or [low, high))."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a real number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value}.")
    too_low = low is not None and value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if high is None:
            raise ValueError(f"`{name}` must be >= {low}, got {value}.")
        bracket = ")" if high_open else "]"
        raise ValueError(f"`{name}` must be in [{low}, {high}{bracket}, got {value}.")
    return value


def integer(name, value, low=1):
    """Return ``value`` as an int after checking it is an integer (not a bool) >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"`{name}` must be {_integer_kind(low)}, got {value!r}.")
    if value < low:
        raise ValueError(f"`{name}` must be {_integer_kind(low)}, got {value!r}.")
    return int(value)


def _integer_kind(low):
    return {0: "a non-negative integer", 1: "a positive integer"}.get(low, f"an integer >= {low}")


def seed(name, value):
    """Return ``value`` as an int seed (an integer >= 0, not a bool); None is refused, since a
    seedless run cannot be repeated."""
    if value is None:
        raise ValueError(f"`{name}` must be an integer >= 0 so that the run repeats, got None.")
    return integer(name, value, 0)


def flag(name, value):
    """Return ``value`` after checking it is a bool (not a truthy string or number)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False, got {value!r}.")
    return bool(value)


def sequence(name, value):
    """Reject what NumPy would turn into a 0-d object array: dicts, sets, iterators, strings."""
    if isinstance(value, Mapping):
        raise ValueError(
            f"`{name}` must be a sequence in class order, got a {type(value).__name__}; "
            f"pass [{name}[c] for c in classes] with the classes in the model's output order."
        )
    if isinstance(value, (Iterator, Set, str, bytes)):
        unordered = "" if isinstance(value, (str, bytes)) else " (no fixed order or length)"
        raise ValueError(
            f"`{name}` must be a list, tuple or array of numbers, got a "
            f"{type(value).__name__}{unordered}: {value!r}."
        )


def as_array(name, value):
    """``np.asarray(value)``, with a ValueError naming ``name`` for ragged nested lists."""
    sequence(name, value)
    try:
        return np.asarray(value)
    except ValueError as error:  # NumPy >= 1.24 refuses inhomogeneous nested sequences
        raise ValueError(
            f"`{name}` must be rectangular (every row the same length), got {value!r}."
        ) from error


def vector(name, value, low=None, high=None):
    """Return a 1-D sequence as a list of finite floats, each in [low, high]."""
    array = as_array(name, value)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-D sequence, got shape {array.shape}.")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"`{name}` must hold real numbers, got dtype {array.dtype}.")
    array = array.astype(np.float64)
    bad = ~np.isfinite(array)
    if low is not None:
        bad |= array < low
    if high is not None:
        bad |= array > high
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"`{name}` must hold finite values in [{low}, {high}]; entry {index} is {array[index]}."
        )
    return array.tolist()


def scalar_or_vector(name, value, low, high):
    """A number in [low, high], or a 1-D sequence of them (one per class)."""
    if np.ndim(value) == 0:
        return number(name, value, low, high)
    return vector(name, value, low, high)
