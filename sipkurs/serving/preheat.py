"""The kernel's half of Voila's preheating: waiting for the page request, without importing Voila.

A preheated kernel runs its page's notebook up to the point where it needs the page's request (the query string with
the course and the personal code, the trainer login's header) and waits there until a browser takes it. Voila's own
helper, ``voila.utils.wait_for_request``, imports Voila's whole server side for that (jupyter_server, nbconvert,
jupyterlab_server, jsonschema's format checkers: ~42 MiB and ~2 s of CPU in every kernel, measured with
benchmarks/bench_memory.py) to receive one websocket message. This speaks the same protocol with only a websocket
client: connect to ``/voila/query/<kernel id>`` on the server that started the kernel (the VOILA_* variables Voila's
pool puts into the kernel's environment, with voila.utils' defaults), receive one JSON object (the request's
variables: QUERY_STRING, SCRIPT_NAME, HTTP_… headers) and put its entries into the environment.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 5.0  # s to connect, as Voila's helper: the server that started this kernel is on this machine


def query_url() -> str:
    """Where the server answers this kernel with its page's request."""
    env = os.environ
    server_url = env.get("VOILA_SERVER_URL", "/")
    base = env.get("VOILA_WS_BASE_URL", server_url)
    return (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
            f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")


def wait_for_request() -> bool:
    """In a preheated kernel: wait until a page takes this kernel, then put its request's variables into the
    environment (True). In a kernel started for its page, Voila has set them already: return False at once. Also
    False if the server cannot be reached; the page then gets the environment as it is, as with Voila's helper."""
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return False
    received: dict[str, str] = {}

    def receive() -> None:  # a thread of its own: the cell runs inside the kernel's event loop
        try:
            received["info"] = asyncio.run(_receive(query_url()))
        except Exception as exc:  # noqa: BLE001 - no request: the page is built without it, the reason is logged
            log.warning("no page request reached this preheated kernel: %s", exc)

    thread = threading.Thread(target=receive, name="sipkurs-wait-for-request", daemon=True)
    thread.start()
    thread.join()
    if "info" not in received:
        return False
    for key, value in json.loads(received["info"]).items():
        if value is not None:
            os.environ[key] = str(value)
    return True


async def _receive(url: str) -> str:
    from websockets.asyncio.client import connect

    async with connect(url, open_timeout=OPEN_TIMEOUT) as websocket:
        return await websocket.recv()
