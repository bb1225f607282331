"""focal: sigmoid focal loss for Keras 3, derived and tested step by step.

The loss runs on every Keras backend (TensorFlow, JAX, torch); importing ``focal`` imports
only the active one (``KERAS_BACKEND``), and TensorFlow only on the TensorFlow backend
(``focal.original``, the seed snippet, is TensorFlow code and imports it itself).

Importing ``focal`` first makes notebook output reproducible: it silences TensorFlow's
start-up logging and turns off oneDNN's float reordering before TensorFlow loads.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def _import_keras_quietly():
    # On the TensorFlow backend Keras imports TensorFlow, whose C++ loader writes "Could not
    # find cuda drivers" to file descriptor 2 before any log level applies; Jupyter forwards
    # that into cell outputs with a timestamp.
    stderr_fd = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras  # noqa: F401
    finally:
        os.dup2(stderr_fd, 2)
        os.close(stderr_fd)
        os.close(devnull)


_import_keras_quietly()

from focal import reference, weights  # noqa: E402
from focal.initializers import PriorProbability, constant_minimiser  # noqa: E402
from focal.losses import FocalLoss, focal_loss, sigmoid_focal_crossentropy  # noqa: E402

__version__ = "0.2.0"

__all__ = [
    "FocalLoss",
    "PriorProbability",
    "constant_minimiser",
    "focal_loss",
    "reference",
    "sigmoid_focal_crossentropy",
    "weights",
]
