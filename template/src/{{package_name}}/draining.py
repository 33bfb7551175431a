"""Draining: whether this process has been asked to stop (docs/operations.md).

Owned by the Loopsafe template: `copier update` may change this file.

`serve.py` begins the drain when SIGTERM arrives; from then on `/readyz` answers 503, so that
the orchestrator takes the process out of rotation while it still serves every request it
gets. The state is a plain flag: SIGTERM's handler sets it between two bytecodes of the
event loop's thread, and nothing ever waits on it.
"""

_state = {"draining": False}


def begin() -> None:
    """Start draining: readiness answers 503 from now on, for the life of the process."""
    _state["draining"] = True


def is_draining() -> bool:
    return _state["draining"]


def end() -> None:
    """Back to serving (for tests, which drain the one app of their process)."""
    _state["draining"] = False
