"""One exception for bad input, so the CLI can print one clear paragraph and exit 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input from a user file or option.

    The message is a single paragraph that names the file, the line where known, the field
    and what was expected. The CLI prints it without a traceback and exits with code 2.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        """Keep the parts apart (callers read ``path``, ``line`` and ``field``) and build the message."""
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The paragraph the user sees: where (file, line, field), then what is wrong and what was expected."""
        if self.path is None:  # a command-line option, or input with no file behind it
            kind = "option" if (self.field or "").startswith("-") else "field"
            where = f"{kind} '{self.field}'" if self.field else "input"
            return f"{where}: {self.problem}"
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.problem}"


class DiskFull(InputError):
    """A write that failed for want of space (the disk, or the user's quota, is full).

    Told as bad input is (one paragraph, exit code 2) because it is the user's to fix, not a
    fault of the program; see :func:`sim.core.io.disk_full_guard`.
    """


class WorkerLost(InputError):
    """A worker process that died mid-chunk (killed by the system, most often for want of memory).

    Told as bad input is (one paragraph, exit code 2) because what fixes it is the user's: fewer
    workers, a smaller ensemble, more memory; what the command keeps is said in the message.
    """
