# Where log records go. In Lambda the runtime frames each record on a telemetry descriptor,
# so a multi-line record stays one log event, while stdout is split into one event per line.
# Under Lambda Lab, LAMBDA_LAB_LOG_FD names our equivalent: one JSON BootstrapLogRecord per
# line (src/runtime/bootstrap/bootstrapProtocol.ts), with the call site in the function's code.
# Without it, records go to stdout as awslambdaric's standard sink writes them.
import json
import os
import sys
import time

from . import BOOTSTRAP_DIR

_SKIPPED_DIRS = (BOOTSTRAP_DIR + os.sep,)

# The invocation in progress: its id tags every record, as Lambda's log filter does.
request_id = None
tenant_id = None


def skip_frames_under(directory):
    """Frames from this folder (a logging package, say) are never a record's call site."""
    global _SKIPPED_DIRS
    _SKIPPED_DIRS = _SKIPPED_DIRS + (directory.rstrip(os.sep) + os.sep,)


def caller_site(depth=2):
    """(file, line) of the innermost frame outside this bootstrap and logging's internals."""
    try:
        frame = sys._getframe(depth)
    except ValueError:
        # Called from the interpreter itself (an uncaught exception's report at exit).
        return None
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_SKIPPED_DIRS) and not filename.startswith("<"):
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


class StandardLogSink(object):
    def log(self, msg, level=None, source=None):
        sys.__stdout__.write(msg)
        sys.__stdout__.flush()

    def log_error(self, lines, source=None):
        sys.__stdout__.write("\r".join(lines) + "\n")
        sys.__stdout__.flush()

    def print_line(self, line, source=None):
        sys.__stdout__.write(line + "\n")
        sys.__stdout__.flush()


class RecordLogSink(object):
    def __init__(self, fd):
        self._fd = fd

    def log(self, msg, level=None, source=None):
        self._write(msg[:-1] if msg.endswith("\n") else msg, level, source)

    def log_error(self, lines, source=None):
        self._write("\n".join(lines), "ERROR", source)

    def print_line(self, line, source=None):
        self._write(line, None, source)

    def _write(self, line, level, source):
        record = {"line": line, "timestamp": int(time.time() * 1000)}
        if request_id:
            record["requestId"] = request_id
        if level:
            record["level"] = level
        if source:
            record["source"] = {"file": source[0], "line": source[1], "column": 1}
        data = (json.dumps(record) + "\n").encode("ascii")
        while data:
            written = os.write(self._fd, data)
            data = data[written:]


class LineWriter(object):
    """sys.stdout / sys.stderr: each complete line a record, with the line of code that wrote it."""

    def __init__(self, sink, stream):
        self._sink = sink
        self._stream = stream
        self._partial = ""

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not {}".format(type(text).__name__))
        if "\n" not in text:
            self._partial += text
            return len(text)
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        source = caller_site()
        for line in lines:
            self._sink.print_line(line, source)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._partial:
            line, self._partial = self._partial, ""
            self._sink.print_line(line, caller_site())

    def isatty(self):
        return False

    def __getattr__(self, name):
        return getattr(self._stream, name)


class Unbuffered(object):
    """Flushes every write, as the managed runtime wraps stdout and stderr."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()

    def __getattr__(self, attr):
        return getattr(self.stream, attr)


def say(message):
    """The bootstrap's own notes, on the real stderr: the runtime shows them as log lines."""
    sys.__stderr__.write("Lambda Lab bootstrap: {}\n".format(message))
    sys.__stderr__.flush()


def create_log_sink():
    """The sink for this process, with sys.stdout and sys.stderr routed to match."""
    fd = os.environ.pop("LAMBDA_LAB_LOG_FD", None)
    if fd is None:
        sys.stdout = Unbuffered(sys.stdout)
        sys.stderr = Unbuffered(sys.stderr)
        return StandardLogSink()
    sink = RecordLogSink(int(fd))
    sys.stdout = LineWriter(sink, sys.stdout)
    sys.stderr = LineWriter(sink, sys.stderr)
    return sink
