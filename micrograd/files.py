"""Reading and writing the files a user names, safely. Standard library only.

A path typed in a dialog or given on a command line is untrusted: it may hold a NUL, name a folder, a named
pipe (whose `open()` blocks until a writer comes, forever), a device, or a file of gigabytes. `read_bytes` /
`read_text` read a file only when it is a regular file under a size limit, and say what is wrong in one
sentence otherwise (`FileRefused`, a ValueError). The check is made twice: `os.stat` before opening, and
`os.fstat` on the descriptor, opened with O_NONBLOCK so that a pipe swapped in between cannot block the open.

`write_atomic` puts bytes in a file the way an editor does: a temp file beside the real target (a symlink is
followed, so the link stays a link), fsync, the old file's permission bits kept, then `os.replace`. The temp
name is short and fixed per target, so a save that was killed leaves at most one temp file, which the next save
of that file reuses (and removes any left by older versions).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

MAX_PATH_BYTES = 4096  # Linux's PATH_MAX
MAX_NAME_BYTES = 255  # one path component, on every common file system


class FileRefused(ValueError):
    """A path or file that is not read or written; `str()` is one sentence naming it."""


def printable(text: str, limit: int | None = None) -> str:
    """`text` safe to print on a terminal: control characters (an escape sequence could retitle the window or
    clear the screen), other non-printables and lone surrogates (which cannot be encoded) written as Python
    escapes, `\\x1b`; cut at `limit` characters with an ellipsis."""
    cut = text if limit is None or len(text) <= limit else text[:limit]
    escaped = "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else ascii(ch)[1:-1] for ch in cut)
    return escaped + ("…" if cut is not text else "")


def printable_name(path: str | os.PathLike[str]) -> str:
    """A path as a message names it: its last part, printable (see `printable`), at most 200 characters.
    (Not tui/plain.py's `shown`, which draws text on the app's screen: micrograd/ never imports tui/.)"""
    text = os.path.basename(os.fspath(path).rstrip("/")) or os.fspath(path)
    return printable(text, 200)


def check_path_text(path: str | os.PathLike[str]) -> str:
    """The path as text if the operating system can take it; FileRefused (a sentence) if not."""
    text = os.fspath(path)
    if not text:
        raise FileRefused("type a file name")
    if "\x00" in text:
        raise FileRefused("a file name cannot contain a NUL character (\\x00)")
    try:
        encoded = os.fsencode(text)
    except UnicodeEncodeError:
        raise FileRefused(
            f"{printable_name(text)} cannot be a file name: it holds characters this system cannot store"
        ) from None
    if len(encoded) > MAX_PATH_BYTES:
        raise FileRefused(f"that path is {len(encoded):,} bytes long; paths are limited to {MAX_PATH_BYTES:,}")
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if longest > MAX_NAME_BYTES:
        raise FileRefused(f"a file or folder name in that path is {longest:,} bytes; the limit is {MAX_NAME_BYTES}")
    return text


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _check_regular(name: str, status: os.stat_result, max_bytes: int | None) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise FileRefused(f"{name} is {_kind(status.st_mode)}, not a file; it was not read")
    if max_bytes is not None and status.st_size > max_bytes:
        raise FileRefused(f"{name} is larger than {_size(max_bytes)} ({_size(status.st_size)}); it was not read")


def _size(n: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def _sentence(name: str, err: OSError) -> FileRefused:
    if err.errno == errno.ENOENT:
        return FileRefused(f"{name} does not exist")
    return FileRefused(f"{name} cannot be read: {err.strerror or err}")


def _reason(err: OSError) -> FileRefused:
    """Why a write failed, without the file's name (the caller's sentence names it)."""
    if err.errno == errno.ENOENT:
        return FileRefused("its folder does not exist")
    return FileRefused(err.strerror or str(err))


def read_bytes(path: str | os.PathLike[str], max_bytes: int, *, head: bool = False) -> bytes:
    """The whole file, if `path` is a regular file of at most `max_bytes`; FileRefused (a sentence) otherwise.
    With `head`, a larger file is not refused: its first `max_bytes` are returned (a cheap look at its start)."""
    text = check_path_text(path)
    name = printable_name(text)
    limit = None if head else max_bytes
    try:
        _check_regular(name, os.stat(text), limit)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(text, flags)
    except OSError as err:
        raise _sentence(name, err) from None
    try:
        _check_regular(name, os.fstat(fd), limit)  # what was opened, not what was stat'ed a moment ago
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:
        raise _sentence(name, err) from None
    finally:
        os.close(fd)
    if head:
        return b"".join(chunks)[:max_bytes]
    if total > max_bytes:  # it grew while being read
        raise FileRefused(f"{name} is over the limit of {_size(max_bytes)}; it was not read")
    return b"".join(chunks)


def read_text(path: str | os.PathLike[str], max_bytes: int) -> str:
    """`read_bytes` decoded as UTF-8 (a BOM at the start dropped); FileRefused for bytes that are not UTF-8."""
    raw = read_bytes(path, max_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileRefused(f"{printable_name(path)} is not UTF-8 text (byte {err.start})") from None


# ---- writing -------------------------------------------------------------------------------------------------


def write_target(path: str | os.PathLike[str]) -> Path:
    """Where writing `path` really goes: a symlink's target (so the link stays a link); FileRefused for a path
    that cannot be written as a file (a folder, a pipe, a device, a NUL)."""
    text = check_path_text(path)
    target = Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as err:
        raise _reason(err) from None
    if not stat.S_ISREG(status.st_mode):
        raise FileRefused(f"it is {_kind(status.st_mode)}, not a file")
    return target


def temp_name(target: Path) -> str:
    """The temp file's name for `target`: hidden, short (a 255-byte name still fits), the same every time."""
    digest = hashlib.sha1(os.fsencode(target.name)).hexdigest()[:10]
    stem = re.sub(r"[^\w.-]", "_", target.name)[:40]
    return f".{stem}.{digest}.tmp"


def _remove_old_temps(target: Path) -> None:
    """Temp files an interrupted save of older versions left (`.NAME.<8 random>.tmp`, tempfile's names)."""
    try:
        prefix = f".{target.name}."
        for entry in os.scandir(target.parent or "."):
            rest = entry.name[len(prefix) :]
            if entry.name.startswith(prefix) and re.fullmatch(r"[a-z0-9_]{8}\.tmp", rest) and entry.is_file():
                os.unlink(entry.path)
    except OSError:
        pass  # tidying up is a courtesy: it never stops a save


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | os.PathLike[str], data: bytes, verify: Callable[[Path], None] | None = None) -> Path:
    """Write `data` to `path` atomically, keeping an existing file's permission bits; returns the file written.

    `verify(temp_path)` may read the written copy back and raise before it replaces anything. Every failure is
    a FileRefused sentence, and the original file is then untouched.
    """
    target = write_target(path)
    folder = target.parent
    tmp = folder / temp_name(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    except OSError as err:
        raise _reason(err) from None
    _remove_old_temps(target)
    created = False
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # a save that was killed left it: reuse the name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(tmp, flags, 0o600)
        created = True
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if verify is not None:
            verify(tmp)
        os.replace(tmp, target)
        created = False
    except OSError as err:
        raise _reason(err) from None
    finally:
        if created:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return target
