"""scripts/install-test-deps says what is missing: Chromium hidden from PATH is reported."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "install-test-deps"


def _path_without(tmp_path: Path, *hidden: str) -> str:
    """A PATH of one directory linking every command on the real PATH but ``hidden``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            target = bin_dir / entry.name
            if entry.name not in hidden and not target.exists():
                target.symlink_to(entry)
    return str(bin_dir)


def test_a_hidden_chromium_is_reported_and_nothing_is_installed(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.fail("this check needs Chromium installed (it hides it)")
    present = subprocess.run([SCRIPT, "--check"], capture_output=True, text=True)
    assert "chromium" not in present.stdout  # present: not reported

    env = {**os.environ, "PATH": _path_without(tmp_path, "chromium")}
    hidden = subprocess.run([SCRIPT, "--check"], capture_output=True, text=True, env=env)
    assert hidden.returncode == 1
    assert "missing Debian packages: chromium" in hidden.stdout
    assert "apt-get install chromium" in hidden.stderr
