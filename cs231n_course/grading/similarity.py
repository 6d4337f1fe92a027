"""A similarity report beside the grades (`cs231n-course similarity`): for each graded question, the
pairs of students whose answers are alike, side by side, for a person to look at. A similarity is a
place to look, not a verdict: students who worked from the same lecture example, or who copied
from a third person, look alike too, and a determined copier can rewrite an answer out of reach.

DIR/similarity.csv   question, student_a, student_b, score, shared_lines (one row per similar pair)
DIR/similarity.html  the pairs of students with how many questions each shares, then every similar
                     answer pair side by side, shared lines marked, highest score first

How answers are compared: copydetect (the k-gram fingerprints of MOSS's winnowing paper, its
tokenizer pygments), one graded question at a time, every answer cell against every other:
- code is compared as tokens: names become V, F or O, strings S, numbers 0, comments, spaces and
  semicolons go, so renamed variables, new comments, other constants and reformatting hide nothing;
  statements moved around, or padded with lines of one's own, break only the k-grams that straddle
  them: that lowers a score, no more;
- a written answer (markdown) is compared as text, lowercased, whitespace as spaces;
- common ground is no match: every k-gram of the released stub and of the solution's own text (for
  a written answer, its model answer and rubric) is taken out of every answer, so two students who
  both wrote the solution, or left the stub, share nothing;
- a pair is similar when its score (the share of one answer's remaining tokens found in the other,
  the larger of the two) reaches the threshold and the two share at least MIN_SHARED normalised
  characters (about three statements, or a line or two of prose) on MIN_LINES lines of one of
  them that are not the stub's or the solution's: two independent correct one-line answers are
  never similar.
Every k-gram is kept (window 1, not winnowed): answer cells are small, and Python's string hash,
which copydetect uses, changes between runs, which would make a winnowed report change too.

Submissions are read as the grader reads them (submissions.py: no symbolic links, size-capped,
validated) and never run; one that cannot be read is left out with its reason, as is an answer
longer than ANSWER_CHARS. The page is inert as the feedback pages are: all text escaped, no script,
the same Content-Security-Policy.
"""

import bisect
import html
import io
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import cells
from .assemble import released
from .feedback import CELL_CHARS, CSP
from .outputs import write_table
from .record import Record, write_atomically
from .submissions import find_submissions, notebook_problem_bytes, read_submitted

THRESHOLD = 0.5  # in the tests, moved or padded copies score 0.67-0.81, independent answers 0.15-0.17
K = {"code": 15, "text": 25}  # k-gram length, normalised characters: shorter runs are no match
MIN_SHARED = {"code": 40, "text": 100}  # normalised characters two answers must share...
MIN_LINES = 2  # ...on this many lines of one of them, not lines of the stub or the solution
ANSWER_CHARS = CELL_CHARS  # a longer answer is left out (a feedback page would cut it there too)
SHOWN_PAIRS = 200  # answer pairs drawn side by side on the page (the CSV has them all)
FIELDS = ["question", "student_a", "student_b", "score", "shared_lines"]
_NUMBER = re.compile(r"(?<![\w.])(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?j?")


@dataclass
class Pair:
    """Two students' answers to one question that are alike."""

    question: str
    student_a: str
    student_b: str
    score: float  # 0..1
    lines_a: list  # line numbers (from 0) of a's answer found in b's
    lines_b: list

    @property
    def shared_lines(self):
        """Lines of one answer found in the other (the larger of the two, as the score)."""
        return max(len(self.lines_a), len(self.lines_b))


@dataclass
class Report:
    assignment: str
    threshold: float
    answers: dict  # {question: {student: answer text}}
    pairs: list = field(default_factory=list)  # [Pair], highest score first
    left_out: list = field(default_factory=list)  # [(student, why)]


def submissions_in(path):
    """The folder of submissions at path: a graded folder's submitted/ tree, or path itself."""
    path = Path(path)
    return path / "submitted" if Record(path).assignments() else path


def class_answers(course, folder, assignment):
    """({question: {student: answer text}}, [(student, why left out)]) of a folder of submissions,
    for every graded question: answer cells with tests, and written answers."""
    solution = course.solution(assignment)
    questions = [*cells.questions(solution), *cells.written_cells(solution)]
    renamed = course.renamed_cells(assignment)
    answers, left_out = {q: {} for q in questions}, []
    for sub in find_submissions(folder, assignment, cells.graded_cells(solution)):
        try:
            theirs = _their_cells(sub, renamed)
        except Exception as e:  # whatever a notebook holds costs it only its own place in the report
            left_out.append((sub.student, str(e) if isinstance(e, ValueError) else
                             f"{assignment}.ipynb cannot be read as a notebook ({type(e).__name__})"))
            continue
        for question in questions:
            text = theirs.get(question, "")
            if len(text) > ANSWER_CHARS:
                left_out.append((sub.student, f"{question}: the answer has {len(text):,} characters, "
                                              f"over the {ANSWER_CHARS:,} compared"))
            elif text.strip():
                answers[question][sub.student] = text
    return answers, left_out


