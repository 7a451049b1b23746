"""Command-line progress bars (rich) with the same ``progress(done, total, message)`` signature jobs use."""

from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(description: str, *, stream=None, enabled: bool = True):
    if not enabled:
        yield lambda done, total=None, message="": None
        return
    from rich.console import Console

    console = Console(file=stream, stderr=stream is None)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None = None, message: str = "") -> None:
            bar.update(task, completed=done, total=total, description=f"{description} {message}".strip())

        yield update
