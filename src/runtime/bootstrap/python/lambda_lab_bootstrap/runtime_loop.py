# Init, then the invocation loop, in awslambdaric's order: logging set up, the handler
# imported (a failure is posted as an init error and the process exits 1), then for each
# event: context, event decoded, handler called, answer posted with the next poll behind it.
# BaseExceptions (sys.exit, KeyboardInterrupt) are not caught, so they end the process.
import os
import sys

from . import debugger, lambda_logging, log_sink
from .fault import FaultException, error_from_exception, make_error, throwing_line, xray_cause
from .handler_loader import load_handler
from .lambda_context import create_lambda_context
from .marshaller import marshal_response, to_json, unmarshal_request
from .log_sink import say
from .runtime_api_client import RuntimeApiClient, RuntimeApiLost

def run():
    sink = log_sink.create_log_sink()
    lambda_logging.install(sink)
    try:
        client = RuntimeApiClient(os.environ.get("AWS_LAMBDA_RUNTIME_API", ""), os.environ.pop("LAMBDA_LAB_RUNTIME_API_SOCKET", None))
    except ValueError as e:
        say(str(e))
        sys.exit(1)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    _set_search_path(task_root)
    try:
        debugger.wait_if_asked()
        handler, error = _load(os.environ.get("_HANDLER", ""))
        if error is not None:
            import logging

            logging.warning(lambda_logging.LAMBDA_UNHANDLED_EXCEPTION_WARNING)
            lambda_logging.log_error(error, sink)
            _hint_runtime_packages(error["errorMessage"])
            client.post_init_error(to_json(error), error["errorType"])
            sys.exit(1)
        invocation = client.next_invocation()
        while True:
            invocation = _invoke(client, handler, invocation, sink, task_root)
    except RuntimeApiLost as e:
        say("lost the Runtime API ({}); exiting.".format(e))
        sys.exit(1)


def _set_search_path(task_root):
    """Code root first, then the layers' python folders (site-packages first), as in Lambda; then the interpreter's own."""
    front = [task_root]
    opt = os.environ.get("LAMBDA_LAB_OPT_DIR")
    if opt:
        # Layers are built for the runtime (python/lib/python3.12/...), whichever interpreter runs it here.
        runtime = os.environ.get("AWS_EXECUTION_ENV", "")
        version = runtime[len("AWS_Lambda_") :] if runtime.startswith("AWS_Lambda_python") else "python{}.{}".format(*sys.version_info[:2])
        front += [os.path.join(opt, "python", "lib", version, "site-packages"), os.path.join(opt, "python")]
    sys.path[0:0] = [p for p in front if p not in sys.path]


def _load(handler_name):
    try:
        return load_handler(handler_name), None
    except FaultException as e:
        return None, make_error(e.msg, e.exception_type, e.trace)
    except Exception as e:
        return None, error_from_exception(e)[0]


def _invoke(client, handler, invocation, sink, task_root):
    """Runs one invocation, posts its answer, and returns the next invocation."""
    headers = invocation.headers
    request_id = headers.get("lambda-runtime-aws-request-id")
    log_sink.request_id = request_id
    log_sink.tenant_id = headers.get("lambda-runtime-aws-tenant-id")
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = create_lambda_context(headers)
        event = unmarshal_request(invocation.body, headers.get("content-type"))
        body, content_type = marshal_response(handler(event, context))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
        cause = xray_cause("LambdaValidationError", e.msg, [])
        source = None
    except Exception as e:
        error, cause, frames = error_from_exception(e, request_id)
        source = throwing_line(frames, task_root)
    else:
        return client.post_response_and_next(request_id, body, content_type)
    lambda_logging.log_error(error, sink, source)
    _hint_runtime_packages(error["errorMessage"])
    return client.post_error_and_next(request_id, to_json(error), error["errorType"], to_json(cause))


def _hint_runtime_packages(message):
    """boto3 ships with the managed runtime, so its absence here is the local interpreter's, not the function's."""
    import re

    missing = re.search(r"No module named '(boto3|botocore)(\.|')", message)
    if not missing:
        return
    runtime = os.environ.get("AWS_EXECUTION_ENV", "").replace("AWS_Lambda_", "") or "the Python"
    say(
        "{} is part of the managed {} runtime, but {} (Python {}) cannot import it. Install it for that interpreter "
        "(Debian/Ubuntu: apt-get install python3-boto3; or pip install boto3 in the project's virtual environment), "
        "or pick an interpreter that has it with lambdaLab.pythonBinaries or --python {}=PATH.".format(
            missing.group(1), runtime, sys.executable, sys.version.split()[0], runtime
        )
    )

