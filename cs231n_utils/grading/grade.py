"""Grade a class: every submission in its own sandboxed kernel, in parallel, resumable.

OUT/grades.csv                          one row per student and graded cell
OUT/feedback/<student>/<notebook>.html  feedback without the hidden tests
OUT/gradebook.db                        nbgrader's gradebook, written by this process alone
OUT/summary.png                         score distribution and per-question pass rates
OUT/results/<student>/<notebook>.json   each submission's result, saved as soon as it is graded:
                                        a re-run skips unchanged submissions (content hash)
OUT/autograded/<student>/<notebook>.ipynb  the executed notebook, for the instructor

Work runs on local threads (one sandboxed kernel each, the next one booting ahead of need) or,
with a scheduler address, on a Dask cluster whose workers have this package installed.
"""

import hashlib
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from .execute import KernelSupply, Limits, grade_submission
from .report import summary_plot, write_csv, write_gradebook
from .submissions import find_submissions, grade_cells

GRADER_VERSION = "1"


def job_hash(source_text, submission_bytes, limits):
    h = hashlib.sha256()
    for part in (GRADER_VERSION, source_text, json.dumps(asdict(limits), sort_keys=True)):
        h.update(part.encode())
    h.update(submission_bytes)
    return h.hexdigest()


def hidden_paths(course, out_dir, submissions_dir):
    """What a kernel must not see: the course (answer key, banks, git history) but for what it
    needs to run (the virtual environment and the package), the grader's output, the class."""
    needed = [Path(sys.prefix).resolve(), Path(__file__).resolve().parents[1]]
    paths = [Path(out_dir).resolve(), Path(submissions_dir).resolve()]
    paths += [p for p in course.root.iterdir() if p.is_dir()]
    return sorted({str(p) for p in paths
                   if not any(n == p or p in n.parents for n in needed)})


def _write_json(path, data):
    """Atomically: a crash mid-write never leaves half a result."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def _save(out_dir, student, notebook, digest, result):
    if result.get("feedback"):
        page = out_dir / "feedback" / student / f"{notebook}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(result["feedback"])
    if result.get("notebook"):
        executed = out_dir / "autograded" / student / f"{notebook}.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        executed.write_text(result["notebook"])
    kept = {k: v for k, v in result.items() if k not in ("feedback", "notebook")}
    _write_json(out_dir / "results" / student / f"{notebook}.json", {"hash": digest, "result": kept})


def _cached(out_dir, student, notebook, digest):
    path = out_dir / "results" / student / f"{notebook}.json"
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return saved["result"] if saved.get("hash") == digest else None


def _run_local(jobs, workers, limits, hide, on_result):
    """Grade jobs on `workers` threads, each with its own supply of pre-started kernels."""
    local = threading.local()
    supplies, lock = [], threading.Lock()

    def work(job):
        if not hasattr(local, "supply"):
            local.supply = KernelSupply(limits, hide)
            with lock:
                supplies.append(local.supply)
        return grade_submission({**job, "kernel": local.supply.take()})

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(work, job): job for job in jobs}
            for future in as_completed(futures):
                on_result(futures[future], _outcome(future))
    finally:
        for supply in supplies:
            supply.close()


def _run_dask(jobs, scheduler, on_result):
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {client.submit(grade_submission, job, pure=False, retries=2,
                                 key=f"grade-{job['student']}-{job['notebook']}-{job['hash'][:12]}"): job
                   for job in jobs}
        for future in dask_completed(futures):
            on_result(futures[future], _outcome(future))


def _outcome(future):
    try:
        return future.result()
    except Exception as e:  # the grader failed on this one; say so, go on with the others
        return {"status": "error", "reason": f"the grader failed: {type(e).__name__}: {e}",
                "cells": None}


def grade(course, submissions_dir, assignment, out_dir, workers=None, scheduler=None,
          limits=None, force=False, progress=True):
    """Grade every submission of an assignment; returns the list of Submission with rows."""
    limits = limits or Limits()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = {p.stem: p.read_text() for p in course.source_notebooks(assignment)}
    subs = find_submissions(submissions_dir, assignment, sorted(sources))
    hide = hidden_paths(course, out_dir, submissions_dir)
    results, jobs = {}, []
    for sub in subs:
        for notebook, path in sub.files.items() if sub.status == "ok" else ():
            data = path.read_bytes()
            digest = job_hash(sources[notebook], data, limits)
            cached = None if force else _cached(out_dir, sub.student, notebook, digest)
            if cached is not None:
                results[sub.student, notebook] = cached
            else:
                jobs.append({"student": sub.student, "notebook": notebook, "hash": digest,
                             "source": sources[notebook], "submission": data,
                             "limits": asdict(limits), "hide": hide})

    bar = tqdm(total=len(jobs), desc=f"grading {assignment}", unit="notebook",
               disable=None if progress else True)

    def on_result(job, result):
        if result.get("cells") is None:  # the grader itself failed on this submission
            result["cells"] = {}
        else:
            _save(out_dir, job["student"], job["notebook"], job["hash"], result)
        results[job["student"], job["notebook"]] = result
        bar.update(1)

    if scheduler:
        _run_dask(jobs, scheduler, on_result)
    else:
        _run_local(jobs, workers or os.cpu_count() or 1, limits, hide, on_result)
    bar.close()
    _fill_rows(subs, results, assignment, grade_cells(course, assignment))
    write_csv(out_dir / "grades.csv", subs)
    write_gradebook(out_dir / "gradebook.db", assignment, sources, subs)
    summary_plot(out_dir / "summary.png", subs, assignment)
    return subs


def _fill_rows(subs, results, assignment, cells):
    """Each submission's rows for grades.csv, one per graded cell (cells: from grade_cells)."""
    for sub in subs:
        invalid = sub.status != "ok"  # found so when the folder was listed
        sub.rows = []
        for notebook, cell, max_score in cells:
            result = {} if invalid else results.get((sub.student, notebook), {})
            status = sub.status if invalid else result.get("status", "error")
            reason = sub.reason if invalid else result.get("reason", "")
            got = (result.get("cells") or {}).get(cell, {})
            why = got.get("reason") or (reason if status != "ok" else "")
            sub.rows.append(dict(student=sub.student, assignment=assignment, notebook=notebook,
                                 cell=cell, score=float(got.get("score", 0.0)), max_score=max_score,
                                 status=status, reason=why))
        failed = next((r for r in sub.rows if r["status"] != "ok"), None)
        if failed and not invalid:
            sub.status = failed["status"]
            sub.reason = results.get((sub.student, failed["notebook"]), {}).get("reason", "")
