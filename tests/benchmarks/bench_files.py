"""Files through the relay on loopback: upload and download throughput of a 20 MB file.

Against one hub process (``desktopchat serve``, its embedded relay storing the bytes in
its data dir), with the client's own code (``RelayClient.upload`` streaming from disk,
``RelayClient.download`` writing to a cache directory and checking the SHA-256), so the
figures are what a user's window or ``desktopchat send --file`` gets. Random bytes: no
compression anywhere helps. Run as part of ``run.py`` (``run.py --only files``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from desktopchat.client.relay_client import RelayClient
from desktopchat.server.credentials import AppCredentials
from tests.benchmarks.bench_hub import HubProcess, progress
from tests.benchmarks.common import Row, local_login

#: The file's size (the issue's figure), and how many round trips the median is of.
FILE_BYTES = 20 * 1024 * 1024
RUNS = 3


@dataclass(frozen=True)
class FilesResult:
    """Seconds each upload and each download of :data:`FILE_BYTES` took."""

    upload_s: list[float]
    download_s: list[float]


def _round_trips(url: str, token: str, source: Path, cache: Path, runs: int) -> FilesResult:
    """On a worker thread: upload, attach, download, ``runs`` times (each a new name)."""
    client = RelayClient(url, token)
    uploads, downloads = [], []
    try:
        for run in range(runs):
            started = time.perf_counter()
            file = client.upload("general", source, name=f"bench-{run}.bin")
            uploads.append(time.perf_counter() - started)
            client.send(
                "general", f"benchmark file {run}", f"bench-files-{run}", attachments=[file.id]
            )
            started = time.perf_counter()
            client.download(file, cache / str(run))
            downloads.append(time.perf_counter() - started)
    finally:
        client.close()
    return FilesResult(uploads, downloads)


async def measure(hub: HubProcess, creds: AppCredentials, work: Path) -> FilesResult:
    """Round trips of a 20 MB random file through the hub's relay."""
    source = work / "bench-20mb.bin"
    source.write_bytes(os.urandom(FILE_BYTES))
    async with aiohttp.ClientSession() as http:
        token, _ = await local_login(http, hub.http_url, creds, "filebench")
    progress(f"files: {RUNS} round trips of {FILE_BYTES >> 20} MB")
    return await asyncio.to_thread(_round_trips, hub.http_url, token, source, work / "cache", RUNS)


def _rate(seconds: list[float]) -> str:
    rates = [FILE_BYTES / 1e6 / s for s in seconds]
    return (
        f"{statistics.median(rates):.0f} MB/s median of {len(rates)} "
        f"({min(rates):.0f}-{max(rates):.0f})"
    )


def rows(result: FilesResult) -> list[Row]:
    """The section's rows (no target in the issue: figures to watch, not goals)."""
    size = f"{FILE_BYTES >> 20} MB"
    return [
        (f"Files: upload of {size} through the relay (loopback)", _rate(result.upload_s), "-"),
        (f"Files: download of {size}, hash checked", _rate(result.download_s), "-"),
    ]
