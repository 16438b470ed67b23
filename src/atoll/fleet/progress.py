"""Progress displays for fleet runs: a live rich view on a terminal (rich is imported only
then), plain one-line events otherwise (CI logs, pipes)."""

from __future__ import annotations

import sys
import threading

from .runner import Progress, Target, TargetResult


class PlainProgress(Progress):
    def __init__(self, stream=None, total: int = 0):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.lock = threading.Lock()

    def finished(self, result: TargetResult) -> None:
        with self.lock:
            self.done += 1
            extra = f": {result.error}" if result.error else ""
            print(f"[{self.done}/{self.total}] {result.target.name} {result.state}{extra}",
                  file=self.stream, flush=True)


class RichProgress(Progress):
    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self.console = Console(stderr=True)
        self.bar = Bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TextColumn("{task.fields[running]}"),
                       console=self.console, transient=True)
        self.task = self.bar.add_task("databases", total=total, running="")
        self.running: list[str] = []
        self.lock = threading.Lock()
        self.bar.start()

    def started(self, target: Target) -> None:
        with self.lock:
            self.running.append(target.name)
            self._refresh()

    def finished(self, result: TargetResult) -> None:
        with self.lock:
            if result.target.name in self.running:
                self.running.remove(result.target.name)
            if result.failed:
                self.bar.console.print(f"[red]✗ {result.target.name}: {result.error}")
            self.bar.advance(self.task)
            self._refresh()

    def _refresh(self) -> None:
        shown = ", ".join(self.running[:4]) + (" …" if len(self.running) > 4 else "")
        self.bar.update(self.task, running=shown)

    def close(self) -> None:
        self.bar.stop()


def progress_for(total: int, *, quiet: bool = False) -> Progress:
    if quiet or total <= 1:
        return Progress()
    if sys.stderr.isatty():
        return RichProgress(total)
    return PlainProgress(total=total)
