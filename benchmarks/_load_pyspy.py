"""Sampling the gunicorn workers with py-spy during bench_load.py's flow (``--profile DIR``).

py-spy (``.venv/bin/pip install py-spy``) records every worker in ``raw`` (collapsed stack) format,
idle threads included, so time spent waiting on the database shows.  :func:`summarize` keeps the
samples taken inside a request and prints where they went: by layer (own frames, first match from
the leaf up) and by the app's own functions (inclusive).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path

# (layer, pattern on "function (file:line)"), first match from the leaf upward wins.
LAYERS = [
    ("database round trips (psycopg waiting on the socket)",
     r"Connection\.wait|_execute_send|_exec_command|_communicate_gen|sqlite3\.Cursor|Cursor\.execute \(sqlite"),
    ("psycopg (client side)", r"\(psycopg/"),
    ("json decode (questionnaire definition column)", r"\(json/"),
    ("sqlalchemy core/orm", r"\(sqlalchemy/"),
    ("jinja2 templates + markupsafe", r"\(jinja2/|\(markupsafe/|\.html:"),
    ("wtforms (form build/render)", r"\(wtforms/|\(flask_wtf/form"),
    ("csrf + session cookie (itsdangerous, hmac, flask_wtf.csrf)",
     r"\(itsdangerous/|\(flask_wtf/csrf|\(flask/sessions|\(hmac|\(hashlib"),
    ("questionnaires package", r"\(questionnaires/"),
    ("survey app code", r"\(survey/"),
    ("werkzeug (routing, request, response)", r"\(werkzeug/"),
    ("flask", r"\(flask/"),
    ("gunicorn (http parse, socket write)", r"\(gunicorn/"),
]


def start(pids: list[int], directory: Path, rate: int = 200) -> list[subprocess.Popen]:
    exe = shutil.which("py-spy") or str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "py-spy")
    directory.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen([exe, "record", "--pid", str(pid), "--format", "raw", "--idle", "--rate", str(rate),
                          "--nonblocking", "--output", str(directory / f"worker-{pid}.txt")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for pid in pids
    ]


def stop(spies: list[subprocess.Popen]) -> None:
    for spy in spies:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in spies:
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()


def _parse(path: Path):
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def summarize(directory: Path, top: int = 25) -> list[str]:
    layers: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    in_request = idle = 0
    for path in sorted(directory.glob("worker-*.txt")):
        for frames, count in _parse(path):
            frames = [f.strip() for f in frames]
            if not any("wsgi_app" in f for f in frames):
                idle += count  # the worker waiting for a connection (or gunicorn housekeeping)
                continue
            in_request += count
            for frame in reversed(frames):
                layer = next((name for name, pattern in LAYERS if re.search(pattern, frame)), None)
                if layer:
                    layers[layer] += count
                    break
            else:
                layers["other"] += count
            seen = set()
            for frame in frames:
                if "(survey/" in frame or "(questionnaires/" in frame:
                    name = re.sub(r":\d+\)$", ")", frame)
                    if name not in seen:
                        seen.add(name)
                        functions[name] += count
    if not in_request:
        return ["py-spy: no samples inside a request"]
    lines = [f"py-spy: {in_request} samples inside requests, {idle} outside (worker idle between requests)",
             "  by layer (self time, leaf-most matching frame):"]
    lines += [f"    {100 * n / in_request:5.1f}%  {name}" for name, n in layers.most_common()]
    lines.append("  app functions (inclusive, % of in-request samples):")
    lines += [f"    {100 * n / in_request:5.1f}%  {name}" for name, n in functions.most_common(top)]
    return lines
