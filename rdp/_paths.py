"""Output paths checked before any work: a probe file is created and removed.

Permission bits and ``os.access`` do not tell whether a write will succeed (a
read-only mount, ``/proc``, a full quota, running as root), so each check
writes a probe: the target file itself when it does not exist yet (then
removed), an append-open of an existing file (nothing written), or a hidden
file inside a folder (then removed). A failure is one ``ValueError`` naming the
option and the reason.

A write that still fails after the work keeps the results:
[`fallback_path`][rdp._paths.fallback_path] names a file in the temporary
folder to write them to instead.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "check_file",
    "check_folder",
    "fallback_folder",
    "fallback_path",
    "inside_or_equal",
    "replacing",
    "write_or_fallback",
]

#: Name of the probe file written (and removed) inside a folder.
PROBE_NAME = ".rdp-write-probe"


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def _no_file_above(path: Path, name: str, shown: str) -> None:
    """``ValueError`` when an existing ancestor of ``path`` is a file (no folder can go there)."""
    for above in path.parents:
        if above.exists():
            if not above.is_dir():
                raise ValueError(f"cannot create {name} {shown!r}: {str(above)!r} is a file")
            return


def check_file(path: str | Path, name: str = "--out") -> Path:
    """Check that the file ``path`` can be written; create its missing parent folders.

    Parameters
    ----------
    path : str or Path
        The file a command will write.
    name : str
        The option or parameter named in the error message.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When ``path`` is a folder, its folder cannot be created, or the probe
        write fails (e.g. ``/proc/x.csv``, a read-only folder).
    """
    out = Path(path)
    if out.is_dir():
        raise ValueError(f"{name} {str(path)!r} is a folder; give a file name")
    _no_file_above(out, name, str(path))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(
            f"cannot create the folder of {name} {str(path)!r}: {_reason(err)}"
        ) from None
    existed = out.exists()
    try:
        with out.open("ab" if existed else "xb"):
            pass
    except OSError as err:
        raise ValueError(f"cannot write {name} {str(path)!r}: {_reason(err)}") from None
    if not existed:
        try:
            out.unlink()
        except OSError as err:  # pragma: no cover - created a moment ago by this process
            raise ValueError(f"cannot write {name} {str(path)!r}: {_reason(err)}") from None
    return out


def check_folder(path: str | Path, name: str = "--out", *, create: bool = True) -> Path:
    """Check that files can be written in the folder ``path`` (created when ``create``).

    Parameters
    ----------
    path : str or Path
        The folder a command will write into.
    name : str
        The option or parameter named in the error message.
    create : bool
        Create ``path`` (and its parents) when missing; otherwise only the
        nearest existing parent is probed (it is where ``path`` will be made).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When ``path`` is a file, cannot be created, or the probe write fails.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{name} {str(path)!r} is a file; give a folder")
    _no_file_above(folder, name, str(path))
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ValueError(f"cannot create {name} {str(path)!r}: {_reason(err)}") from None
        probe_in = folder
    else:
        probe_in = folder if folder.is_dir() else folder.parent
        while not probe_in.exists() and probe_in != probe_in.parent:
            probe_in = probe_in.parent
    probe = probe_in / f"{PROBE_NAME}-{os.getpid()}"
    try:
        with probe.open("xb"):
            pass
        probe.unlink()
    except FileExistsError:
        probe.unlink(missing_ok=True)
    except OSError as err:
        raise ValueError(f"cannot write in {name} {str(path)!r}: {_reason(err)}") from None
    return folder


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A new, uniquely named file beside ``path`` that replaces ``path`` when the block ends.

    Write the new contents to the yielded path; at the end of the ``with`` block it is
    renamed onto ``path`` in one step (``os.replace``), so a reader sees the old file or the
    new one, never a half-written one. If the block raises, the temporary file is removed and
    ``path`` is left as it was. The temporary name (``.NAME.XXXX.tmp``) is new, so no other
    file is ever overwritten on the way.
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def fallback_path(path: str | Path, prefix: str = "rdp") -> Path:
    """A new file in the temporary folder for results whose write to ``path`` failed.

    The name keeps ``path``'s name and suffix, e.g.
    ``/tmp/rdp-surface-20260101-120000-surface.csv``.
    """
    target = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(
        prefix=f"{prefix}-{stamp}-{target.stem}-", suffix=target.suffix or ".txt"
    )
    os.close(fd)
    return Path(name)


def fallback_folder(path: str | Path, prefix: str = "rdp") -> Path:
    """A new folder in the temporary folder for files whose write into ``path`` failed."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{stamp}-{Path(path).name or 'out'}-"))


def write_or_fallback(
    path: str | Path, write: Callable[[Path], object], name: str = "--out", prefix: str = "rdp"
) -> Path:
    """Call ``write(path)``; when it fails, write to a fallback file and raise ``ValueError``.

    The work behind the results is never lost to a failed write: the results go
    to [`fallback_path`][rdp._paths.fallback_path] and the error (one line)
    names both the failure and the file that holds them.

    Returns
    -------
    Path
        ``path``, when the write succeeded.
    """
    target = Path(path)
    try:
        write(target)
    except OSError as err:
        spare = fallback_path(target, prefix)
        write(spare)
        raise ValueError(
            f"cannot write {name} {str(path)!r} ({_reason(err)}); the results are in {spare}"
        ) from None
    return target


def inside_or_equal(inner: str | Path, outer: str | Path) -> bool:
    """Whether the path ``inner`` is ``outer`` or lies inside it (both resolved)."""
    a, b = Path(inner).resolve(), Path(outer).resolve()
    return a == b or b in a.parents
