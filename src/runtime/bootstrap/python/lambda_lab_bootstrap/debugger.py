# Debugging (LAMBDA_LAB_WAIT_FOR_DEBUGGER=1): debugpy listens on a free loopback port, the
# bootstrap says where on stderr (the runtime family reads that line), and init waits until a
# client has attached and sent configurationDone — so breakpoints in module-level code are set
# before it runs, on every cold start.
import os
import sys

from .log_sink import say

_WAIT_ENV = "LAMBDA_LAB_WAIT_FOR_DEBUGGER"


def wait_if_asked():
    if os.environ.pop(_WAIT_ENV, None) != "1":
        return
    try:
        import debugpy
    except ImportError:
        say(
            "{}=1 but debugpy is not installed for {}: install it (pip install debugpy in the virtual environment, "
            "or apt-get install python3-debugpy for Debian's /usr/bin/python3); running without the debugger.".format(
                _WAIT_ENV, sys.executable
            )
        )
        return
    host, port = _listen(debugpy)
    say("debugpy listening on {}:{}".format(host, port))
    debugpy.wait_for_client()


def _listen(debugpy):
    """(host, port) debugpy listens on.

    In-process when this debugpy can (pydevd speaks DAP itself): no adapter process to start,
    which is most of a debugged cold start. debugpy does not return the port it picked then,
    pydevd knows it. Older debugpy: its adapter process, which returns the port."""
    try:
        debugpy.listen(("127.0.0.1", 0), in_process_debug_adapter=True)
    except TypeError:
        return debugpy.listen(("127.0.0.1", 0))
    import pydevd

    db = pydevd.get_global_debugger()
    db.wait_for_server_socket_ready()
    return db._server_socket_name[0], db._server_socket_name[1]
