"""JSON errors for every HTTP endpoint of the hub and relay: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP API error with its status, a stable code and a message for humans."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The JSON error body every endpoint uses."""
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status, headers=headers
    )


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Turn :class:`ApiError`, aiohttp's own HTTP errors and bugs into JSON error bodies."""
    try:
        response: web.StreamResponse = await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, str(exc), exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except Exception:
        # A bug: log it in full here, and still answer in the one error shape.
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Internal error; the server logged it")
    return response


def json_object(raw: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object in UTF-8, or a 400 saying what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_utf8", "Request body is not valid UTF-8") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "malformed_json", "Request body must be a JSON object")
    return body
