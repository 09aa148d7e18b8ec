"""Types and settings the fixtures in conftest.py share with the tests (import from here)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

# Short, so a test about a busy database fails fast; still long enough for a quiet machine.
BUSY_TIMEOUT = 2.0

Cli = Callable[..., Result]
RunOms = Callable[..., subprocess.CompletedProcess[str]]
WriteFile = Callable[..., Path]
