"""FocalLoss inside Keras: saving, training and distribution, on every backend."""

import focal  # first: sets TensorFlow's environment
from focal import reference
from focal.data import load_multilabel_digits

import keras
import numpy as np
import pytest

DATA = load_multilabel_digits(n_train=512, n_test=64, seed=1)


def make_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((16, 16, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, bias_initializer=focal.PriorProbability(0.05)),
        ]
    )


def compiled(model, loss):
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    return model


def test_saved_model_reloads_without_custom_objects(tmp_path):
    loss = focal.FocalLoss(
        gamma=1.5,
        alpha=[0.3] * 10,
        class_weight=list(np.linspace(0.5, 2.0, 10)),
        label_smoothing=0.1,
        from_logits=True,
    )
    model = compiled(make_model(), loss)
    model.fit(DATA.x_train, DATA.y_train, epochs=1, batch_size=128, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert isinstance(restored.loss, focal.FocalLoss)
    assert restored.loss.get_config() == loss.get_config()
    x, y = DATA.x_test, DATA.y_test
    assert restored.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_prior_bias_gives_the_prior_at_step_zero():
    logits = keras.ops.convert_to_numpy(make_model()(DATA.x_test[:1] * 0.0))  # output = bias
    np.testing.assert_allclose(logits, reference.prior_bias(0.05) * np.ones((1, 10)), rtol=1e-6)


def test_fit_lowers_the_loss():
    model = compiled(make_model(), focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True))
    history = model.fit(
        DATA.x_train,
        DATA.y_train,
        epochs=5,
        batch_size=64,
        verbose=0,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    )
    losses = history.history["loss"]
    assert len(losses) == 5 and np.all(np.isfinite(losses))
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.tensorflow
def test_mirrored_strategy_gives_the_single_device_loss():
    import tensorflow as tf

    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, "conftest.py configures two logical CPUs"
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, class_weight=[1.0] * 10, from_logits=True)
    x, y = DATA.x_train[:128], DATA.y_train[:128]
    single = compiled(make_model(), loss).evaluate(x, y, batch_size=64, verbose=0)
    strategy = tf.distribute.MirroredStrategy(devices)
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        mirrored_model = compiled(make_model(), focal.FocalLoss.from_config(loss.get_config()))
    mirrored = mirrored_model.evaluate(x, y, batch_size=64, verbose=0)
    np.testing.assert_allclose(mirrored, single, rtol=1e-6)
    # The same weights, so the same per-example losses as an eager call (an oracle-free check
    # that both runs evaluated this model, not a freshly initialised one).
    np.testing.assert_allclose(single, float(loss(y, make_model()(x))), rtol=1e-5)


@pytest.mark.jax
def test_data_parallel_gives_the_single_device_loss():
    import jax

    devices = jax.devices("cpu")
    assert len(devices) == 2, "conftest.py asks XLA for two host devices"
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, class_weight=[1.0] * 10, from_logits=True)
    x, y = DATA.x_train[:128], DATA.y_train[:128]
    single = compiled(make_model(), loss).evaluate(x, y, batch_size=64, verbose=0)
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    try:
        parallel_model = compiled(make_model(), focal.FocalLoss.from_config(loss.get_config()))
        parallel = parallel_model.evaluate(x, y, batch_size=64, verbose=0)
    finally:
        keras.distribution.set_distribution(None)
    np.testing.assert_allclose(parallel, single, rtol=1e-6)
    # The same weights, so the same loss as an eager call (both runs evaluated this model).
    np.testing.assert_allclose(single, float(loss(y, make_model()(x))), rtol=1e-5)
