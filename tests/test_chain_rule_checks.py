"""Notebook 01's check cells name the kind of mistake they see, not only the numbers: each wrong
answer below (from the bank) makes its question's check fail with the words of its bug class."""

from fixtures import load_bank, wrong_answer
from notebook_harness import LiveNotebook
from test_course_versions import check_cells

from cs231n_course import cells

NB = "01_chain_rule"
SAID = {  # (question, the bank's description): what the check must say
    ("q1_numerical_derivative", "sign flipped"): "sign flipped",
    ("q1_numerical_derivative", "one-sided difference"): "one-sided difference",
    ("q1_numerical_derivative", "forgot the 2 in 2h"): "missing factor",
    ("q1_numerical_derivative", "ignores the h argument"): "use the h you are given",
    ("q2_add_mul_graph", "forgot the upstream gradient at the add gate"): "missing upstream gradient",
    ("q2_add_mul_graph", "multiply gate does not switch: df/dz = z"): "multiply gate did not switch",
    ("q2_add_mul_graph", "df/dq taken as q"): "wrong local gradient at the multiply gate",
    ("q3_sigmoid_staged", "1/x gate: sign of the local gradient lost"): "dden: sign flipped",
    ("q3_sigmoid_staged", "*(-1) gate ignored"): "ddot: sign flipped",
    ("q3_sigmoid_staged", "multiply gates do not switch: dx = x * ddot"): "multiply gates did not switch",
    ("q4_sigmoid_gate", "sigma instead of sigma'"): "off by a constant factor",
    ("q5_add_mul", "multiply gate does not switch"): "multiply gate did not switch",
    ("q5_add_mul", "add gate forgot the upstream gradient"): "missing upstream gradient",
    ("q5_add_mul", "overwrote instead of accumulating at a branch"): "overwrote instead of accumulating",
    ("q5_add_mul", "add gate overwrote instead of accumulating"): "overwrote instead of accumulating",
    ("q6_backward", "forgot to seed self.grad = 1"): "missing seed",
    ("q6_backward", "no visited check: shared nodes backpropagate twice"): "backpropagated twice",
    ("q6_backward", "forward order instead of reverse"): "REVERSE topological order",
    ("q7_exp_sigmoid", "exp gate: forgot the upstream gradient"): "missing upstream gradient",
    ("q7_exp_sigmoid", "sigmoid gate: sigma instead of sigma'"): "sigma instead of sigma'",
    ("q7_exp_sigmoid", "exp gate: overwrote instead of accumulating"): "overwrote instead of accumulating",
    ("q8_relative_error", "no 1e-8 floor in the denominator"): "missing floor",
    ("q8_relative_error", "mean instead of max"): "mean instead of max",
    ("q8_relative_error", "calls the package's rel_error"): "without the package",
}


def test_each_check_of_01_names_the_bug_class_it_sees(course):
    solution = course.solution(NB)
    answers = cells.answer_cells(solution)
    bank = load_bank(NB).BANK
    wrong = []
    with LiveNotebook(solution) as live:
        for (question, description), words in SAID.items():
            old, new = next((o, n) for d, o, n in bank[question] if d == description)
            live.run(answers[question], wrong_answer(answers[question].source, old, new))
            said = [f"{o.ename}: {o.evalue}" for check in check_cells(live.nb, question)
                    for o in live.run(check)[0].outputs if o.output_type == "error"]
            if not any(words in text for text in said):
                wrong.append(f"{question} '{description}': wanted {words!r}, the checks said {said}")
            live.run(answers[question])
    assert not wrong, "\n".join(wrong)
