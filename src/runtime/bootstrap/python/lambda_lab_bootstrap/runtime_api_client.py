# The Runtime API 2018-06-01 client: one keep-alive HTTP/1.1 connection to
# AWS_LAMBDA_RUNTIME_API. An invocation's answer carries the poll for the next event: Lambda
# Lab's Runtime API answers it with that event (one exchange per invoke); any other answers it
# 202, and from then on the poll follows each answer in the same write (pipelined).
#
# It speaks HTTP over the `_socket` module rather than http.client: importing http.client
# (email, ssl, ...) costs more than a whole Python start, and the protocol needs little.
import _socket

_API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
_MAX_XRAY_CAUSE = 1024 * 1024
_USER_AGENT = "lambda-lab-python"
# THEN_NEXT_HEADER of src/runtime/bootstrap/bootstrapProtocol.ts.
_THEN_NEXT_HEADER = "Lambda-Lab-Then-Next"


class LambdaRuntimeClientError(Exception):
    def __init__(self, endpoint, status, body):
        super().__init__(
            "Request to Lambda Runtime '{}' endpoint failed. Reason: '{}'. Response body: '{}'".format(
                endpoint, status, body.decode("utf-8", "replace")
            )
        )


class RuntimeApiLost(Exception):
    """The connection to the Runtime API went away: the process has nothing left to do."""


class Invocation(object):
    __slots__ = ("headers", "body")

    def __init__(self, headers, body):
        self.headers = headers
        self.body = body


class RuntimeApiClient(object):
    def __init__(self, endpoint, local_socket=None):
        host, sep, port = endpoint.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError("AWS_LAMBDA_RUNTIME_API must be HOST:PORT, got '{}'".format(endpoint))
        host = host.strip("[]")
        if local_socket:
            # The Unix socket of RUNTIME_API_SOCKET_ENV (bootstrapProtocol.ts), preferred to TCP.
            self._family = _socket.AF_UNIX
            self._address = local_socket
        else:
            self._family = _socket.AF_INET6 if ":" in host else _socket.AF_INET
            self._address = (host, int(port))
        self._host = endpoint.encode("ascii")
        self._next_request = self._head("GET", _API + "/invocation/next", None, 0)
        self._sock = None
        self._buffer = bytearray()
        self._answers_with_next = True

    def next_invocation(self):
        self._send(self._next_request)
        return self._read_invocation()

    def post_response_and_next(self, request_id, body, content_type):
        """Posts an invocation's response, polls for the next event, and returns it.

        A refused response (over the payload limit) has been reported to the caller by the
        platform already (Function.ResponseSizeTooLarge); the next poll is sent, so the
        environment goes on serving."""
        path = "{}/invocation/{}/response".format(_API, request_id)
        return self._answer_and_next(path, {"Content-Type": content_type}, body, check_accepted=False)

    def post_error_and_next(self, request_id, error_json, error_type, xray_cause):
        path = "{}/invocation/{}/error".format(_API, request_id)
        body = error_json.encode("utf-8")
        headers = {"Content-Type": "application/json", ERROR_TYPE_HEADER: error_type}
        if len(xray_cause) < _MAX_XRAY_CAUSE:
            headers[XRAY_CAUSE_HEADER] = xray_cause
        return self._answer_and_next(path, headers, body, check_accepted=True)

    def post_init_error(self, error_json, error_type):
        path = _API + "/init/error"
        body = error_json.encode("utf-8")
        head = self._head("POST", path, {"Content-Type": "application/json", ERROR_TYPE_HEADER: error_type}, len(body))
        self._send(head + body)
        self._expect(path, 202)

    def _answer_and_next(self, path, headers, body, check_accepted):
        if self._answers_with_next:
            headers[_THEN_NEXT_HEADER] = "1"
            self._send(self._head("POST", path, headers, len(body)) + body)
            status, answer_headers, answer_body = self._read_answer()
            if status == 200:
                return Invocation(answer_headers, answer_body)
            # A Runtime API that answers the answer alone: poll on our own from now on.
            self._answers_with_next = False
            if check_accepted and status != 202:
                raise LambdaRuntimeClientError(path, status, answer_body)
            return self.next_invocation()
        self._send(self._head("POST", path, headers, len(body)) + body + self._next_request)
        status, _, answer_body = self._read_answer()
        if check_accepted and status != 202:
            raise LambdaRuntimeClientError(path, status, answer_body)
        return self._read_invocation()

    def _expect(self, path, status):
        got, _, body = self._read_answer()
        if got != status:
            raise LambdaRuntimeClientError(path, got, body)

    def _read_invocation(self):
        status, headers, body = self._read_answer()
        if status != 200:
            raise LambdaRuntimeClientError(_API + "/invocation/next", status, body)
        return Invocation(headers, body)

    def _head(self, method, path, headers, length):
        lines = [
            "{} {} HTTP/1.1".format(method, path),
            "Host: " + self._host.decode("ascii"),
            "User-Agent: " + _USER_AGENT,
        ]
        if method != "GET":
            lines.append("Content-Length: {}".format(length))
        for name, value in (headers or {}).items():
            lines.append("{}: {}".format(name, value.replace("\r", " ").replace("\n", " ")))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")

    def _send(self, data):
        if self._sock is None:
            self._connect()
        try:
            self._sock.sendall(data)
        except OSError as e:
            raise RuntimeApiLost(str(e))

    def _connect(self):
        sock = _socket.socket(self._family, _socket.SOCK_STREAM)
        try:
            if self._family != _socket.AF_UNIX:
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            sock.connect(self._address)
        except OSError as e:
            sock.close()
            raise RuntimeApiLost("cannot connect to {}: {}".format(self._host.decode("ascii"), e))
        self._sock = sock
        self._buffer = bytearray()

    def _fill(self):
        try:
            chunk = self._sock.recv(65536)
        except OSError as e:
            raise RuntimeApiLost(str(e))
        if not chunk:
            raise RuntimeApiLost("the Runtime API closed the connection")
        self._buffer += chunk

    def _read_answer(self):
        end = self._buffer.find(b"\r\n\r\n")
        while end < 0:
            self._fill()
            end = self._buffer.find(b"\r\n\r\n")
        head = self._buffer[:end].decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        parts = head[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise RuntimeApiLost("malformed answer from the Runtime API: {!r}".format(head[0]))
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self._read_exactly(int(headers.get("content-length", "0")))
        return int(parts[1]), headers, body

    def _read_exactly(self, length):
        while len(self._buffer) < length:
            self._fill()
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return body

    def _read_chunked(self):
        chunks = []
        while True:
            end = self._buffer.find(b"\r\n")
            while end < 0:
                self._fill()
                end = self._buffer.find(b"\r\n")
            size = int(bytes(self._buffer[:end]).split(b";", 1)[0], 16)
            del self._buffer[: end + 2]
            if size == 0:
                # Trailers, if any, end with an empty line.
                while True:
                    end = self._buffer.find(b"\r\n")
                    while end < 0:
                        self._fill()
                        end = self._buffer.find(b"\r\n")
                    del self._buffer[: end + 2]
                    if end == 0:
                        return b"".join(chunks)
            chunks.append(self._read_exactly(size + 2)[:-2])
