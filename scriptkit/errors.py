"""One error type for everything a user can get wrong: it names the file and, where known, the line."""

from __future__ import annotations

from pathlib import Path


class ScriptkitError(Exception):
    """A problem with the user's input or environment, reported as one clear line (never a traceback)."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None, hint: str = "") -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text
