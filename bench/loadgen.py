"""A small HTTP/1.1 load generator: N keep-alive connections over raw asyncio streams, each
sending its next request when the previous answer is in. Reports requests/s and latency
percentiles; any non-2xx answer counts as an error."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0.0


async def _conn(
    host: str,
    port: int,
    make: Callable[[int], bytes],
    until: float,
    warm_until: float,
    out: list[float],
    errs: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    try:
        while True:
            now = time.perf_counter()
            if now >= until:
                return
            writer.write(make(i))
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            chunked = False
            for line in head.split(b"\r\n"):
                low = line.lower()
                if low[:15] == b"content-length:":
                    length = int(line[15:])
                elif low.startswith(b"transfer-encoding:") and b"chunked" in low:
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            elif length:
                await reader.readexactly(length)
            done = time.perf_counter()
            if done >= warm_until:
                out.append((done - now) * 1000)
                if status >= 300:
                    errs.append(status)
    finally:
        writer.close()


def run_load(
    host: str,
    port: int,
    make: Callable[[int], bytes],
    *,
    connections: int = 32,
    seconds: float = 5.0,
    warmup: float = 1.0,
) -> Load:
    """Drive the server for ``warmup + seconds``; only the last ``seconds`` are counted."""

    async def main() -> Load:
        start = time.perf_counter()
        warm_until = start + warmup
        until = warm_until + seconds
        out: list[float] = []
        errs: list[int] = []
        await asyncio.gather(
            *(_conn(host, port, make, until, warm_until, out, errs) for _ in range(connections))
        )
        return Load(len(out), len(errs), seconds, out)

    return asyncio.run(main())


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    """A GET request's bytes."""
    lines = [f"GET {path} HTTP/1.1", "Host: bench"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
