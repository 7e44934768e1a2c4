# Entry point of out/bootstrap/python/bootstrap.py, the process our runtime starts for a
# Python function: `python3 bootstrap.py`, with Lambda's environment. Standard library only.
import os
import sys

from lambda_lab_bootstrap.runtime_loop import run

# Python put this script's folder first on sys.path. Our modules are imported already (under a
# package name no function uses); the function's search path starts at its code root.
if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

if __name__ == "__main__":
    run()
