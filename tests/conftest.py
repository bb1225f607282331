"""Test set-up: two CPU devices for the distribution tests, and backend markers.

A test marked ``tensorflow``, ``jax`` or ``torch`` needs that Keras backend and is skipped,
with the reason shown, on the others; ``make test`` runs the suite on TensorFlow and JAX.
"""

import os

if os.environ.get("KERAS_BACKEND") == "jax":
    # Read when JAX starts: two host devices for keras.distribution.DataParallel, and
    # float64, which the tests compare against the float64 reference (JAX is float32 by default).
    os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    os.environ.setdefault("JAX_ENABLE_X64", "1")

import focal  # noqa: F401  (first: sets TensorFlow's environment)

import keras
import pytest

BACKENDS = ("tensorflow", "jax", "torch")


def pytest_configure(config):
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # Logical devices must be configured before TensorFlow initialises its runtime.
        (cpu,) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
        )


def pytest_collection_modifyitems(config, items):
    active = keras.backend.backend()
    for item in items:
        for backend in BACKENDS:
            if backend != active and item.get_closest_marker(backend):
                item.add_marker(pytest.mark.skip(reason=f"needs Keras's {backend} backend"))