def _their_cells(sub, renamed):
    """{cell id: source} of a submission, read again and checked as read (it may have changed
    since it was found); ValueError saying why it cannot be used."""
    if sub.path is None:
        raise ValueError(sub.reason)
    try:
        raw = read_submitted(sub.path)
    except OSError as e:
        raise ValueError(f"{sub.path.name} cannot be read ({e.strerror})") from None
    if problem := notebook_problem_bytes(raw):
        raise ValueError(f"{sub.path.name} {problem}")
    theirs = {}
    for cell in nbformat.reads(raw.decode("utf-8"), as_version=4).cells:
        key = cells.key(cell)  # the first of duplicated cells counts, as when grading
        theirs.setdefault(renamed.get(key, key), cell.source)
    return theirs


def _fingerprint(text, kind, common=frozenset()):
    """The copydetect fingerprint of an answer, without the k-grams in common (copydetect's own
    boilerplate removal keeps some repeated k-grams: here, a plain set difference)."""
    # copydetect imports matplotlib.pyplot: only the similarity report waits for it
    from copydetect.detector import CodeFingerprint
    from copydetect.utils import get_token_coverage

    if kind == "code":  # numbers as 0, semicolons as spaces (joining statements hides nothing), line for line
        code = _NUMBER.sub("0", text).replace(";", " ")
        got = CodeFingerprint("answer", K[kind], 1, language="python", fp=io.StringIO(code))
    else:  # lowercase, whitespace as spaces, character for character
        words = "".join(" " if c.isspace() else c.lower() if len(c.lower()) == 1 else c for c in text)
        got = CodeFingerprint("answer", K[kind], 1, filter=False, fp=io.StringIO(words))
        got.raw_code = text  # where copydetect's slices point: here, the answer itself
    got.answer = text
    got.newlines = [i for i, c in enumerate(got.raw_code) if c == "\n"]
    got.hashes -= common
    got.hash_idx = {h: where for h, where in got.hash_idx.items() if h not in common}
    got.token_coverage = get_token_coverage(got.hash_idx, got.k, len(got.filtered_code))
    return got


def _lines(got, slices, common_lines):
    """Line numbers (from 0) of an answer that copydetect's slices (starts, ends) in its
    fingerprint cover, but for blank lines and lines of the stub or the solution."""
    def line(position):
        return bisect.bisect_left(got.newlines, position)

    found = {i for start, end in zip(*slices, strict=True) for i in range(line(start), line(end - 1) + 1)}
    lines = got.answer.split("\n")
    return [i for i in sorted(found) if lines[i].strip() and lines[i].strip() not in common_lines]


def similar_pairs(question, answers, common_texts, kind, threshold):
    """[Pair] of the answers ({student: text}) to one question that are alike, apart from what
    they share with common_texts (the stub, the solution)."""
    from copydetect.detector import compare_files

    common = set().union(*(_fingerprint(t, kind).hashes for t in common_texts))
    common_lines = {line.strip() for t in common_texts for line in t.split("\n")}
    alike = defaultdict(list)  # students by answer: each distinct answer is fingerprinted once
    for student, text in sorted(answers.items()):
        alike[text].append(student)
    prints = {text: _fingerprint(text, kind, common) for text in alike}
    holders = defaultdict(list)  # only answers that share a k-gram are compared
    for text, got in prints.items():
        for h in got.hashes:
            holders[h].append(text)
    candidates = {pair for group in holders.values() for pair in itertools.combinations(group, 2)}
    candidates |= {(text, text) for text, students in alike.items() if len(students) > 1}
    pairs = []
    for a, b in candidates:
        shared, (score_a, score_b), (slices_a, slices_b) = compare_files(prints[a], prints[b])
        score = round(float(max(score_a, score_b)), 3)
        if shared < MIN_SHARED[kind] or score < threshold:
            continue
        lines_a = _lines(prints[a], slices_a, common_lines)
        lines_b = _lines(prints[b], slices_b, common_lines)
        if max(len(lines_a), len(lines_b)) < MIN_LINES:  # (Pair.shared_lines)
            continue
        students = itertools.combinations(alike[a], 2) if a == b else itertools.product(alike[a], alike[b])
        pairs += [Pair(question, x, y, score, lines_a, lines_b) if x < y else
                  Pair(question, y, x, score, lines_b, lines_a) for x, y in students]
    return pairs


