"""A terminal progress bar for work that reports named phases (loading, solving, storing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def phase_progress(
    console: Console, title: str, phases: Mapping[str, str]
) -> Iterator[Callable[[str], None]]:
    """Show one bar with a step per phase; yields ``report(phase)``, to be called as each
    phase starts. ``phases`` maps a phase code to the words shown for it."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        step = progress.add_task(title, total=len(phases))
        seen: list[str] = []

        def report(phase: str) -> None:
            if seen:
                progress.advance(step)
            seen.append(phase)
            progress.update(step, description=phases.get(phase, phase))

        yield report
        progress.update(step, completed=len(phases), description="Done")
