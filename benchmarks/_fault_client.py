"""Residents who retry as a browser would, for the fault and soak runs: every request is timed and stamped,
a POST that fails (5xx, dropped connection) is re-sent with the same form, the same submission key included."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import _load_client as lc

RETRIES = 40
RETRY_PAUSE = 0.5  # seconds between tries: a resident tapping "submit" again


@dataclass
class Log:
    """Every request: (start on the run's clock, latency s, status or 0 for a dropped connection, kind)."""

    t0: float = field(default_factory=time.perf_counter)
    requests: list[tuple[float, float, int, str]] = field(default_factory=list)
    acknowledged: dict[str, tuple[int, int]] = field(default_factory=dict)  # token -> (answers, pages)
    failed: list[str] = field(default_factory=list)  # residents who gave up (never acknowledged)
    bad_pages: list[str] = field(default_factory=list)  # a 5xx page that did not say "try again"
    sent: int = 0
    browsers: int = 0
    connections: int = 0  # beyond one per browser: re-sent on a new connection after the old one was lost


class RetryingBrowser(lc.Connection):
    """One resident's browser: re-sends a request that failed, as a person would press submit again."""

    def __init__(self, host: str, port: int, log: Log):
        super().__init__(host, port, lc.Stats())
        self.log = log
        log.browsers += 1

    async def _connect(self) -> None:
        await super()._connect()
        self.log.connections += 1

    async def fetch(self, method: str, path: str, body: bytes = b"", kind: str = "get") -> tuple[int, dict, bytes]:
        for _ in range(RETRIES):
            started = time.perf_counter()
            self.log.sent += 1
            try:
                status, headers, payload = await self.request(method, path, body, kind=kind)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                self.log.requests.append((started - self.log.t0, time.perf_counter() - started, 0, kind))
                await asyncio.sleep(RETRY_PAUSE)
                continue
            self.log.requests.append((started - self.log.t0, time.perf_counter() - started, status, kind))
            if status < 500:
                return status, headers, payload
            text = payload.decode("utf-8", "replace")
            if status != 503 or "请稍等片刻后再次提交" not in text or "submit again" not in text:
                self.log.bad_pages.append(f"{status} at {started - self.log.t0:.1f}s: {text[:120]!r}")
            await asyncio.sleep(RETRY_PAUSE)
        raise lc.FlowError(f"{method} {path}: no answer after {RETRIES} tries")


async def resident(browser: RetryingBrowser, token: str, max_pages: int = 40) -> tuple[int, int]:
    """Answer the questionnaire of ``token`` to the thank-you page; (answers posted, pages posted)."""
    status, _, body = await browser.fetch("GET", f"/r/{token}", kind="landing")
    start = lc._START.search(body.decode("utf-8"))
    if status != 200 or not start:
        raise lc.FlowError(f"landing {status}")
    path, answered = start.group(1), 0
    for posted in range(1, max_pages + 1):
        status, _, body = await browser.fetch("GET", path)
        if status != 200:
            raise lc.FlowError(f"GET {path} {status}")
        form, count = lc.fill(body.decode("utf-8"))
        status, headers, body = await browser.fetch("POST", path, form.encode("ascii"), kind="post")
        if status != 302:
            raise lc.FlowError(f"POST {path} {status}: {body[:200]!r}")
        answered += count
        path = lc._path(headers.get("location", ""))
        if path.endswith("/done"):
            status, _, body = await browser.fetch("GET", path, kind="done")
            if status != 200:
                raise lc.FlowError(f"done {status}")
            return answered, posted
    raise lc.FlowError("questionnaire did not end")


async def residents(host: str, port: int, tokens: list[str], log: Log, *, clients: int, seconds: float,
                    rate: float | None = None) -> None:
    """``clients`` residents at a time for ``seconds``, each taking the next token; with ``rate``, new
    residents start at that many per second (a steady load) instead of as soon as one finishes."""
    queue = iter(tokens)
    deadline = time.perf_counter() + seconds
    gate = asyncio.Semaphore(clients)

    async def one(token: str) -> None:
        browser = RetryingBrowser(host, port, log)
        try:
            log.acknowledged[token] = await resident(browser, token)
        except (lc.FlowError, OSError) as err:
            log.failed.append(f"{token[:8]}: {err}")
        finally:
            browser.close()
            gate.release()

    running = []
    while time.perf_counter() < deadline:
        await gate.acquire()
        token = next(queue, None)
        if token is None:
            gate.release()
            break
        running.append(asyncio.create_task(one(token)))
        if rate:
            await asyncio.sleep(1 / rate)
    await asyncio.gather(*running)
