"""The wrong-answer banks (tests/fixtures/banks) and how they are applied: by statement structure.

Fast: no kernels. That every wrong answer loses points in a live kernel is test_notebooks.py's job.
"""

import ast
import importlib.util
import io
import tokenize

import pytest
from conftest import COURSE
from fixtures import load_bank, make_submission, matches, solution_text, wrong_answer

from cs231n_course import cells

ASSIGNMENTS = COURSE.assignments()


def tree(source):
    return ast.dump(ast.parse(source))


def answers(assignment):
    return {q: cell.source for q, cell in cells.answer_cells(COURSE.solution(assignment)).items()}


def reword(source):
    """The same code laid out differently: every one-line assignment, return and expression
    wrapped over three lines, comments and blank lines added, double quotes made single."""
    lines = source.splitlines(keepends=True)
    simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
    statements = [s for s in ast.walk(ast.parse(source)) if isinstance(s, simple)
                  and s.value is not None and s.lineno == s.end_lineno]
    for s in sorted(statements, key=lambda s: s.lineno, reverse=True):
        line = lines[s.lineno - 1]
        start, end = s.value.col_offset, s.value.end_col_offset
        if line.isascii() and line[:s.col_offset].strip() == "" and line[end:].strip()[:1] in ("", "#"):
            indent = line[:s.col_offset]
            lines[s.lineno - 1] = (f"{line[:start]}(\n{indent}        {line[start:end]}"
                                   f"  # reflowed\n{indent}){line[end:]}")
    wrapped = "".join(lines)
    rows = wrapped.splitlines(keepends=True)
    for tok in tokenize.generate_tokens(io.StringIO(wrapped).readline):
        if tok.type == tokenize.STRING and tok.string.startswith('"') and not tok.string.startswith('"""') \
                and "'" not in tok.string and "\\" not in tok.string:
            row, col = tok.start
            rows[row - 1] = rows[row - 1][:col] + "'" + tok.string[1:-1] + "'" + rows[row - 1][tok.end[1]:]
        if tok.type == tokenize.NEWLINE and tok.string:
            row = tok.start[0]
            comment = "" if "#" in rows[row - 1] else "  # a remark"
            rows[row - 1] = rows[row - 1].rstrip("\n") + comment + "\n\n# a comment line\n"
    return "".join(rows)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_entries_match_by_structure_whatever_the_comments_and_layout(assignment):
    bank = load_bank(assignment)
    for question, source in answers(assignment).items():
        reworded = reword(source)
        assert reworded != source and tree(reworded) == tree(source), question
        for description, old, new in bank.BANK[question]:
            expected = tree(wrong_answer(source, old, new))
            got = wrong_answer(reworded, old, new, grade_id=question, description=description)
            assert tree(got) == expected, f"{question}: {description}"


def test_a_reflowed_statement_is_still_found():
    source = 'def f(x):\n    y = x + 1  # one\n    return y\n'
    reflowed = 'def f(x):\n    # a comment\n\n    y = (x\n         + 1)\n    return y\n'
    got = wrong_answer(reflowed, "y = x + 1", "y = x - 1")
    assert got == 'def f(x):\n    # a comment\n\n    y = x - 1\n    return y\n'
    assert tree(got) == tree(wrong_answer(source, "y = x + 1", "y = x - 1"))


def test_replacement_is_reindented_at_any_depth_and_deletion_keeps_blocks_valid():
    source = ("class A:\n    def f(self, xs):\n        for x in xs:\n            if x:\n"
              "                self.n += x  # count\n        return self.n\n")
    got = wrong_answer(source, "self.n += x", "self.n = x\nprint(x)")
    assert got == ("class A:\n    def f(self, xs):\n        for x in xs:\n            if x:\n"
                   "                self.n = x\n                print(x)\n        return self.n\n")
    assert "                pass\n" in wrong_answer(source, "self.n += x", "")
    two = wrong_answer(source, "for x in xs:\n    if x:\n        self.n += x\nreturn self.n", "return 0")
    assert two == "class A:\n    def f(self, xs):\n        return 0\n"


