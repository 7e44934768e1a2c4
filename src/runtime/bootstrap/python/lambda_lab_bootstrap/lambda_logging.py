# The root `logging` handler the managed runtime installs: Text records
# `[LEVEL]\t<UTC time>Z\t<request id>\t<message>`, or with LoggingConfig LogFormat JSON one
# object per record (levels filtered by AWS_LAMBDA_LOG_LEVEL), each record one log event.
#
# Importing `logging` costs a third of a bare Python start, and many functions never use it,
# so the handler is installed when the function (or a library) first imports `logging`:
# before its first record either way.
import os
import sys
import time

from . import log_sink
from .marshaller import to_json

_TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_JSON_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# LogRecord attributes that never become fields of a JSON record.
_RESERVED_FIELDS = frozenset(
    (
        "name msg args levelname levelno pathname filename module exc_info exc_text stack_info lineno funcName "
        "created msecs relativeCreated thread threadName processName process aws_request_id tenant_id _frame_type"
    ).split()
)
# What our records call the levels (bootstrapProtocol.ts shares Node's names).
_RECORD_LEVELS = {0: None, 10: "DEBUG", 20: "INFO", 30: "WARN", 40: "ERROR", 50: "FATAL"}

LAMBDA_UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
    "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied automatically. To determine if the "
    "runtime has been updated, check the runtime version in the INIT_START log entry. If this error correlates with "
    "a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


def is_json_format():
    return (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"


def _level_from_env():
    value = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    return {None: "", "TRACE": "DEBUG"}.get(value, value).upper()


def _normalized_level(record):
    return min(50, max(0, record.levelno)) // 10 * 10


def configure(logging, sink):
    """Installs Lambda's root handler on the freshly imported `logging` module."""
    logging.Formatter.converter = time.gmtime
    log_sink.skip_frames_under(os.path.dirname(logging.__file__))
    json_format = is_json_format()
    level = _level_from_env()

    class LambdaLoggerHandler(logging.Handler):
        def __init__(self):
            logging.Handler.__init__(self)
            self.log_sink = sink

        def emit(self, record):
            text = self.format(record)
            self.log_sink.log(text, _RECORD_LEVELS.get(_normalized_level(record)), (record.pathname, record.lineno))

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = log_sink.request_id or ""
            record.tenant_id = log_sink.tenant_id
            return True

    handler = LambdaLoggerHandler()
    if json_format:
        handler.setFormatter(_json_formatter(logging))
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT, "%Y-%m-%dT%H:%M:%S"))
    if level in logging._nameToLevel:
        logging.getLogger().setLevel(level)
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)


def _json_formatter(logging):
    import json
    import traceback

    encode = json.JSONEncoder(ensure_ascii=False).encode

    class JsonFormatter(logging.Formatter):
        def __init__(self):
            super().__init__(datefmt=_JSON_TIME_FORMAT)

        def format(self, record):
            record.levelno = _normalized_level(record)
            record.levelname = logging.getLevelName(record.levelno)
            exc_info = record.exc_info
            fields = {
                "timestamp": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
                "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
                "errorType": exc_info[0].__name__ if exc_info else None,
                "errorMessage": str(exc_info[1]) if exc_info else None,
                "requestId": getattr(record, "aws_request_id", None),
                "location": "{}:{}:{}".format(record.pathname, record.funcName, record.lineno) if exc_info else None,
            }
            if getattr(record, "tenant_id", None) is not None:
                fields["tenantId"] = record.tenant_id
            for key, value in record.__dict__.items():
                if key not in _RESERVED_FIELDS and key not in fields:
                    fields[key] = value
            return encode({k: v for k, v in fields.items() if v is not None}) + "\n"

    return JsonFormatter()


class _ConfigureOnImport(object):
    """A meta path finder that lets `logging` load as usual, then configures it."""

    def __init__(self, sink):
        self._sink = sink

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _ConfiguringLoader(spec.loader, self._sink)
        return spec


class _ConfiguringLoader(object):
    def __init__(self, loader, sink):
        self._loader = loader
        self._sink = sink

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        configure(module, self._sink)

    def __getattr__(self, name):
        return getattr(self._loader, name)


def install(sink):
    """Configures `logging` now if something imported it already, else when it is first imported."""
    logging = sys.modules.get("logging")
    if logging is not None:
        configure(logging, sink)
    else:
        sys.meta_path.insert(0, _ConfigureOnImport(sink))


def log_error(error, sink, source=None):
    """The runtime's own report of a function error, as the managed runtime logs it."""
    if is_json_format():
        record = {"timestamp": time.strftime(_JSON_TIME_FORMAT, time.gmtime()), "log_level": "ERROR"}
        record.update(error)
        sink.log_error([to_json(record)], source)
        return
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description]
    stack_trace = error.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sink.log_error(lines, source)
