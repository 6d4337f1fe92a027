"""Grade a class: every submission in its own sandboxed kernel, in parallel, resumable.

    submissions -> jobs -> grade_notebook (local processes or a Dask cluster) -> results -> outputs

OUT/results/<student>.json              each submission's NotebookResult, saved as soon as it is
                                        graded: a re-run skips unchanged submissions (content hash)
OUT/feedback/<student>/<assignment>.html  the feedback page, without the hidden tests
OUT/autograded/<student>/<assignment>.ipynb  the executed notebook, for the instructor
OUT/grades.csv, OUT/gradebook.db, OUT/summary.png  (outputs.py), written once at the end

Work runs on local worker processes (one at a time on a thread for a single worker), each with
one sandboxed kernel per submission, the next one booting ahead of need, and its own judge and
feedback rendering; or, with a scheduler address, on a Dask cluster whose workers have this
project installed. Results come back here, where they are written.
A single notebook goes through the same code as a class of one.
"""

import atexit
import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import nbformat
from tqdm import tqdm

from .. import cells
from . import sandbox
from .kernel import KernelSupply, font_cache, leave_warnings_to_the_grader, warn_once
from .limits import Limits
from .notebook import Graded, Job, grade_notebook
from .outputs import write_outputs
from .results import NotebookResult, Status
from .submissions import read_submitted

GRADER_VERSION = "4"  # part of every job's hash: a new grader regrades everything (4: written answers)


def job_digest(source_text, submission_bytes, limits, earlier):
    h = hashlib.sha256()
    for part in (GRADER_VERSION, source_text, json.dumps(limits.to_json(), sort_keys=True),
                 json.dumps(earlier, sort_keys=True)):
        h.update(part.encode())
    h.update(submission_bytes)
    return h.hexdigest()


def _write_atomically(path, text):
    """A crash mid-write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _save(out_dir, job, graded):
    if graded.feedback:
        _write_atomically(out_dir / "feedback" / job.student / f"{job.assignment}.html", graded.feedback)
    if graded.notebook:
        _write_atomically(out_dir / "autograded" / job.student / f"{job.assignment}.ipynb", graded.notebook)
    _write_atomically(out_dir / "results" / f"{job.student}.json",
                      json.dumps({"hash": job.digest, "result": graded.result.to_json()}))


def _cached(out_dir, job):
    try:
        saved = json.loads((out_dir / "results" / f"{job.student}.json").read_text())
        return NotebookResult.from_json(saved["result"]) if saved.get("hash") == job.digest else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _run_local(jobs, workers, limits, on_done):
    """Grade jobs (of one assignment): on this process's thread with one worker, else on
    `workers` processes (each judges and renders on its own core, with its own supply of
    pre-started kernels); on_done(job, future) is called here as each one ends."""
    if workers == 1 or len(jobs) < 2:
        supply = KernelSupply(limits, jobs[0].earlier) if jobs else None
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                futures = {pool.submit(lambda job: grade_notebook(job, supply.take()), job): job
                           for job in jobs}
                for future in as_completed(futures):
                    on_done(futures[future], future)
        finally:
            if supply is not None:
                supply.close()
        return
    # spawned, not forked: the grader may run threads (a test runner's, Dask's) that a fork would copy
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=get_context("spawn"),
                             initializer=_start_worker,
                             initargs=(sandbox.bwrap_status(), font_cache())) as pool:
        futures = {pool.submit(_grade_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            on_done(futures[future], future)


_supply = None  # in a worker process: its kernels, started ahead of need


def _start_worker(bwrap_status, fonts):
    """In a worker process: what the grading process found out once (bwrap, the font list)."""
    sandbox.use_status(bwrap_status)
    font_cache(fonts)
    leave_warnings_to_the_grader()


def _grade_in_worker(job):
    """In a worker process: grade job in the next of this process's kernels (all of one
    assignment, as in grade_class); the one started last is shut down when the process ends."""
    global _supply
    if _supply is None:
        _supply = KernelSupply(job.limits, job.earlier)
        atexit.register(_supply.close)
    return grade_notebook(job, _supply.take())


def _run_dask(jobs, scheduler, on_done):
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {client.submit(grade_notebook, job, pure=False, retries=2,
                                 key=f"grade-{job.student}-{job.digest[:12]}"): job for job in jobs}
        for future in dask_completed(futures):
            on_done(futures[future], future)


def grade_class(course, subs, assignment, out_dir, workers=None, scheduler=None, limits=None,
                force=False, progress=True):
    """Grade the submissions `subs` (from submissions.py) in place: each gets its NotebookResult.

    Writes grades.csv, gradebook.db, summary.png, feedback and executed notebooks to out_dir.
    """
    limits = limits or Limits()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    source_nb = course.solution(assignment)
    source = nbformat.writes(source_nb)
    renamed = course.renamed_cells(assignment)
    earlier = course.earlier_solutions(assignment)
    graded = cells.graded_cells(source_nb)
    by_student, jobs = {s.student: s for s in subs}, []
    for sub in subs:
        if sub.path is None:  # invalid: found so when the folder was listed
            continue
        try:
            data = read_submitted(sub.path)
        except (OSError, ValueError) as e:  # changed since it was listed
            sub.result.fail(Status.INVALID, f"{sub.path.name} cannot be read ({e})")
            continue
        job = Job(sub.student, assignment, source, data, limits, renamed, earlier,
                  job_digest(source, data, limits, earlier))
        cached = None if force else _cached(out_dir, job)
        if cached is not None:
            sub.result = cached
        else:
            jobs.append(job)

    bar = tqdm(total=len(jobs), desc=f"grading {assignment}", unit="notebook",
               disable=None if progress else True)

    def on_done(job, future):
        try:
            graded_nb = future.result()
        except Exception as e:  # the grader failed on this one; say so, go on with the others
            graded_nb = Graded(NotebookResult.zero(graded).fail(
                Status.ERROR, f"the grader failed: {type(e).__name__}: {e}"))
        else:
            _save(out_dir, job, graded_nb)
            warn_once(graded_nb.result.isolation)  # here, not in each worker process
        by_student[job.student].result = graded_nb.result
        bar.update(1)

    if scheduler:
        _run_dask(jobs, scheduler, on_done)
    else:
        _run_local(jobs, workers or os.cpu_count() or 1, limits, on_done)
    bar.close()
    write_outputs(out_dir, assignment, source_nb, subs)
    return subs
