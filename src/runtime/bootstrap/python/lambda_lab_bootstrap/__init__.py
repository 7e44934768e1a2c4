# Lambda Lab's Python bootstrap: the managed Python runtime's behaviour (awslambdaric's handler
# loading, errors, context, marshalling and logging), standard library only. Imported before
# any function code, under a name no function uses, so nothing here can be shadowed.
import os

BOOTSTRAP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
