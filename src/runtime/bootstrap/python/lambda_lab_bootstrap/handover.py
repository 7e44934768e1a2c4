# A pre-started bootstrap's wait: the interpreter is up and our modules imported, nothing of any
# function loaded, until the runtime hands over the environment and working folder a spawn
# would have given (a PrestartHandover as JSON, then end of stream; bootstrapProtocol.ts). After
# it the process is as if started for that function: the same variables and no others, the same
# folder, the handover descriptor closed. What CPython reads only as it starts (PYTHON*, the
# locale, HOME, TZ) the waiting process was started with already (pythonFamily's prestart rules),
# with the values of the functions it waits for.
import json
import os
import sys
import time


def receive_environment(fd):
    # Blocking: the process sleeps here, using no CPU, until the handover or its owner's end.
    os.set_blocking(fd, True)
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    # End of stream without a handover: the runtime that started us is gone.
    if not chunks:
        sys.exit(0)
    handover = json.loads(b"".join(chunks).decode("utf-8"))
    # What this process has now is what it started with (the variables read at start, with
    # the function's values) and what the interpreter itself set as it started (PEP 538's
    # LC_CTYPE): a spawned process would have the same on top of the function's environment.
    started_with = dict(os.environ)
    os.environ.clear()
    os.environ.update(handover["env"])
    os.environ.update(started_with)
    os.chdir(handover["cwd"])
    time.tzset()
