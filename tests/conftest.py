"""Test set-up: two logical CPU devices, so a MirroredStrategy test can split a batch."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)

import tensorflow as tf


def pytest_configure(config):
    # Logical devices must be configured before TensorFlow initialises its runtime.
    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
    )
