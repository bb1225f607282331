"""What every exercise checker must do: pass a right answer with one line, fail a wrong one."""

import pytest


def assert_accepts_right_rejects_wrong(checker, right, wrong, capsys):
    assert checker(right)  # a true Verdict: a check cell may go on to use the answer
    assert capsys.readouterr().out.endswith(": correct.\n")
    with pytest.raises(AssertionError, match="Hint"):
        checker(wrong)
