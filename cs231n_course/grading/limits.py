"""The limits a submission runs under, in one form from the command line to the sandbox."""

import resource
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    notebook_seconds: float = 600.0  # wall clock for the whole notebook (--timeout)
    cell_seconds: float = 120.0  # wall clock for one cell
    memory_mb: int = 4096  # address space of the kernel (--memory)
    processes: int = 64  # processes and threads of the kernel
    output_bytes: int = 1_000_000  # kept output of one cell; the rest is dropped
    file_mb: int = 256  # largest file the kernel may write
    isolate: bool = True  # bubblewrap (no network, an allow-list of files, own user) where possible
    grader_memory_mb: int = 2048  # heap of a grading worker (its judge, its feedback pages)

    @property
    def cpu_seconds(self):
        """CPU time of the kernel: twice the wall clock of the notebook, and a minute more."""
        return int(self.notebook_seconds * 2 + 60)

    def rlimits(self):
        """{name: (RLIMIT_*, value)} the sandbox sets on the kernel (processes: see sandbox.py)."""
        mb = 1024 * 1024
        return {"memory": (resource.RLIMIT_AS, self.memory_mb * mb),
                "data": (resource.RLIMIT_DATA, self.memory_mb * mb),  # (not the grader's, inherited)
                "file_size": (resource.RLIMIT_FSIZE, self.file_mb * mb),
                "cpu_seconds": (resource.RLIMIT_CPU, self.cpu_seconds),
                "core": (resource.RLIMIT_CORE, 0)}

    def to_json(self):
        return asdict(self)
