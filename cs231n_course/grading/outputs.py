"""What grading hands to people, from the graded submissions (one-way: nothing here grades).

OUT/grades.csv                          one row per student and graded cell (results.grade_rows)
OUT/totals.csv                          one row per student: the autograded total, and the points
                                        of written answers that still need manual grading
OUT/gradebook.db                        nbgrader's gradebook, written whole by this process alone;
                                        written answers marked needs_manual_grade (for Formgrader)
OUT/summary.png                         score distribution and per-question pass rates
and the score table printed on the terminal.
"""

import copy
import csv
import os
import warnings

from .results import CSV_FIELDS, TOTALS_FIELDS, Status, grade_rows, printable, spreadsheet_row, total_rows


def write_outputs(out_dir, assignment, source_nb, subs):
    """grades.csv, totals.csv, gradebook.db and summary.png of a graded class."""
    write_csv(out_dir / "grades.csv", assignment, subs)
    write_gradebook(out_dir / "gradebook.db", assignment, source_nb, subs)
    summary_plot(out_dir / "summary.png", subs, assignment)


def write_csv(path, assignment, subs):
    """grades.csv at path, and totals.csv beside it (text cells safe in a spreadsheet)."""
    for where, fields, rows in ((path, CSV_FIELDS, grade_rows(assignment, subs)),
                                (path.with_name("totals.csv"), TOTALS_FIELDS, total_rows(assignment, subs))):
        with open(where, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(map(spreadsheet_row, rows))


def score_table(subs):
    """A plain-text table: one row per student, one column per graded cell, the autograded total
    and the points of written answers still to grade by hand (a pending answer shows as `?`)."""
    if not subs:
        return ""
    cells = list(subs[0].result.cells)
    short = [c.split("_")[0] for c in cells]  # "q3_sigmoid_staged_test" -> "q3"
    labels = short if len(set(short)) == len(short) else [c[:10] for c in cells]
    width = max(7, *(len(s.student) for s in subs))
    col = max(len(label) for label in labels) + 1
    header = (f"{'student':<{width}} " + " ".join(f"{c:>{col}}" for c in labels)
              + "    autograded  manual pending")
    lines = [header, "-" * len(header)]
    for sub in subs:
        result = sub.result
        line = f"{sub.student:<{width}} " + " ".join(
            f"{'?' if c.pending else format(c.score, 'g'):>{col}}" for c in result.cells.values())
        line += f"  {result.auto_score:>5g} / {result.auto_max_score:<4g}"
        line += f"  {result.pending:>5g} points" if result.pending else " " * 14
        if result.status is not Status.OK:
            line += f"  [{result.status.value}: {result.reason}]"
        lines.append(printable(line.rstrip()))  # a reason may quote the learner's error
    return "\n".join(lines)


def write_gradebook(path, assignment, source_nb, subs):
    """nbgrader's gradebook from scratch, then swapped in whole: never left half-written."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import SaveCells
    from sqlalchemy.exc import SAWarning

    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    url = f"sqlite:///{tmp}"
    _create_gradebook(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own ORM use; harmless
        with Gradebook(url) as gb:
            gb.update_or_create_assignment(assignment)
        resources = {"nbgrader": {"db_url": url, "assignment": assignment, "notebook": assignment}}
        SaveCells().preprocess(copy.deepcopy(source_nb), resources)
        with Gradebook(url) as gb:
            for sub in subs:
                gb.update_or_create_student(sub.student)
                gb.add_submission(assignment, sub.student)
                for grade_id, cell in sub.result.cells.items():
                    grade = gb.find_grade(grade_id, assignment, assignment, sub.student)
                    # a pending written answer: no auto score, for the instructor in Formgrader
                    grade.auto_score, grade.needs_manual_grade = cell.score, cell.pending
                gb.db.commit()
    os.replace(tmp, path)


def _create_gradebook(url):
    """An empty gradebook stamped with nbgrader's schema version, as `nbgrader db upgrade` makes
    it, without nbgrader's call of the `alembic` command (seconds per call)."""
    import nbgrader
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    head = ScriptDirectory(os.path.join(os.path.dirname(nbgrader.__file__), "alembic")).get_current_head()
    engine = create_engine(url)
    Base.metadata.create_all(bind=engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    engine.dispose()


def summary_plot(path, subs, assignment):
    """summary.png: the distribution of autograded scores and the pass rate of every autograded
    question (written answers are graded by hand, later)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if not subs or not subs[0].result.cells:
        return
    cells = [c for c, got in subs[0].result.cells.items() if not got.manual]  # autograded only
    if not cells:
        return
    possible = subs[0].result.auto_max_score
    totals = [s.result.auto_score for s in subs]
    rates = [sum(s.result.cells[c].score >= s.result.cells[c].max_score for s in subs) / len(subs)
             for c in cells]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    bins = [b - 0.5 for b in range(int(possible) + 2)] if possible <= 60 else 20  # one bar a score
    left.hist(totals, bins=bins, range=(0, possible), color="#4c72b0", rwidth=0.9)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))  # scores and students are counts
    left.yaxis.get_major_locator().set_params(integer=True)
    left.set(xlabel=f"autograded score (of {possible:g})", ylabel="students",
             title=f"{assignment}: {len(subs)} submissions")
    right.barh(range(len(cells)), rates, color="#55a868")
    right.set_yticks(range(len(cells)), [c.removesuffix("_test") for c in cells], fontsize=8)
    right.invert_yaxis()
    right.set(xlim=(0, 1), xlabel="fraction with full marks", title="per question")
    fig.savefig(path, dpi=100)
    plt.close(fig)
