"""Effects at the edge: atomic file writes and file URLs. Everything else in scriptkit is pure."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlparse


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(tmp: str, path: Path) -> None:
    """Give the temp file the permissions a plain open() would (mkstemp makes it 0600), then rename it."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and a rename: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _publish(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path` for a tool that writes a file itself; rename it into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        _publish(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield an empty temp folder beside `path` for a folder output (a CapCut draft, a bundle); on success it
    replaces `path` (an earlier folder there is moved aside, then removed), so a reader never sees half of one."""
    import shutil

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """A user's input file, refused before it is read when larger than `limit` bytes; every failure is one
    ScriptkitError naming the file (`what` names the kind of file expected: "a shot list", "an XML file")."""
    from scriptkit.errors import ScriptkitError

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise ScriptkitError(f"file is {size / 2**20:.0f} MB; {what} is read up to {limit // 2**20} MB", path)
        return path.read_bytes()
    except FileNotFoundError:
        raise ScriptkitError("file not found", path) from None
    except IsADirectoryError:
        raise ScriptkitError(f"is a folder, not {what}", path) from None
    except OSError as exc:
        raise ScriptkitError(f"cannot read {what}: {exc.strerror or exc}", path) from None


#: The lock file a build holds in its project folder (see `folder_lock`).
LOCK_NAME = ".scriptkit.lock"


@contextlib.contextmanager
def folder_lock(folder: Path, what: str = "build") -> Iterator[None]:
    """Hold the project folder's lock while writing into it; a second writer is refused at once (never
    interleaved). The lock is the operating system's (flock), so a killed build leaves no stale lock behind."""
    import fcntl

    from scriptkit.errors import ScriptkitError

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK_NAME, "a")  # noqa: SIM115 - held for the whole block; stays empty
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScriptkitError(
                f"another {what} is writing into this folder; wait for it to finish or choose another folder", folder
            ) from None
        yield
    finally:
        handle.close()


def remove_stale_temps(folder: Path) -> None:
    """Remove the temp files and folders (`.name.XXXX.tmp...`, `.name.XXXX.old`) a killed writer left in `folder`
    (call it holding `folder_lock`: then no live writer owns them)."""
    import shutil

    if not Path(folder).is_dir():
        return
    for item in Path(folder).iterdir():
        name = item.name
        if name.startswith(".") and (".tmp" in name or name.endswith(".old")) and name != LOCK_NAME:
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    item.unlink()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_url(path: str | Path) -> str:
    """Absolute, percent-encoded file:// URL (spaces, '#', '%' and non-ASCII encoded), as NLEs expect."""
    absolute = Path(path).absolute().as_posix()
    return "file://" + quote(absolute, safe="/-_.~")


def url_to_path(url: str) -> Path:
    """Inverse of `file_url`; also accepts plain paths and file://localhost/ URLs."""
    if "://" not in url:
        return Path(url)
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise ValueError(f"not a file URL: {url}")
    return Path(unquote(parsed.path))


@contextlib.contextmanager
def library_noise_caught() -> Iterator[io.StringIO]:
    """Run a reader or writer library without its noise reaching the user: what it prints (the OTIO adapters
    print diagnostics) and what it logs below ERROR (`WARNING:root:...`). scriptkit reports its own one line.
    Nothing of scriptkit's own output (progress, messages) may run inside. Yields what the library printed, for
    a caller that turns a library's findings into that line."""
    import logging

    printed = io.StringIO()
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            yield printed
    finally:
        logging.disable(previous)
