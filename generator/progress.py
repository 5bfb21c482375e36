"""Progress reporting: a rich progress bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from generator.models import PackageResult, Status

if TYPE_CHECKING:  # rich is imported only when a bar is drawn (on a terminal): ~90 ms
    from rich.progress import Progress as RichProgress


@dataclass
class _Task:
    label: str
    total: int
    done: int = 0
    errors: int = 0
    last: float = field(default_factory=time.monotonic)


class Progress:
    """One bar (or log stream) per ecosystem. Errors are always reported, one line each."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval
        self._bar: RichProgress | None = None
        self._tasks: dict[int, _Task] = {}

    def __enter__(self) -> Progress:
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description:<6}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[errors]} errors"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def add(self, label: str, total: int) -> int:
        task_id = len(self._tasks)
        if self._bar is not None:
            task_id = int(self._bar.add_task(label, total=total, errors=0))
        self._tasks[task_id] = _Task(label, total)
        self._log(f"{label}: crawling {total} packages")
        return task_id

    def advance(self, task_id: int, result: PackageResult) -> None:
        task = self._tasks[task_id]
        task.done += 1
        if result.status is Status.ERROR:
            task.errors += 1
            self._log(f"{task.label}: {result.name}: {result.error}")
        if self._bar is not None:
            self._bar.update(task_id, advance=1, errors=task.errors)  # type: ignore[arg-type]
        elif time.monotonic() - task.last >= self.interval:
            task.last = time.monotonic()
            self._log(f"{task.label}: {task.done}/{task.total} done")

    def finish(self, task_id: int, detail: str) -> None:
        task = self._tasks[task_id]
        self._log(f"{task.label}: {task.done}/{task.total} done, {task.errors} errors ({detail})")

    def _log(self, line: str) -> None:
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.stream, flush=True)
