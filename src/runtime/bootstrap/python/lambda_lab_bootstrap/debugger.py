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
    host, port = debugpy.listen(("127.0.0.1", 0))
    say("debugpy listening on {}:{}".format(host, port))
    debugpy.wait_for_client()

