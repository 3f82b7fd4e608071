"""ASGI middleware: the request-size cap (413/414) and structured JSON access logs."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .runtime import CLIENT

access_log = logging.getLogger("api.access")


async def _reply(send: Send, status: int, error: str, message: str) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RequestSizeLimit:
    """Refuse a body over `max_bytes` with 413 (before reading it when Content-Length says so) and a
    query string over `max_bytes` with 414."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_bytes:
            await _reply(send, 414, "RequestTooLarge", f"query string over {self.max_bytes} bytes "
                         "(KG_MAX_REQUEST_BYTES); send the query by POST")
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await _reply(send, 400, "ProtocolError", "malformed Content-Length")
                return
            if too_big:
                await _reply(send, 413, "RequestTooLarge",
                             f"request body over {self.max_bytes} bytes (KG_MAX_REQUEST_BYTES)")
                return
        # Read the whole body (chunked uploads too), refusing it as soon as it passes the cap.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _reply(send, 413, "RequestTooLarge",
                             f"request body over {self.max_bytes} bytes (KG_MAX_REQUEST_BYTES)")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class AccessLog:
    """One JSON line per request on the `api.access` logger."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        info: dict[str, Any] = {"status": 500, "bytes": 0}
        client = scope.get("client")
        CLIENT.set(client[0] if client else None)

        async def tap(message: Message) -> None:
            if message["type"] == "http.response.start":
                info["status"] = message["status"]
            elif message["type"] == "http.response.body":
                info["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, tap)
        finally:
            record = {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "method": scope.get("method"),
                "path": scope.get("path"), "query_bytes": len(scope.get("query_string", b"")),
                "status": info["status"], "bytes": info["bytes"],
                "ms": round((time.perf_counter() - start) * 1000, 2),
                "client": f"{client[0]}:{client[1]}" if client else None,
            }
            access_log.info(json.dumps(record))