def test_an_entry_without_old_replaces_the_solution_region_of_its_question():
    source = ("def f(x):\n    y = 2 * x\n    ### BEGIN SOLUTION\n    # the answer\n    out = y + 1\n"
              "    out = out ** 2\n    ### END SOLUTION\n    return out\n")
    got = wrong_answer(source, None, "out = y")
    assert got == "def f(x):\n    y = 2 * x\n    ### BEGIN SOLUTION\n    # the answer\n    out = y\n" \
                  "    ### END SOLUTION\n    return out\n"
    two = source + "\n\ndef g():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    with pytest.raises(ValueError, match="'off by one' of q1_f: old None stands for the solution region, "
                                         "but the cell has 2"):
        wrong_answer(two, None, "out = y", grade_id="q1_f", description="off by one")


def test_magics_do_not_stop_the_matching():
    source = "%matplotlib inline\nx = 1\n!ls\ny = 2\n"
    assert wrong_answer(source, "y = 2", "y = 3") == "%matplotlib inline\nx = 1\n!ls\ny = 3\n"


def test_a_stale_entry_names_its_question_and_description(monkeypatch):
    bank = load_bank("01_chain_rule").BANK
    description, old, new = bank["q3_sigmoid_staged"][0]
    stale = ("1/x gate: a stale entry", old.replace("-1.0", "-2.0"), new)
    monkeypatch.setitem(bank, "q3_sigmoid_staged", [stale])
    with pytest.raises(ValueError) as error:
        make_submission(COURSE, "01_chain_rule", {"q3_sigmoid_staged": stale[0]})
    message = str(error.value)
    assert "q3_sigmoid_staged" in message and "1/x gate: a stale entry" in message
    assert "matched 0 times" in message


def test_an_ambiguous_entry_names_its_question_and_description(monkeypatch):
    # value_add and value_mul both start with this statement
    ambiguous = ("converts the other operand twice",
                 "other = other if isinstance(other, Value) else Value(other)", "other = Value(other)")
    source = answers("01_chain_rule")["q5_add_mul"]
    assert len(matches(source, ambiguous[1])) == 2
    monkeypatch.setitem(load_bank("01_chain_rule").BANK, "q5_add_mul", [ambiguous])
    with pytest.raises(ValueError) as error:
        make_submission(COURSE, "01_chain_rule", {"q5_add_mul": ambiguous[0]})
    message = str(error.value)
    assert "q5_add_mul" in message and ambiguous[0] in message and "matched 2 times" in message


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_entry_applies_to_the_solution_and_changes_its_code(assignment):
    bank = load_bank(assignment)
    sources = answers(assignment)
    assert set(bank.BANK) <= set(sources), "a bank question that is not an answer cell"
    assert all(q in sources and set(needs) <= set(sources) for q, needs in bank.DEPENDS.items())
    for question, entries in bank.BANK.items():
        descriptions = [d for d, _, _ in entries]
        assert len(set(descriptions)) == len(descriptions), f"{question}: descriptions must differ"
        for description, old, new in entries:
            mutant = wrong_answer(sources[question], old, new, grade_id=question, description=description)
            assert tree(mutant) != tree(sources[question]), f"{question}: '{description}' changes nothing"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_all_solutions_make_the_release_with_solutions_in_place(assignment):
    release_ids = [cells.key(c) for c in make_submission(COURSE, assignment, {}).cells]
    sources = answers(assignment)
    nb = make_submission(COURSE, assignment, dict.fromkeys(sources, "solution"))
    assert [cells.key(c) for c in nb.cells] == release_ids
    for question, cell in cells.answer_cells(nb).items():
        assert "### BEGIN SOLUTION" not in cell.source and "### END SOLUTION" not in cell.source
        assert "raise NotImplementedError" not in cell.source, question
        assert cell.source == solution_text(sources[question])


def test_a_wrong_answer_goes_into_its_cell_only():
    bank = load_bank("01_chain_rule")
    description, old, new = bank.BANK["q6_backward"][0]
    sources = answers("01_chain_rule")
    nb = make_submission(COURSE, "01_chain_rule", {**dict.fromkeys(sources, "solution"),
                                                   "q6_backward": description})
    filled = cells.answer_cells(nb)
    assert filled["q6_backward"].source == solution_text(wrong_answer(sources["q6_backward"], old, new))
    assert filled["q5_add_mul"].source == solution_text(sources["q5_add_mul"])


def test_the_demo_class_is_made_of_entries_the_banks_hold(tmp_path):
    """`make demo` builds its class from bank entries named by their descriptions: each must exist."""
    spec = importlib.util.spec_from_file_location("run_demo", COURSE.root / "demo" / "run_demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    demo.make_class(COURSE, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(demo.CLASS)
