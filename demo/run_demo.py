"""Play one small class of notebook 01 end to end, with nbgrader's formats underneath.

Five students hand in 01_chain_rule: one full solution, one untouched release, and three
realistic attempts built from the wrong-answer bank (tests/fixtures/banks/01_chain_rule.py). They are
graded with `cs231n-course grade`; the gradebook, grades.csv and feedback land in demo_out/. Two of
them answer the written question graded by hand: the grader leaves it to the instructor.
"""

import shutil
import sys
from pathlib import Path

import nbformat

from cs231n_course import cells
from cs231n_course.cli import main
from cs231n_course.course import find_course

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fixtures import make_submission  # noqa: E402 (the wrong-answer banks)

ASSIGNMENT = "01_chain_rule"
ALL = ["q1_numerical_derivative", "q2_add_mul_graph", "q3_sigmoid_staged", "q4_sigmoid_gate",
       "q5_add_mul", "q6_backward", "q7_exp_sigmoid", "q8_relative_error", "q9_check_engine",
       "wq1_numerical_for_checking", "wq2_gradient_evaluations"]
# student -> their answer to the written question graded by hand (the others leave it blank)
WRITTEN = {"amara": "Probably not: the ReLU's kink may lie within h of that input, where the "
                    "centered difference is off. I would check again at other points.",
           "chen": "The backward pass of the max gate is wrong."}

# student -> {question: "solution" | a wrong answer's description}; unnamed questions stay blank
CLASS = {
    "amara": dict.fromkeys(ALL, "solution"),
    "ben": {},  # handed in the notebook as released
    "chen": {**dict.fromkeys(ALL, "solution"),
             "q3_sigmoid_staged": "exp gate: forgot the upstream gradient",
             "q6_backward": "no visited check: shared nodes backpropagate twice"},
    "dmitri": dict.fromkeys(ALL[:4], "solution"),  # stopped after section 3
    "eun-ji": {**dict.fromkeys(ALL, "solution"),
               "wq1_numerical_for_checking": "chose D: thinks centering averages a kink away",
               "q2_add_mul_graph": "multiply gate does not switch: df/dz = z",
               "q5_add_mul": "overwrote instead of accumulating at a branch",
               "q8_relative_error": "no 1e-8 floor in the denominator"},
}


def make_class(course, folder):
    shutil.rmtree(folder, ignore_errors=True)
    for student, answers in CLASS.items():
        (folder / student).mkdir(parents=True)
        nb = make_submission(course, ASSIGNMENT, answers)
        for cell in nb.cells:
            if cells.is_manual(cell) and student in WRITTEN:
                cell.source = f"**Your answer:**\n\n{WRITTEN[student]}"
        nbformat.write(nb, folder / student / f"{ASSIGNMENT}.ipynb")


if __name__ == "__main__":
    course = find_course()
    out = course.root / "demo_out"
    shutil.rmtree(out, ignore_errors=True)  # a fresh course of record each time
    make_class(course, out / "submissions")
    status = main(["grade", str(out / "submissions"), "--assignment", ASSIGNMENT, "--out", str(out)])
    print(f"\nThe class's notebooks are in {out / 'submissions'}; open a feedback page with e.g.\n"
          f"  python -m webbrowser {out / 'feedback' / 'chen' / ASSIGNMENT / (ASSIGNMENT + '.html')}\n"
          f"Grade the written answers by hand: .venv/bin/cs231n-course formgrader {out}\n"
          "To work through the notebooks yourself: make lab")
    sys.exit(status)
