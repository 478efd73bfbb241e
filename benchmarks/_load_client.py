"""A lean HTTP/1.1 load client for bench_load.py: asyncio streams, keep-alive, minimal cookies and forms.

Deliberately not a general HTTP client: it speaks to one gunicorn on 127.0.0.1, reads
``Content-Length`` (or chunked) bodies, reconnects when the server closes (sync workers close after
every response), keeps cookies as name -> value, and reads forms with a few regular expressions.
All of it costs a few tens of microseconds per request, so the client is not what is measured.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote_plus

# Answers where the first listed code would screen the resident out: an eligible adult (see
# tests/respond/flow.py).  Everything else takes the first choice; text items get a short text.
ELIGIBLE = {"S1": "4", "S2": "3", "S3": "2", "H1": "2"}
TEXT_ANSWER = "希望加强楼道清洁"
KEY_FIELDS = {"submission_key", "_key"}  # the one-time submission key (renamed from _key while landing)

_INPUT = re.compile(r"<input\b([^>]*)>")
_TEXTAREA = re.compile(r'<textarea\b[^>]*\bname="([^"]+)"')
_ATTR = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
_START = re.compile(r'href="(/r/[^"]+/p/\d+)"')


class FlowError(Exception):
    """An answer the flow did not expect (status, missing field, redirect elsewhere)."""


@dataclass
class Stats:
    """Latencies in seconds by request kind, plus counters."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"landing": [], "get": [], "post": [],
                                                                       "done": [], "trivial": []})
    completed: list[tuple[str, int, int]] = field(default_factory=list)  # (token, answers posted, pages posted)
    errors: list[str] = field(default_factory=list)
    connects: int = 0


class Connection:
    """One keep-alive connection with its own cookie jar (one simulated browser)."""

    def __init__(self, host: str, port: int, stats: Stats):
        self.host, self.port, self.stats = host, port, stats
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.stats.connects += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"", *, kind: str) -> tuple[int, dict, bytes]:
        """Send one request, read the whole response, record its latency under ``kind``."""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head.append("Content-Type: application/x-www-form-urlencoded")
            head.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        started = time.perf_counter()
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self._connect()
            try:
                self.writer.write(data)
                status, headers, payload = await self._read()
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:  # a new connection that fails is a real failure
                    raise
        self.stats.latencies[kind].append(time.perf_counter() - started)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, payload

    async def _read(self) -> tuple[int, dict, bytes]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie, _, _attrs = value.partition(";")
                key, _, val = cookie.partition("=")
                if val and "max-age=0" not in value.lower():
                    self.cookies[key.strip()] = val
                else:
                    self.cookies.pop(key.strip(), None)
            headers[name] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:  # no length: the body runs to the end of the connection
            body = await self.reader.read()
            headers["connection"] = "close"
        return status, headers, body

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def fill(html: str) -> tuple[str, int]:
    """The urlencoded POST body answering every field of a question page, and the number of answers."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    answered = 0
    for match in _INPUT.finditer(html):
        attrs = dict(_ATTR.findall(match.group(1)))
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or name in seen:
            continue
        seen.add(name)
        if kind == "hidden":
            pairs.append((name, attrs.get("value", "")))
        elif kind in ("radio", "checkbox"):
            pairs.append((name, ELIGIBLE.get(name, attrs.get("value", ""))))
            answered += 1
        else:
            pairs.append((name, ELIGIBLE.get(name, TEXT_ANSWER)))
            answered += 1
    for name in _TEXTAREA.findall(html):
        if name not in seen:
            seen.add(name)
            pairs.append((name, TEXT_ANSWER))
            answered += 1
    if "csrf_token" not in seen or not seen & KEY_FIELDS:
        raise FlowError("question page without csrf_token or submission key")
    body = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)
    return body, answered


def _path(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


async def resident(conn: Connection, token: str, *, max_pages: int = 40) -> tuple[int, int]:
    """One resident answering the household questionnaire of ``token``; (answers posted, pages posted)."""
    status, _, body = await conn.request("GET", f"/r/{token}", kind="landing")
    if status != 200:
        raise FlowError(f"landing {status}")
    start = _START.search(body.decode("utf-8"))
    if not start:
        raise FlowError("landing page without a start link")
    path, answered = start.group(1), 0
    for posted in range(1, max_pages + 1):
        status, _, body = await conn.request("GET", path, kind="get")
        if status != 200:
            raise FlowError(f"GET {path.rsplit('/', 2)[-2:]} {status}")
        form, count = fill(body.decode("utf-8"))
        status, headers, body = await conn.request("POST", path, form.encode("ascii"), kind="post")
        if status != 302:
            raise FlowError(f"POST {path.rsplit('/', 2)[-2:]} {status}: {body[:200]!r}")
        answered += count
        path = _path(headers.get("location", ""))
        if path.endswith("/done"):
            status, _, body = await conn.request("GET", path, kind="done")
            if status != 200:
                raise FlowError(f"done {status}")
            return answered, posted
        if "/p/" not in path:
            raise FlowError(f"redirected to {path}")
    raise FlowError("questionnaire did not end")


async def run_flows(host: str, port: int, tokens: list[str], clients: int, stats: Stats) -> float:
    """``clients`` concurrent residents, each taking the next unused token until none is left; wall time."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)

    async def worker() -> None:
        while True:
            try:
                token = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            conn = Connection(host, port, stats)  # a new browser (cookie jar) per resident
            try:
                answered, posted = await resident(conn, token)
                stats.completed.append((token, answered, posted))
            except (FlowError, OSError, asyncio.IncompleteReadError, ValueError) as err:
                stats.errors.append(f"{token[:8]}…: {type(err).__name__}: {err}")
            finally:
                conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return time.perf_counter() - started


async def run_trivial(host: str, port: int, path: str, clients: int, seconds: float, stats: Stats) -> tuple[int, float]:
    """``clients`` concurrent loops GETting ``path`` for ``seconds``; (requests answered 200, wall time)."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        conn = Connection(host, port, stats)
        try:
            while time.perf_counter() < deadline:
                status, _, _ = await conn.request("GET", path, kind="trivial")
                if status != 200:
                    stats.errors.append(f"trivial {path} {status}")
                    return
                done += 1
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return done, time.perf_counter() - started
