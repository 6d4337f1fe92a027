"""Grade a class: every submission in its own sandboxed kernel, in parallel, resumable.

    submissions -> jobs -> grade_notebook (worker processes or a Dask cluster) -> the course of
    record (record.py: results, executed notebooks, feedback) -> gradebook.db -> outputs

Each submission's result is saved in OUT as soon as it is graded, so a run that is interrupted
loses nothing and a rerun skips what is unchanged (content hash). The gradebook is updated in
place at the end and never loses what people entered in Formgrader (gradebook.py).

Work runs on local worker processes, each with one sandboxed kernel per submission (the next one
booting ahead of need), its own judge and feedback rendering, and a heap limit of its own
(Limits.grader_memory_mb): a submission that makes its worker fail or die costs only its own
grade, the others are graded again in fresh workers. With a scheduler address, the work runs on a
Dask cluster whose workers have this project installed. A single notebook is a class of one.
"""

import atexit
import hashlib
import json
import os
import resource
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

import nbformat
from tqdm import tqdm

from .. import cells
from . import gradebook, sandbox
from .kernel import KernelSupply, font_cache, leave_warnings_to_the_grader, warn_once
from .limits import Limits
from .notebook import Graded, Job, grade_notebook
from .outputs import publish
from .record import Record
from .results import NotebookResult, Status

GRADER_VERSION = "5"  # part of every job's hash: a new grader regrades everything (5: course of record)


def job_digest(source_text, submission_bytes, limits, earlier):
    h = hashlib.sha256()
    for part in (GRADER_VERSION, source_text, json.dumps(limits.to_json(), sort_keys=True),
                 json.dumps(earlier, sort_keys=True)):
        h.update(part.encode())
    h.update(submission_bytes)
    return h.hexdigest()


def _run_local(jobs, workers, on_done, work=None):
    """Grade jobs (of one assignment) on `workers` processes, each judging and rendering on its own
    core with its own supply of pre-started kernels; on_done(job, future) is called here as each
    one ends. When a worker dies (a limit, the OOM killer), every job it took down with it is
    graded again alone in a fresh process, so that only the one that killed it fails.
    work(job, boot_next) -> Graded runs in the workers (default: grade in the worker's next kernel,
    and boot the one after it while grading when boot_next: when at least `workers` jobs follow)."""
    work = work or _grade_in_worker
    failed = _in_pool(jobs, workers, on_done, work)
    with ThreadPoolExecutor(max_workers=workers) as alone:
        list(alone.map(lambda job: _in_pool([job], 1, on_done, work, last_try=True), failed))


def _in_pool(jobs, workers, on_done, work, last_try=False):
    """Jobs in one pool of worker processes; returns those lost with a dead worker (unless last_try)."""
    lost = []
    if not jobs:
        return lost
    # spawned, not forked: the grader may run threads (a test runner's, Dask's) that a fork would copy
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=get_context("spawn"),
                             initializer=_start_worker,
                             initargs=(sandbox.bwrap_status(), font_cache(), jobs[0].limits)) as pool:
        # the pool hands jobs out in order: a worker needs a kernel ahead only while at least one
        # job per worker is still to come (the others have theirs booted already)
        futures = {pool.submit(work, job, len(jobs) - 1 - i >= workers): job for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            if isinstance(future.exception(), BrokenProcessPool) and not last_try:
                lost.append(futures[future])
            else:
                on_done(futures[future], future)
    return lost


_supply = None  # in a worker process: its kernels, started ahead of need


def _start_worker(bwrap_status, fonts, limits):
    """In a worker process: what the grading process found out once (bwrap, the font list), and
    the worker's heap limit (soft: the kernels it starts set their own)."""
    sandbox.use_status(bwrap_status)
    font_cache(fonts)
    leave_warnings_to_the_grader()
    heap = limits.grader_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (heap, resource.getrlimit(resource.RLIMIT_DATA)[1]))


def _grade_in_worker(job, boot_next):
    """In a worker process: grade job in the next of this process's kernels (all of one
    assignment, as in grade_class), booting the one after it meanwhile when boot_next; a kernel
    booted and not used is shut down when the process ends."""
    global _supply
    if _supply is None:
        _supply = KernelSupply(job.limits, job.earlier)
        atexit.register(_supply.close)
    return grade_notebook(job, _supply.take(boot_next))


def _run_dask(jobs, scheduler, on_done):
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {client.submit(grade_notebook, job, pure=False, retries=2,
                                 key=f"grade-{job.student}-{job.digest[:12]}"): job for job in jobs}
        for future in dask_completed(futures):
            on_done(futures[future], future)


def grade_class(course, subs, assignment, out_dir, workers=None, scheduler=None, limits=None,
                force=False, progress=True, notify=None):
    """Grade the submissions `subs` (from submissions.py) in place: each gets its NotebookResult,
    with what people entered in Formgrader. out_dir is the course of record (record.py), which
    may hold other assignments too; notify(text) tells the instructor what changed in it
    (default: stderr)."""
    notify = notify or (lambda text: print(text, file=sys.stderr))
    limits = limits or Limits()
    record = Record(Path(out_dir).resolve())
    source_nb = course.solution(assignment)
    source = nbformat.writes(source_nb)
    renamed = course.renamed_cells(assignment)
    earlier = course.earlier_solutions(assignment)
    graded = cells.graded_cells(source_nb)
    with record.lock():
        gradebook.check(record.gradebook, course.course_id)  # before any work: never overwritten
        record.prepare(course, assignment, source_nb)
        by_student, jobs = {s.student: s for s in subs}, []
        for sub in subs:
            data = sub.data  # read and validated once, when the folder was listed (None: invalid)
            if data is None:
                record.save_result(sub.student, assignment, "", sub.result)
                continue
            job = Job(sub.student, assignment, source, data, limits, renamed, earlier,
                      job_digest(source, data, limits, earlier))
            cached = None if force else record.cached(sub.student, assignment, job.digest)
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
                why = ("its grading worker died (a memory limit, or killed)"
                       if isinstance(e, BrokenProcessPool) else f"{type(e).__name__}: {e}")
                failed = NotebookResult.zero(graded).fail(Status.ERROR, f"the grader failed: {why}")
                graded_nb = Graded(failed)
            else:
                warn_once(graded_nb.result.isolation)  # here, not in each worker process
            record.save(job.student, assignment, job.digest, graded_nb, job.submission, source_nb)
            by_student[job.student].result = graded_nb.result
            bar.update(1)

        if scheduler:
            _run_dask(jobs, scheduler, on_done)
        else:
            _run_local(jobs, workers or os.cpu_count() or 1, on_done)
        bar.close()
        for notice in gradebook.record(record.gradebook, course.course_id, assignment, source_nb, subs):
            notify(notice)
        hand = gradebook.hand_grades(record.gradebook, assignment)  # their pages show hand grades
        merged = {s.student: s.result for s in publish(record, [assignment], {assignment: hand})[assignment]}
    for sub in subs:
        sub.result = merged.get(sub.student, sub.result)
    return subs
