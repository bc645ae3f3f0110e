"""No personal data or secrets in the logs (issue 15 #11): every log record the whole test suite
writes (INFO and up, as production logs) is formatted as production formats it and scanned for

- the full names of the people and users the tests create (collected as they are saved),
- e-mail addresses, CPR numbers (ddmmyy-xxxx), API tokens (kap_…), session ids,
- the passwords the tests and the demo use.

Findings are collected with the test that logged them; the run fails at the end when there are any,
with the list (tests/conftest.py wires this in). The logs of the servers and commands the operations
tests start in other processes are scanned by tests/ops/test_realistic_run.py.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from kapabel.core.logs import JsonFormatter

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)
TOKEN = re.compile(r"\bkap_[A-Za-z0-9_-]{16,}")
CPR = re.compile(r"\b[0-3]\d[01]\d\d\d-\d{4}\b")
SESSION = re.compile(r"sessionid=|csrftoken=|Authorization: ?Bearer", re.I)
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
SECRETS = {"correct-horse-battery", "kapabel-demo", "load-test-Password-2718"}


@dataclass(frozen=True)
class Finding:
    test: str
    what: str
    line: str


class LogScan(logging.Handler):
    """A handler on the root logger that scans each record as it is written."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(JsonFormatter())
        self.names: set[str] = set()
        self.findings: list[Finding] = []
        self.test = "(outside tests)"

    def add_name(self, name: str) -> None:
        words = WORD.findall(name or "")
        if len(words) >= 2:
            self.names.add(" ".join(word.casefold() for word in words))

    def scan(self, text: str) -> list[str]:
        found = [f"e-mail {m}" for m in EMAIL.findall(text)]
        found += [f"token {m[:10]}…" for m in TOKEN.findall(text)]
        found += [f"CPR-like {m[:6]}-…" for m in CPR.findall(text)]
        found += [f"cookie or header {m}" for m in SESSION.findall(text)]
        found += [f"password {secret[:4]}…" for secret in SECRETS if secret in text]
        words = [word.casefold() for word in WORD.findall(text)]
        for size in (2, 3, 4):
            for start in range(len(words) - size + 1):
                candidate = " ".join(words[start : start + size])
                if candidate in self.names:
                    found.append(f"name {candidate!r}")
        return found

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted says nothing
            return
        for what in self.scan(text):
            self.findings.append(Finding(self.test, what, text[:300]))


SCANNER = LogScan()


def _saved(sender, instance, **kwargs) -> None:
    for attribute in ("name", "get_full_name"):
        value = getattr(instance, attribute, None)
        SCANNER.add_name(value() if callable(value) else value)


def attach() -> None:
    """Put the scanner on the root logger (again, should a test have reconfigured logging) and start
    collecting names."""
    root = logging.getLogger()
    if SCANNER not in root.handlers:
        root.addHandler(SCANNER)
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    from kapabel.organisation.models import Employee

    post_save.connect(_saved, sender=Employee, dispatch_uid="logscan-employee")
    post_save.connect(_saved, sender=get_user_model(), dispatch_uid="logscan-user")


def report() -> list[str]:
    lines = []
    for finding in SCANNER.findings[:50]:
        lines.append(f"{finding.test}: {finding.what}\n    {finding.line}")
    if len(SCANNER.findings) > 50:
        lines.append(f"… and {len(SCANNER.findings) - 50} more")
    return lines