def compare_class(course, folder, assignment, threshold=THRESHOLD):
    """The Report of a folder of submissions (or a graded folder) of one assignment."""
    answers, left_out = class_answers(course, submissions_in(folder), assignment)
    solution = course.solution(assignment)
    written = cells.written_cells(solution)
    sources = {**cells.answer_cells(solution), **written}
    report = Report(assignment, threshold, answers, left_out=left_out)
    for question, theirs in answers.items():
        common = [sources[question].source, released(sources[question]).source]
        report.pairs += similar_pairs(question, theirs, common, "text" if question in written else "code",
                                      threshold)
    report.pairs.sort(key=lambda p: (-p.score, -p.shared_lines, p.question, p.student_a, p.student_b))
    return report


def write_report(report, out):
    """DIR/similarity.csv and DIR/similarity.html; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_table(out / "similarity.csv", FIELDS, [{f: getattr(p, f) for f in FIELDS} for p in report.pairs])
    write_atomically(out / "similarity.html", page(report))
    return out / "similarity.csv", out / "similarity.html"


STYLE = """body{font-family:sans-serif;margin:1.5em;max-width:110em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
pre{background:#f6f6f6;padding:.5em;overflow:auto;white-space:pre-wrap;font-size:85%}
mark{background:#ffe08a}.note{color:#555}"""


def page(report):
    """The report as one inert HTML page (str): every text escaped, no script, a CSP that forbids one."""
    e = html.escape
    students = len({s for theirs in report.answers.values() for s in theirs})
    parts = [f"<h1>Similar answers: {e(report.assignment)}</h1>",
             f"<p>{students} students' answers to {len(report.answers)} graded questions compared; "
             f"{len(report.pairs)} answer pair(s) with a score of at least {report.threshold:g}.</p>",
             "<p class=note>A similarity is a place to look, not a verdict: answers from the same "
             "lecture example, or copied from a third person, look alike too, and a rewritten copy can "
             "look unlike. The released stub and the solution are left out of every comparison; names, "
             "numbers, strings and comments are ignored in code.</p>", "<h2>Pairs of students</h2>"]
    by_students = defaultdict(list)
    for p in report.pairs:
        by_students[p.student_a, p.student_b].append(p)
    rows = sorted(by_students.items(), key=lambda item: (-len(item[1]), -item[1][0].score, item[0]))
    parts.append("<table><tr><th>students</th><th>similar questions</th><th>highest score</th>"
                 "<th>questions</th></tr>")
    parts += [f"<tr><td>{e(a)} and {e(b)}</td><td>{len(ps)}</td><td>{ps[0].score:.2f}</td>"
              f"<td>{e(', '.join(p.question for p in ps))}</td></tr>" for (a, b), ps in rows]
    parts.append("</table>" if rows else "</table><p>No similar pairs.</p>")
    parts.append("<h2>Answers side by side</h2>")
    if len(report.pairs) > SHOWN_PAIRS:
        parts.append(f"<p class=note>The {SHOWN_PAIRS} highest scores of {len(report.pairs)}; "
                     "similarity.csv lists them all.</p>")
    for p in report.pairs[:SHOWN_PAIRS]:
        theirs = report.answers[p.question]
        parts += [f"<h3>{e(p.question)}: {e(p.student_a)} and {e(p.student_b)}, score {p.score:.2f}, "
                  f"{p.shared_lines} shared line(s)</h3>", "<div class=pair>",
                  _marked(theirs[p.student_a], p.lines_a), _marked(theirs[p.student_b], p.lines_b), "</div>"]
    if report.left_out:
        parts.append("<h2>Left out</h2><ul>")
        parts += [f"<li>{e(student)}: {e(why)}</li>" for student, why in report.left_out]
        parts.append("</ul>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f"<title>Similar answers: {e(report.assignment)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _marked(text, lines):
    """An answer as a <pre>, escaped, its shared lines marked."""
    shared = set(lines)
    return "<pre>" + "\n".join(f"<mark>{html.escape(line)}</mark>" if i in shared else html.escape(line)
                               for i, line in enumerate(text.split("\n"))) + "</pre>"
