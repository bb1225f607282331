"""benchmarks/jax_formulations.py: its guarantee checks catch the formulations that break one
(and pass the loss the package ships), and its HLO reader counts a conditional's fusions."""

import keras
import pytest
from scripts_loader import load_script

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="the benchmark measures JAX's XLA"
)


@pytest.fixture(scope="module")
def bench():
    return load_script("jax_formulations", "benchmarks")


def test_each_broken_guarantee_is_caught(bench):
    assert bench.broken_guarantees(bench.label_side) == ["soft labels"]
    assert set(bench.broken_guarantees(bench.keras_reference)) == {
        "gamma = 0 is BCE",
        "finite gradient",
        "soft labels",
    }
    assert bench.broken_guarantees(bench.focal_loss) == []
    assert bench.broken_guarantees(bench.both_sides) == []


def test_fusions_are_counted_in_the_entry_and_in_the_branches(bench):
    hlo = """%fused_a (p: f32[4]) -> f32[4] {
  ROOT %x = f32[4] exp(%p)
}

%branch_0 (p: f32[4]) -> f32[4] {
  %f1 = f32[4] fusion(%p), kind=kLoop, calls=%fused_a
  ROOT %f2 = f32[4] fusion(%f1), kind=kLoop, calls=%fused_a
}

%branch_1 (p: f32[4]) -> f32[4] {
  ROOT %f3 = f32[4] fusion(%p), kind=kLoop, calls=%fused_a
}

ENTRY %main (x: f32[4], c: s32[]) -> f32[4] {
  %f0 = f32[4] fusion(%x), kind=kLoop, calls=%fused_a
  ROOT %r = f32[4] conditional(%c, %f0), branch_computations={%branch_0, %branch_1}
}
"""
    assert bench._fusions(hlo) == (1, 3)
