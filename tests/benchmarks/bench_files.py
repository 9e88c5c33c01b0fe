"""Files through the relay on loopback: upload and download throughput of a 20 MB file.

Against one hub process (``desktopchat serve``, its embedded relay storing the bytes in
its data dir), with the client's own code (``RelayClient.upload`` streaming from disk,
``RelayClient.download`` writing to a cache directory and checking the SHA-256), so the
figures are what a user's window or ``desktopchat send --file`` gets. Random bytes: no
compression anywhere helps. Run as part of ``run.py`` (``run.py --only files``).

Then the window's side (:func:`measure_thumbnails`): 20 images sent to #general, and the
real window in a child process (:mod:`.thumbs_child`) timing a screen of their previews
once they are in its disk cache, and the GUI thread's longest stall while they decode.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from desktopchat.client.relay_client import RelayClient
from desktopchat.server.credentials import AppCredentials
from tests.benchmarks.bench_hub import HubProcess, goal, progress
from tests.benchmarks.common import Child, Row, child_environment, local_login
from tests.benchmarks.lean import BenchError

#: The file's size (the issue's figure), and how many round trips the median is of.
FILE_BYTES = 20 * 1024 * 1024
RUNS = 3
#: A screen of previews: this many images (two messages of ten, the relay's most each).
THUMBNAILS = 20
GOAL_SCREEN_MS = 100.0
GOAL_STALL_MS = 16.0


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


# ---------------------------------------------------------------------- thumbnails


def _send_images(url: str, token: str, work: Path) -> None:
    """On a worker thread: 20 distinct 120 x 90 PNGs, in two messages of ten."""
    import io

    from PIL import Image

    client = RelayClient(url, token)
    try:
        ids = []
        for n in range(THUMBNAILS):
            out = io.BytesIO()
            Image.new("RGB", (120, 90), (n * 12 % 256, 80, 255 - n * 12 % 256)).save(out, "PNG")
            path = work / f"thumb-{n}.png"
            path.write_bytes(out.getvalue())
            ids.append(client.upload("general", path).id)
        for part in range(0, THUMBNAILS, 10):
            client.send("general", "", f"bench-thumbs-{part}", attachments=ids[part : part + 10])
    finally:
        client.close()


async def measure_thumbnails(hub: HubProcess, creds: AppCredentials, work: Path) -> dict[str, Any]:
    """The window (a child process) showing a screen of 20 previews; its report line."""
    async with aiohttp.ClientSession() as http:
        token, _ = await local_login(http, hub.http_url, creds, "thumbbench")
    await asyncio.to_thread(_send_images, hub.http_url, token, work)
    progress(f"files: the window showing {THUMBNAILS} previews")
    args = ["--url", hub.http_url, "--user", "thumbbench", "--token", token]
    env = child_environment(work / "thumbs-home")
    child = await Child.module("thumbs_child", args, env, work / "thumbs.log")
    try:
        async with asyncio.timeout(120):
            while True:
                line = await child.lines.get()
                if line.get("event") == "thumbs":
                    return line
    except TimeoutError:
        raise BenchError(f"thumbs_child did not report: {child.stderr_tail()}") from None
    finally:
        await child.stop()


def thumbnail_rows(r: dict[str, Any]) -> list[Row]:
    """The window's rows, with the issue's targets."""
    warm = ", ".join(f"{w:.0f}" for w in r["warm_ms"])
    return [
        (
            f"Files: window shows a screen of {r['count']} previews ({r['on_screen']} in view), "
            "from the disk cache (decoded on workers)",
            f"median **{r['warm_median_ms']:.0f} ms** of {len(r['warm_ms'])} ({warm} ms); "
            f"first time, fetched from the relay: {r['cold_ms']:.0f} ms",
            f"≤ {GOAL_SCREEN_MS:.0f} ms: {goal(r['warm_median_ms'] <= GOAL_SCREEN_MS)}",
        ),
        (
            "Files: longest GUI-thread stall while they decode (1 ms heartbeat)",
            f"**{r['max_stall_ms']:.1f} ms** (of it on the GUI thread's CPU: "
            f"{r['max_busy_ms']:.1f} ms), decoded on {r['decode_threads']} worker thread(s); "
            f"the same repaint with nothing to decode: {r['baseline_stall_ms']:.1f} ms",
            f"≤ {GOAL_STALL_MS:.0f} ms: {goal(r['max_stall_ms'] <= GOAL_STALL_MS)}",
        ),
    ]
