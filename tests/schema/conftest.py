"""The differential test's count of generated operations, in pytest's terminal summary."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.schema.test_compiled_reads_differential import REPORT

    for dialect, report in REPORT.items():
        terminalreporter.write_line(
            f"differential [{dialect}]: {report['operations']} generated operations, "
            f"{report['requests']} requests, {report['answered_by_compiled_path']} of "
            f"{report['asked_logged_in']} logged-in ones answered by the compiled path "
            f"({report['seconds']} s, seed {report['seed']})"
        )
