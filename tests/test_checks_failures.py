"""A failed check shows its message and nothing of the checker, whichever way it is rendered.

Every exercise checker meets a wrong answer and an unfilled stub; the failure is rendered as
IPython shows it (``_render_traceback_``, through ``InteractiveShell.showtraceback``) and as a
full traceback (IPython's verbose ``ultratb`` and plain Python), and no rendering may contain a
code line of the checker or of its oracle, or the name of a ``focal`` function that passes.
"""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment)
import builtins
import inspect
import io
import re
import tokenize
import traceback

import numpy as np
import pytest
from IPython.core import ultratb
from IPython.core.interactiveshell import InteractiveShell
from notebook_cells import NOTEBOOKS, code_cells

from focal.checks import basics, core, detection, experiment, gradients, multilabel
from focal.checks import smoothing, snippet, weighting

MODULES = (basics, gradients, multilabel, weighting, smoothing, experiment, snippet, detection)
CHECKERS = [
    function
    for module in MODULES
    for function in vars(module).values()
    if inspect.isfunction(function)
    and function.__module__ == module.__name__
    and hasattr(function, "__wrapped__")
]
IDS = [checker.__name__ for checker in CHECKERS]


def test_every_checker_is_wrapped_and_found():
    unwrapped = [
        f"{module.__name__}.{name}"
        for module in MODULES
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and list(inspect.signature(function).parameters) == ["answer"]
        and not hasattr(function, "__wrapped__")
    ]
    assert not unwrapped, f"checkers without @core.checker: {unwrapped}"
    assert len(CHECKERS) == 26  # three per notebook, four in 03 and 05


def oracle_of(checker, monkeypatch):
    """The oracle a checker hands to core.function_on_grid (None for 7.3, which has none)."""
    seen = {}

    def spy(exercise, answer, oracle, *args, **kwargs):
        seen["oracle"] = oracle
        raise LookupError("spied")

    with monkeypatch.context() as patch:
        patch.setattr(core, "function_on_grid", spy)
        try:
            checker(lambda *args: 0.0)
        except (LookupError, core.NotYet):  # 7.3: the answer fails outright
            pass
    return seen.get("oracle")


def wrong_answer(checker, monkeypatch):
    oracle = oracle_of(checker, monkeypatch)
    if oracle is None:  # 7.3 judges a threshold by its F1: the lowest one is never the best
        return None, lambda precision, recall, thresholds: float(thresholds[0])
    return oracle, lambda *args: np.asarray(oracle(*args), dtype=np.float64) * 1.5 + 0.25


def stub(*args):
    raise NotImplementedError("Exercise N.k")


def failure_of(checker, answer):
    with pytest.raises(core.NotYet) as caught:
        checker(answer)
    return caught.value


def code_lines(function):
    """The function's source lines without strings and comments, each as its tokens."""
    source = inspect.getsource(function)
    lines = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT) and token.string.strip():
            lines.setdefault(token.start[0], []).append(token.string)
    return [" ".join(parts) for parts in lines.values()]


def squeezed(text):
    return re.sub(r"\s+", "", text)


def assert_shows_nothing_of(text, checker, oracle):
    """No code line of the checker or its oracle, and no focal name the oracle uses."""
    sources = [checker.__wrapped__] + ([oracle] if oracle is not None else [])
    flat = squeezed(text)
    for function in sources:
        lines = code_lines(function)
        for line in lines:  # long enough to tell apart from a word of a message
            assert len(squeezed(line)) < 12 or squeezed(line) not in flat, (
                f"{checker.__name__} shows `{line}`"
            )
        for name in re.findall(r"\b(?:reference|weights) \. \w+|\bbox_iou\b", " ".join(lines)):
            assert name.replace(" ", "") not in text, f"{checker.__name__} names {name}"
    if oracle is not None and oracle.__module__.startswith("focal."):
        assert f"{oracle.__module__.split('.')[-1]}.{oracle.__name__}" not in text
    assert inspect.getsourcefile(checker.__wrapped__) not in text, "a checker frame is shown"


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """An IPython shell as a kernel runs it (no history file, a throwaway IPython dir)."""
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.ipython_dir = str(tmp_path_factory.mktemp("ipython"))
    names = set(vars(builtins))
    yield InteractiveShell.instance(config=config, colors="nocolor")
    InteractiveShell.clear_instance()
    for name in set(vars(builtins)) - names:  # __IPYTHON__, display: other tests run outside
        delattr(builtins, name)


def shown_by_ipython(shell, checker, answer, capsys, fails=True):
    shell.user_ns.update(checker=checker, answer=answer)
    capsys.readouterr()
    result = shell.run_cell("checker(answer)")
    if fails:
        assert isinstance(result.error_in_exec, core.NotYet)  # a kernel reports it as an error
    else:
        assert result.error_in_exec is None  # Run All goes on
    return capsys.readouterr().out


@pytest.mark.parametrize("checker", CHECKERS, ids=IDS)
def test_a_failure_shows_its_message_and_nothing_of_the_checker(
    checker, shell, capsys, monkeypatch
):
    oracle, wrong = wrong_answer(checker, monkeypatch)
    failure = failure_of(checker, wrong)
    exercise = re.match(r"Exercise \d\.\d", str(failure)).group()
    assert exercise in checker.__doc__
    assert failure.attempted

    rendered = "\n".join(failure._render_traceback_())
    assert rendered == f"NotYet: {failure}"
    in_ipython = shown_by_ipython(shell, checker, wrong, capsys)
    assert in_ipython.strip() == rendered
    assert "Traceback" not in in_ipython and "File " not in in_ipython

    verbose = ultratb.VerboseTB(theme_name="nocolor").text(
        type(failure), failure, failure.__traceback__
    )
    plain = "".join(traceback.format_exception(failure))
    for text in (rendered, in_ipython, verbose, plain):
        assert_shows_nothing_of(text, checker, oracle)


