"""What grading hands to people, from the course of record (one-way: nothing here grades).

Everything here is rebuilt from the folder: the saved results, the executed notebooks and what
people entered in Formgrader (gradebook.hand_grades), so `cs231n-course feedback OUT` after hand
grading gives the same files as a grading run would, hand points and comments included.

OUT/grades.csv    one row per student, assignment and graded cell (results.grade_rows)
OUT/totals.csv    one row per student and assignment: the total so far, autograded and by hand,
                  the points still to grade by hand and the answers to regrade
OUT/summary.png   per assignment: score distribution and per-question pass rates
OUT/feedback/<student>/<assignment>/<assignment>.html   (re)drawn with the hand grades
and the score table printed on the terminal; `export` writes the final points for an LMS.
"""

import csv

import nbformat

from . import gradebook
from .feedback import render
from .record import write_atomically
from .results import (
    CSV_FIELDS,
    TOTALS_FIELDS,
    Status,
    Submission,
    grade_rows,
    printable,
    spreadsheet_row,
    total_rows,
    with_hand_grades,
)


def class_of(record, assignment):
    """[Submission] of every student graded for an assignment in the folder, sorted, each result
    with what people entered in Formgrader."""
    hand = gradebook.hand_grades(record.gradebook, assignment)
    return [Submission(student, None, with_hand_grades(result, hand.get(student, {})))
            for student, result in sorted(record.results(assignment).items())]


def publish(record, assignments=None, redraw=None):
    """grades.csv, totals.csv and summary.png of every assignment in the folder, and the feedback
    pages of `assignments` (default: all): of the students in redraw ({assignment: students}; default:
    every student). Returns {assignment: [Submission]}."""
    everything = {a: class_of(record, a) for a in record.assignments()}
    write_csvs(record.root, everything)
    summary_plot(record.root / "summary.png", everything)
    for assignment in assignments or everything:
        wanted = None if redraw is None else set(redraw.get(assignment, ()))
        for sub in everything.get(assignment, []):
            path = record.autograded(sub.student, assignment)
            if (wanted is None or sub.student in wanted) and path.exists():
                nb = nbformat.read(path, as_version=4)
                write_atomically(record.feedback(sub.student, assignment), render(nb, sub.result, assignment))
    return everything


def write_csvs(folder, everything):
    """grades.csv and totals.csv in folder, of everything ({assignment: [Submission]})."""
    write_table(folder / "grades.csv", CSV_FIELDS, [row for a, subs in everything.items()
                                                     for row in grade_rows(a, subs)])
    write_table(folder / "totals.csv", TOTALS_FIELDS, [row for a, subs in everything.items()
                                                        for row in total_rows(a, subs)])


def write_table(path, fields, rows):
    """A CSV file of rows (dicts with those fields), replaced whole; text cells safe in a
    spreadsheet (results.spreadsheet_row)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(map(spreadsheet_row, rows))
    tmp.replace(path)


LMS_FORMATS = ("canvas", "moodle")


def export(record, path, lms="canvas"):
    """Final points per student and assignment (autograded + by hand) as a CSV an LMS imports:
    Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, one column per
    assignment, a Points Possible row) or Moodle's "Import grades from CSV" (Username, one
    column per assignment). Returns the answers still waiting for a hand grade, "student
    assignment cell" each: their points are not in the file."""
    everything = {a: {s.student: s.result for s in class_of(record, a)} for a in record.assignments()}
    students = sorted({s for results in everything.values() for s in results})
    possible = {a: max((r.max_score for r in results.values()), default=0)
                for a, results in everything.items()}
    waiting = [f"{s} {a} {cell}" for a, results in everything.items() for s, r in results.items()
               for cell, got in r.cells.items() if got.pending or got.regrade]
    if lms == "canvas":
        head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        rows = [["Points Possible", "", "", "", "", *(f"{possible[a]:g}" for a in everything)]]
        rows += [[s, "", s, s, "", *_points(everything, s)] for s in students]
    else:
        head, rows = ["Username"], [[s, *_points(everything, s)] for s in students]
    columns = head + list(everything)
    write_table(path, columns, [dict(zip(columns, row, strict=True)) for row in rows])
    return waiting


def _points(everything, student):
    """A student's points per assignment: the total so far, empty where they handed nothing in."""
    return [f"{results[student].score:g}" if student in results else "" for results in everything.values()]


def score_table(subs):
    """A plain-text table: one row per student, one column per graded cell, the autograded total,
    the points graded by hand and those still to grade (a pending answer shows as `?`, one to
    regrade with its old score and `*`)."""
    if not subs:
        return ""
    cells = list(subs[0].result.cells)
    short = [c.split("_")[0] for c in cells]  # "q3_sigmoid_staged_test" -> "q3"
    labels = short if len(set(short)) == len(short) else [c[:10] for c in cells]
    width = max(7, *(len(s.student) for s in subs))
    col = max(len(label) for label in labels) + 2
    header = (f"{'student':<{width}} " + " ".join(f"{c:>{col}}" for c in labels)
              + "    autograded  by hand  to grade")
    lines = [header, "-" * len(header)]
    for sub in subs:
        result = sub.result
        line = f"{sub.student:<{width}} " + " ".join(
            f"{_mark(c):>{col}}" for c in result.cells.values())
        line += f"  {result.auto_score:>5g} / {result.auto_max_score:<4g}"
        manual = result.max_score - result.auto_max_score
        line += f"  {result.manual_score:>3g} / {manual:<3g}" if manual else " " * 11
        line += f"  {result.pending:>5g} points" if result.pending else ""
        if result.status is not Status.OK:
            line += f"  [{result.status.value}: {result.reason}]"
        lines.append(printable(line.rstrip()))  # a reason may quote the learner's error
    return "\n".join(lines)


def _mark(cell):
    return "?" if cell.pending else f"{cell.score:g}*" if cell.regrade else f"{cell.score:g}"


def summary_plot(path, everything):
    """summary.png: per assignment ({assignment: [Submission]}), the distribution of total scores
    so far and the pass rate of every autograded question."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    shown = {a: subs for a, subs in everything.items() if subs and subs[0].result.cells}
    if not shown:
        return
    fig, axes = plt.subplots(len(shown), 2, figsize=(11, 4 * len(shown)), layout="constrained", squeeze=False)
    for (assignment, subs), (left, right) in zip(shown.items(), axes, strict=True):
        cells = [c for c, got in subs[0].result.cells.items() if not got.manual]  # autograded only
        possible = subs[0].result.max_score
        bins = [b - 0.5 for b in range(int(possible) + 2)] if possible <= 60 else 20  # one bar a score
        left.hist([s.result.score for s in subs], bins=bins, range=(0, possible), color="#4c72b0", rwidth=0.9)
        left.xaxis.set_major_locator(MaxNLocator(integer=True))  # scores and students are counts
        left.yaxis.get_major_locator().set_params(integer=True)
        left.set(xlabel=f"score so far (of {possible:g}, written answers as graded by hand)",
                 ylabel="students", title=f"{assignment}: {len(subs)} submissions")
        rates = [sum(s.result.cells[c].score >= s.result.cells[c].max_score for s in subs
                     if c in s.result.cells) / len(subs) for c in cells]
        right.barh(range(len(cells)), rates, color="#55a868")
        right.set_yticks(range(len(cells)), [c.removesuffix("_test") for c in cells], fontsize=8)
        right.invert_yaxis()
        right.set(xlim=(0, 1), xlabel="fraction with full marks", title="per autograded question")
    fig.savefig(path, dpi=100)
    plt.close(fig)
