"""Where output goes: the stream, or an ``-o`` file replaced whole or not at all."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from oms_cli.errors import InvalidInput

# SQLite keeps these beside the database; overwriting one corrupts it as surely.
_COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


@contextmanager
def open_destination(
    output: Path | None, stream: TextIO, protected: Collection[Path] = ()
) -> Iterator[TextIO]:
    """Yield ``stream``, or a file that becomes ``output`` only once everything is written.

    The file is UTF-8 with ``\\n`` line ends, written beside ``output`` under a
    temporary name and renamed over it, so a failure part-way leaves no half file
    (and any previous file untouched). Raises InvalidInput, before anything is
    written, when ``output`` is a folder, one of ``protected`` (or a database's
    -wal/-shm/-journal companion), or cannot be created.
    """
    if output is None:
        yield stream
        stream.flush()
        return
    target = _checked_target(output, protected)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise InvalidInput(f"cannot write '{output}': {error.strerror}") from error
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as file:
            yield file
        if target.exists():
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _checked_target(output: Path, protected: Collection[Path]) -> Path:
    target = output.resolve()
    if target.is_dir():
        raise InvalidInput(f"cannot write to '{output}': it is a folder; give a file name")
    guarded = {
        Path(f"{path.resolve()}{suffix}") for path in protected for suffix in _COMPANION_SUFFIXES
    }
    if target in guarded:
        raise InvalidInput(
            f"refusing to write over '{output}': oms is using that file; choose another -o path"
        )
    return target
