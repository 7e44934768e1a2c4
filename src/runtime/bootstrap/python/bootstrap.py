# Entry point of out/bootstrap/python/bootstrap.py, the process our runtime starts for a
# Python function: `python3 bootstrap.py`, with Lambda's environment. Standard library only.
import os
import sys

from lambda_lab_bootstrap.handover import receive_environment
from lambda_lab_bootstrap.runtime_loop import run

# Python put this script's folder first on sys.path. Our modules are imported already (under a
# package name no function uses); the function's search path starts at its code root.
if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

if __name__ == "__main__":
    # Set on a process started ahead of its function (prestartedProcesses.ts).
    handover_fd = os.environ.pop("LAMBDA_LAB_PRESTART_FD", None)
    if handover_fd:
        receive_environment(int(handover_fd))
    run()