def test_the_leak_test_can_fail(monkeypatch):
    # The same assertion on a traceback of the old kind (no NotYet, no trimming) catches it.
    oracle = oracle_of(basics.p_t_for_ratio, monkeypatch)
    try:
        basics.p_t_for_ratio.__wrapped__(lambda ratio, gamma: ratio)
    except AssertionError as failure:
        verbose = ultratb.VerboseTB(theme_name="nocolor").text(
            type(failure), failure, failure.__traceback__
        )
    with pytest.raises(AssertionError, match="shows"):
        assert_shows_nothing_of(verbose, basics.p_t_for_ratio, oracle)


@pytest.mark.parametrize("checker", CHECKERS, ids=IDS)
def test_an_unfilled_stub_is_reported_without_stopping_the_run(checker, shell, capsys, monkeypatch):
    oracle, _ = wrong_answer(checker, monkeypatch)
    capsys.readouterr()
    verdict = checker(stub)
    printed = capsys.readouterr().out
    assert not verdict and isinstance(verdict, core.Verdict)
    exercise = re.match(r"Exercise \d\.\d", printed).group()
    assert exercise in checker.__doc__
    assert printed.startswith(f"{exercise}: not attempted yet. ")
    assert printed.count("\n") == 1
    in_ipython = shown_by_ipython(shell, checker, stub, capsys, fails=False)
    # A terminal shell writes its "Out[n]: " prompt even for an object that displays nothing;
    # a kernel sends no output for it (test_student_run_all runs the copies in one).
    assert re.sub(r"Out\[\d+\]: $", "", in_ipython) == printed  # no traceback, no repr
    assert_shows_nothing_of(printed, checker, oracle)


def test_a_stub_is_not_attempted(capsys):
    verdict = basics.p_t_for_ratio(stub)
    assert not verdict and verdict.exercise == "Exercise 1.3"
    assert capsys.readouterr().out.startswith("Exercise 1.3: not attempted yet.")
    with pytest.raises(core.NotYet) as caught:  # call() itself still raises, marked unattempted
        core.call("Exercise 1.3", stub, (10.0, 2.0), "hint")
    assert not caught.value.attempted
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_verdict_is_true_when_right_and_jupyter_shows_nothing_for_it(shell, capsys):
    verdict = basics.p_t_for_ratio(lambda ratio, gamma: 1 - ratio ** (-1 / gamma))
    assert verdict and verdict.exercise == "Exercise 1.3"
    assert capsys.readouterr().out == "Exercise 1.3: correct.\n"
    assert shell.display_formatter.format(verdict) == ({}, {})  # no execute_result


def test_an_error_in_the_learners_code_becomes_a_hint():
    import math

    def modulating_factor(p_t, gamma):
        return math.pow(1 - p_t, gamma)

    failure = failure_of(basics.modulating_factor, modulating_factor)
    message = str(failure)
    assert message.startswith("Exercise 1.1: not yet. For inputs (array([0.  , 0.1 ,")
    assert "your function raised TypeError: " in message
    assert "at `return math.pow(1 - p_t, gamma)`" in message
    assert "NumPy arrays" in message and "Hint: the factor is (1 - p_t)" in message
    assert isinstance(failure.__cause__, TypeError) and failure.attempted


def test_an_error_without_arrays_gets_no_numpy_advice():
    failure = failure_of(detection.iou, lambda a, b: a.area)  # boxes are lists
    assert "raised AttributeError: 'list' object has no attribute 'area'" in str(failure)
    assert "NumPy arrays" not in str(failure)
    assert "at `failure = failure_of(detection.iou, lambda a, b: a.area)" in str(failure)


@pytest.mark.parametrize(
    "checker, answer, expected",
    [
        (
            basics.p_t_for_ratio,
            lambda ratio, gamma: "p_t",
            "Exercise 1.3: not yet. For inputs (10.0, 0.5) your function returned a str, not a "
            "number or an array of numbers. Hint: ",
        ),
        (
            snippet.best_threshold,  # float("best") fails inside the checker itself
            lambda precision, recall, thresholds: "best",
            "Exercise 7.3: not yet. The check could not use your answer: ValueError: could not "
            "convert string to float: 'best'",
        ),
    ],
)
def test_an_answer_of_the_wrong_type_is_named(checker, answer, expected):
    failure = failure_of(checker, answer)
    assert str(failure).startswith(expected)
    plain = "".join(traceback.format_exception(failure, chain=False))
    assert inspect.getsourcefile(checker.__wrapped__) not in plain


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name[:3])
def test_stored_check_failures_show_only_their_message(notebook):
    errors = [
        (cell.number, output)
        for cell in code_cells(notebook)
        if "checks." in cell.source
        for output in cell.outputs
        if output.output_type == "error"
    ]
    for number, error in errors:
        assert error.ename == "NotYet", f"cell {number}: re-execute {notebook.name}"
        assert error.traceback == [f"NotYet: {error.evalue}"], f"cell {number}"
