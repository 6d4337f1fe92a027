"""`make check [NB=04]`: run notebooks as nbgrader's Validate does; one line per failing cell.

The student edition's check.py (release.py copies this file; it needs only nbgrader). For each
notebook: restart, run top to bottom, run the visible tests, and print each graded cell that fails,
edited test cells too, with its id and why, one line each. The exit status is 1 when any notebook
fails. (`nbgrader validate` prints pages of source and traceback, and exits 0 when a notebook fails.)
An earlier notebook's missing exercise (cs231n_utils.mine's MissingExercise) stops the run: it is
the one failure named, whole, not the NameErrors it would cause below. The edition's
jupyter/nbgrader_config.py gives the lab's Validate button the same rule (`use_in_validate`).
"""

import glob
import os
import re
import sys
import tempfile

import nbformat
from nbgrader.preprocessors import Execute
from nbgrader.validator import Validator
from traitlets.config import Config

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONGEST = 160  # characters of a reason; the notebook shows the whole message
MISSING = "MissingExercise"  # cs231n_utils.mine's: an earlier notebook's exercise is not done


def cell_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id", "?")


def reason(cell):
    """Why a graded cell failed, in one line."""
    if cell.cell_type == "markdown":
        return "not answered yet (it still says YOUR ANSWER HERE)"
    for output in cell.get("outputs", []):
        if output.output_type == "error" and output.ename == MISSING:
            return f"{MISSING}: {output.evalue}"  # what to do, whole
        if output.output_type == "error":
            lines = [line.strip() for line in output.evalue.splitlines() if line.strip()]
            if lines:
                more = " (more in the notebook)" if len(lines) > 1 else ""
                return _short(f"{output.ename}: {lines[0]}") + more
            if output.ename == "NotImplementedError":
                return "NotImplementedError: an exercise it uses is not finished yet"
            return _short(f"{output.ename} in: {_failing_line(output.traceback)}")
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            return _short(f"wrote an error: {output.text.strip().splitlines()[-1]}")
    return "passed some but not all of its tests"


def _failing_line(traceback):
    """The last line that a traceback points at (IPython marks it `---->`)."""
    marked = [line for line in ANSI.sub("", "\n".join(traceback)).splitlines() if line.startswith("---->")]
    return marked[-1].split(maxsplit=2)[-1] if marked else "(see the notebook)"


def _short(text):
    return text if len(text) <= LONGEST else text[:LONGEST - 3] + "..."


class StopAtMissingExercise(Execute):
    """nbgrader's Execute, stopping at an earlier notebook's missing exercise: no cell after it
    runs, and the first graded cell from it on carries its error (Validate names graded cells only)."""

    def preprocess(self, nb, resources=None, km=None):
        self._missing, self._named = None, False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self._missing is None:
            cell, resources = super().preprocess_cell(cell, resources, index)
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            self._missing = next((o for o in errors if o.ename == MISSING), None)
            self._named = self._missing is not None and _graded(cell)
        elif not self._named and _graded(cell):
            cell.outputs, self._named = [self._missing], True
        return cell, resources


def _graded(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


def use_in_validate(c):
    """For the edition's nbgrader_config.py: the lab's Validate button stops at a missing exercise."""
    validator = Validator.class_traits()["preprocessors"]  # nbgrader 0.9: not a config option
    validator.default_args = ([StopAtMissingExercise if p is Execute else p for p in validator.default()],)


class OneLineValidator(Validator):
    """nbgrader's Validator, each failing cell's error given as `id: reason`, stopping at a missing
    exercise."""

    def _extract_error(self, cell):
        return f"{cell_id(cell)}: {reason(cell)}"

    def _preprocess(self, nb):
        self.preprocessors = [StopAtMissingExercise if p is Execute else p for p in self.preprocessors]
        return super()._preprocess(nb)


def problems(path, sockets):
    """One line per failing cell of the notebook at `path` ([] when it passes)."""
    # the kernel talks over Unix sockets in `sockets`, not TCP (no warning about unencrypted TCP)
    config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})
    results = OneLineValidator(config=config).validate(path)
    ids = {cell.source.strip(): cell_id(cell) for cell in nbformat.read(path, as_version=4).cells}
    lines = [f"{ids.get(c['source'], '?')}: was a {c['old_type']} cell and is now a {c['new_type']} cell; "
             "change it back" for c in results.get("type_changed", [])]
    lines += [f"{ids.get(c['source'], '?')}: this test cell was edited; undo the change (a fresh copy of "
              "the notebook has the original)" for c in results.get("changed", [])]
    return lines + [c["raw_error"] for c in results.get("failed", [])]


def main(patterns):
    paths = sorted({path for pattern in patterns for path in glob.glob(pattern)})
    if not paths:
        print(f"no notebook matches {' '.join(patterns)} (give NB as a notebook's number, e.g. NB=04)",
              file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        name = os.path.basename(path)
        print(f"{name}: checking (restart, run all, visible tests)...", flush=True)
        with tempfile.TemporaryDirectory() as sockets:
            try:
                found = problems(path, sockets)
            except Exception as error:  # not a notebook, or one nbgrader cannot read: say so, go on
                found = [_short(f"the notebook could not be checked: {type(error).__name__}: {error}")]
        if found:
            failed += 1
            print(f"{name}: FAILED on {len(found)} cell(s):")
            print("\n".join(f"  {line}" for line in found))
        else:
            print(f"{name}: passed its visible tests (your instructor's hidden tests run when grading)")
    if failed:
        print(f"{failed} of {len(paths)} notebook(s) failed: fix the cells named above, then check again")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
