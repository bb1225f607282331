"""The tree's dependencies point one way: studies and benchmarks use focal, never the reverse,
and the study scripts share code only through study_runs, study_stats and multilabel_runs."""

import ast

import pytest
from scripts_loader import ROOT

STUDY_SCRIPTS = {"focal_study", "detection_study", "migration_study"}


def imported_modules(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "focal").rglob("*.py")), ids=str)
def test_the_package_imports_no_study_or_benchmark(path):
    tops = {name.split(".")[0] for name in imported_modules(path)}
    scripts = {p.stem for folder in ("studies", "benchmarks") for p in (ROOT / folder).glob("*.py")}
    assert not tops & (scripts | {"studies", "benchmarks"}), path


@pytest.mark.parametrize(
    "path", sorted([*(ROOT / "studies").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]), ids=str
)
def test_no_module_imports_a_study_script(path):
    assert not imported_modules(path) & STUDY_SCRIPTS, path


def test_the_detection_subpackage_exports_what_the_notebook_uses():
    from focal import detection

    used = "anchors assign box_iou load_detection_digits encode tiny_retina AnchorFocalLoss nms"
    for name in (*used.split(), "detect", "coco_ap", "anchor_ap"):
        assert callable(getattr(detection, name)), name
        assert name in detection.__all__
