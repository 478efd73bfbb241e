"""Read ahead: the items of an iterator produced by a worker thread while the caller consumes the previous ones.

The export's database cursor and the JSON parser (``pyarrow.json``) release the GIL while they wait or parse,
so a worker thread reading batch *n + 1* overlaps the caller writing batch *n* (two cores: the database on one,
Python on the other).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """``items``, produced by a worker thread up to ``depth`` ahead of the caller. An exception of the producer is
    raised here, in the caller; leaving early (an exception, ``close``) stops the producer and waits for it, so the
    caller may close what ``items`` reads from as soon as this generator is done."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as err:  # noqa: BLE001 - handed to the caller, who raises it
            put((_END, err))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="export-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, err = slots.get()
            if err is not None:
                raise err
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        worker.join()
