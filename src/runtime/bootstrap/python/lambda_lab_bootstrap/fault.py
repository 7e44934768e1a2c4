# The managed runtime's error vocabulary and shapes: FaultException's Runtime.* types, the
# `{errorMessage, errorType, requestId, stackTrace}` body, the X-Ray cause, and tracebacks
# that start where the function's code (or the import machinery it went through) starts.
import os

from . import BOOTSTRAP_DIR

_OWN_FILES = BOOTSTRAP_DIR + os.sep


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


def make_error(error_message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """(file, line, function, source) of each frame, from the first one that is not this bootstrap's."""
    import traceback

    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if not frame[0].startswith(_OWN_FILES):
            return frames[i:]
    return frames


def error_from_exception(exc, request_id=None, message=None):
    """The error body and X-Ray cause for an exception the function raised."""
    import traceback

    frames = user_frames(exc.__traceback__)
    error_type = type(exc).__name__
    text = message if message else str(exc)
    error = make_error(text, error_type, traceback.format_list(frames), request_id)
    return error, xray_cause(error_type, text, frames), frames


def xray_cause(error_type, message, frames):
    stack = [{"label": name, "path": file, "line": line} for file, line, name, _ in frames]
    return {
        "working_directory": os.getcwd(),
        "exceptions": [{"message": message, "type": error_type, "stack": stack}],
        "paths": list({file for file, _, _, _ in frames}),
    }


def throwing_line(frames, code_root):
    """Where in the function's own code an error surfaced: its innermost frame under the code root."""
    root = code_root.rstrip(os.sep) + os.sep
    for file, line, _, _ in reversed(frames):
        if file.startswith(root):
            return file, line
    return None
