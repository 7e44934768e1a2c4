# Events in, responses out, as the managed runtime's marshaller does it with simplejson:
# Decimal written as its exact digits (NaN as NaN), NaN/Infinity allowed, namedtuples (and
# anything with an _asdict()) as objects, bytes inside a value as UTF-8 text, a bytes response sent raw as
# application/unknown, and non-ASCII kept as-is from python3.12 on.
#
# The standard library's encoder cannot emit raw number text, so a Decimal is first encoded as
# a placeholder string that no JSON text can otherwise contain, then swapped for its digits.
import json
import math
import os
import sys

from .fault import FaultException

_ENSURE_ASCII_FREE = {
    "AWS_Lambda_python3.12",
    "AWS_Lambda_python3.13",
    "AWS_Lambda_python3.14",
    "AWS_Lambda_python3.15",
}
_MARK = "\x00lambda-lab-raw:"


class _Encoder(json.JSONEncoder):
    def __init__(self, ensure_ascii):
        super().__init__(ensure_ascii=ensure_ascii, allow_nan=True)
        self.raw = []

    def default(self, obj):
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return math.nan
            self.raw.append(str(obj))
            return _MARK + str(len(self.raw) - 1)
        if isinstance(obj, (bytes, bytearray)):
            return bytes(obj).decode("utf-8")
        as_dict = getattr(obj, "_asdict", None)
        if callable(as_dict):
            return as_dict()
        return super().default(obj)

    def iterencode(self, o, _one_shot=False):
        if _has_namedtuple(o):
            o = _namedtuples_as_objects(o)
        return super().iterencode(o, _one_shot)


def _has_namedtuple(o):
    stack = [o]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            if hasattr(value, "_asdict"):
                return True
            stack.extend(value)
    return False


def _namedtuples_as_objects(o):
    """As simplejson's namedtuple_as_object does."""
    if isinstance(o, tuple) and hasattr(o, "_asdict"):
        return {k: _namedtuples_as_objects(v) for k, v in o._asdict().items()}
    if isinstance(o, dict):
        return {k: _namedtuples_as_objects(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_namedtuples_as_objects(v) for v in o]
    return o


def _ensure_ascii():
    return os.environ.get("AWS_EXECUTION_ENV") not in _ENSURE_ASCII_FREE


def to_json(obj):
    encoder = _Encoder(_ensure_ascii())
    text = encoder.encode(obj)
    if encoder.raw:
        escaped = "\\u0000lambda-lab-raw:"
        for i, digits in enumerate(encoder.raw):
            text = text.replace('"{}{}"'.format(escaped, i), digits, 1)
    return text


def unmarshal_request(body, content_type):
    if content_type != "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)), None)


def marshal_response(response):
    """(body bytes, content type)."""
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None)
