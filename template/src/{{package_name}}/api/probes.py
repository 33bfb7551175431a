"""The orchestrator's probes (docs/operations.md): `/livez` and `/readyz`, GET and HEAD.

Owned by the Loopsafe template: `copier update` keeps this file current. `plumbing.install()`
adds these routes; `/health` (api/health.py, yours) stays as it was.

- `/livez`: the process answers. It never touches the database, so an outage never gets a
  healthy process restarted.
- `/readyz`: the process should get traffic: not draining, and the database answers and has
  every migration (readiness.py). 503 otherwise, never 500.

Cheap enough to poll every second: `/livez` does nothing; `/readyz` uses the app's pool (no
new connection per probe) and answers within about twice `database.HEALTH_CHECK_TIMEOUT`.
"""

import logging
from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from .. import draining, readiness

logger = logging.getLogger(__name__)
router = APIRouter(tags=["probes"])


class Liveness(BaseModel):
    status: Literal["ok"]


class ReadinessReport(BaseModel):
    status: Literal["ok", "unavailable", "draining"]
    database: Literal["ok", "unreachable", "migrations pending", "unchecked", "error"]
    pending_migrations: list[str] = []


@router.get("/livez")
@router.head("/livez")
async def livez() -> Liveness:
    """200 while the process can answer at all."""
    return Liveness(status="ok")


@router.get("/readyz", responses={503: {"model": ReadinessReport}})
@router.head("/readyz", responses={503: {"model": ReadinessReport}})
async def readyz(response: Response) -> ReadinessReport:
    """200 when the process takes traffic; 503 while it drains (SIGTERM received), when the
    database does not answer or lacks migrations (naming them)."""
    report = await _report()
    if report.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return report


async def _report() -> ReadinessReport:
    if draining.is_draining():
        return ReadinessReport(status="draining", database="unchecked")
    try:
        state = await readiness.check()
    except Exception:  # a probe answers 503, never 500: the log says what went wrong
        logger.exception("Readiness check failed")
        return ReadinessReport(status="unavailable", database="error")
    if state.database == "ok":
        return ReadinessReport(status="ok", database="ok")
    return ReadinessReport(
        status="unavailable", database=state.database, pending_migrations=state.pending
    )
