"""Faults under load (slow, about a minute): benchmarks/fault_run.py against gunicorn on PostgreSQL, with one
worker killed and PostgreSQL restarted mid-run.  Needs the PostgreSQL of SURVEY_TEST_DATABASE_URL on this
machine (pg_ctlcluster restarts it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("SURVEY_TEST_DATABASE_URL")


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="SURVEY_TEST_DATABASE_URL is empty: the fault run needs PostgreSQL")
def test_every_acknowledged_questionnaire_survives_a_worker_kill_and_a_database_restart():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fault_run.py"), "--database-url", PG_URL],
                         capture_output=True, text=True, timeout=240, cwd=ROOT)
    print(run.stdout)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "lost (acknowledged, not stored complete)           0" in run.stdout
    assert "\nOK\n" in run.stdout
