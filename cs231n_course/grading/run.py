"""Run an assembled notebook in a sandboxed kernel, under a per-cell and a per-notebook time limit.

Every code cell runs in the kernel in notebook order, except the graded tests cells: when one
comes, `judge(cell)` is called instead (the trusted judge, which calls into the kernel from
outside). The outputs are bounded (output_bytes per cell), the kernel's execute reply of every
cell is recorded. A cell over its time limit is interrupted; a kernel that does not answer the
interrupt within ANSWER_SECONDS is killed at once (it would hold its worker until the notebook's
limit), and a watchdog kills one that outlives the notebook's limit. Nothing here decides a score.
"""

import json
import signal
import threading
import time
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .. import cells
from .results import Status

# how long a kernel may take to finish a cell once it has replied, or once it was interrupted
ANSWER_SECONDS = 10


@dataclass
class Run:
    status: Status = Status.OK
    reason: str = ""
    replies: dict = field(default_factory=dict)  # cell index -> execute reply status ("ok", "error")


class _Client(NotebookClient):
    """nbclient with bounded outputs and the execute reply of every cell recorded."""

    def __init__(self, nb, output_bytes, **kw):
        super().__init__(nb, **kw)
        self.output_bytes, self.sizes, self.replies = output_bytes, {}, {}
        self.on_cell_executed = self._record

    def _record(self, cell, cell_index, execute_reply):
        self.replies[cell_index] = execute_reply["content"].get("status")

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg["content"]))
        used = self.sizes.get(cell_index, 0)
        if used + size > self.output_bytes:
            if used <= self.output_bytes:
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout", text=f"\n[output over {self.output_bytes:,} bytes dropped]\n"))
                self.sizes[cell_index] = self.output_bytes + 1
            return None
        self.sizes[cell_index] = used + size
        return super().output(outs, msg, display_id, cell_index)


def run_notebook(nb, kernel, limits, judge=None):
    """Execute nb's code cells in kernel, in place (outputs filled in); returns a Run.

    judge(cell): called for each tests cell instead of running it in the kernel (None: run it).
    """
    client = _Client(nb, limits.output_bytes, km=kernel.km, kernel_name="sandboxed",
                     timeout=int(limits.cell_seconds), allow_errors=True, interrupt_on_timeout=True,
                     error_on_timeout={"ename": "TimeoutError",
                                       "evalue": f"the cell ran over {limits.cell_seconds:g} s"},
                     iopub_timeout=ANSWER_SECONDS, raise_on_iopub_timeout=True,
                     resources={"metadata": {"path": kernel.workdir}})
    client.kc = kernel.async_client()
    client.reset_execution_trackers()
    # whatever else outlives every timeout (the judge's calls into a kernel that ignores
    # interrupts): the watchdog kills the kernel
    watchdog = threading.Timer(limits.notebook_seconds + 10, kernel.kill)
    watchdog.start()
    try:
        run = _run_cells(nb, kernel, limits, client, watchdog, judge)
    finally:
        watchdog.cancel()
        client.kc.stop_channels()
    run.replies = client.replies
    return run


def _run_cells(nb, kernel, limits, client, watchdog, judge):
    deadline = time.monotonic() + limits.notebook_seconds
    note = ""  # a reason worth knowing on a run that went on (a cell ran out of memory)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = cells.key(cell)
        left = deadline - time.monotonic()
        if left <= 0:
            return Run(Status.TIMEOUT, f"the notebook's time limit ({limits.notebook_seconds:g} s) "
                                       f"ran out before cell {where}")
        client.timeout = max(1, int(min(limits.cell_seconds, left)))
        try:
            if judge is not None and cells.kind(cell) is cells.Kind.TESTS:
                judge(cell)
                if not kernel.km.is_alive():
                    raise DeadKernelError("the kernel died while the tests ran")
            else:
                started = time.monotonic()
                client.execute_cell(cell, index)
        except DeadKernelError:
            return _dead_kernel(kernel, limits, watchdog, where)
        except CellTimeoutError:  # no end of the cell within ANSWER_SECONDS of its reply
            kernel.kill()
            if time.monotonic() - started - ANSWER_SECONDS >= client.timeout:  # the reply: a timeout
                return Run(Status.TIMEOUT, f"cell {where} ran over its time limit ({client.timeout:g} s) "
                                           "and did not stop when interrupted: the kernel was killed, "
                                           "later cells were not run")
            return Run(Status.ERROR, f"the kernel stopped answering after cell {where}: it was "
                                     "killed, later cells were not run")
        if not note and any(o.output_type == "error" and o.ename == "MemoryError" for o in cell.outputs):
            note = f"cell {where} ran out of memory (limit {limits.memory_mb} MB)"
    return Run(reason=note)


def _dead_kernel(kernel, limits, watchdog, where):
    sig = kernel.exit_signal()
    if watchdog.finished.is_set():
        return Run(Status.TIMEOUT, f"cell {where} ignored the time limit ({limits.notebook_seconds:g} s "
                                   "for the notebook): the kernel was killed")
    if sig in (signal.SIGKILL, signal.SIGXCPU):
        return Run(Status.KILLED, f"the kernel was killed ({signal.Signals(sig).name}) in cell {where}")
    return Run(Status.ERROR, f"the kernel died in cell {where} (os._exit, sys.exit in a thread, "
                             "or a crash); later cells were not run")
