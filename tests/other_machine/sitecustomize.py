"""Arithmetic as another CPU would do it: every optimizer step's gradients nudged by δ.

On the kernel's Python path (``PYTHONPATH=<repository>/tests/other_machine``, absolute: nbval
starts kernels in the notebooks' folder) with ``FOCAL_NUDGE=δ`` set,
each gradient element g becomes g (1 + δ u), with u in [-1, 1) pseudo-random per element and
per step, before Keras's optimizer applies it. Another CPU rounds sums in another order, by
about 1e-7 relatively per operation; training compounds that into different last digits.
The nudge stands in for it, larger, so that a stored output printing such digits differs on
this machine too. Only training moves: initial weights, prior biases and untrained forward
passes are exact by design and stay as they are. A time-varying u matters: Adam would cancel
a constant per-element factor.
"""

import importlib.abc
import importlib.machinery
import os
import sys

NUDGE = float(os.environ.get("FOCAL_NUDGE", "0"))
TARGET = "keras.src.optimizers.base_optimizer"


def nudged_apply(apply):
    def apply_with_nudge(self, grads, trainable_variables=None):
        from keras import ops

        step = ops.cast(self.iterations, "float32")
        nudged = []
        for k, grad in enumerate(grads):
            if grad is None:
                nudged.append(grad)
                continue
            index = ops.cast(ops.reshape(ops.arange(ops.size(grad)), ops.shape(grad)), "float32")
            # A hash into [0, 1): fract(43758.5453 sin(.)), the usual shader noise.
            hashed = ops.sin(index * 12.9898 + step * 78.233 + k * 37.719) * 43758.5453
            u = 2.0 * (hashed - ops.floor(hashed)) - 1.0
            nudged.append(grad * ops.cast(1.0 + NUDGE * u, grad.dtype))
        return apply(self, nudged, trainable_variables)

    return apply_with_nudge


class _Patch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            module.BaseOptimizer.apply = nudged_apply(module.BaseOptimizer.apply)

        spec.loader.exec_module = exec_and_patch
        return spec


if NUDGE:
    sys.meta_path.insert(0, _Patch())
