"""Middleware of the test server: the request log and CORS left to django-cors-headers."""

import json
import os
import threading

_log_fd = int(os.environ.get("DOT_REQUEST_LOG_FD", "-1"))
_lock = threading.Lock()


class RequestLog:
    """Writes one JSON line per request to the file descriptor DOT_REQUEST_LOG_FD:
    {method, path, origin, body, status}. `body` is the raw form body of a POST (None
    otherwise). The line is written before the response leaves the server, so by the time
    a client has the response, the record is in the pipe."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        body = request.body.decode("utf-8", "replace") if request.method == "POST" else None
        response = self.get_response(request)
        # Django's server closes the connection after a response without Content-Length
        # (CommonMiddleware, which would add it, is not used): keep-alive as browsers expect.
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        if _log_fd >= 0:
            record = {
                "method": request.method,
                "path": request.path,
                "origin": request.headers.get("Origin"),
                "body": body,
                "status": response.status_code,
            }
            line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
            with _lock:
                while line:
                    line = line[os.write(_log_fd, line) :]
        return response


class NoWildcardCors:
    """DOT's discovery, RFC 8414 metadata and JWKS views set `Access-Control-Allow-Origin: *`
    themselves. Drop it, so that only django-cors-headers (outside this middleware) answers
    CORS, and only for the configured origins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Access-Control-Allow-Origin") == "*":
            del response["Access-Control-Allow-Origin"]
        return response
