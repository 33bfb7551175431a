"""Each variant served by uvicorn in production mode, used as a client would use it: on a
database that was never migrated, /health answers 503 naming the pending migrations and a
data endpoint a 500 whose log carries the database's own message (not a 503: retrying would
never help); after `alembic upgrade head` both answer 200. Bad input answers 404 or 422,
the same on every backend. SIGTERM drains the service, then it exits 0."""

import json
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from .helpers import COMPLAINTS, VARIANTS, clean_env, free_port, run, served
from .processes import ServerLog, stop_group

# What each database says about the missing table (the log must carry it).
MISSING_TABLE = {
    "sqlite": "no such table: items",
    "asyncpg": 'relation "items" does not exist',
    "psycopg": 'relation "items" does not exist',
}
# Ids outside the INTEGER column on some backend, negative or zero; paging out of range.
BAD_IDS = ["0", "-1", "2147483648", "9223372036854775808", "18446744073709551616"]
BAD_PAGES = [{"limit": "0"}, {"limit": "1000000"}, {"offset": "-1"}, {"offset": "2147483648"}]
BAD_BODIES = [
    {"name": "   "},
    {"name": "a\x00b"},
    {"name": "widget", "description": "a\x00b"},
    {"name": "bell\x07"},
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_unmigrated_database_is_named_then_fixed_by_upgrade_head(
    variant: str, service: Callable[[str], Path], fresh_database: Callable[[str, Path], str]
) -> None:
    project = service(variant)
    env = clean_env(ENVIRONMENT="production", DATABASE_URL=fresh_database(variant, project))
    log: list[str] = []
    with served(project, env, log=log) as url, httpx.Client(base_url=url, timeout=30) as http:
        behind = http.get("/health")
        assert behind.status_code == 503
        assert behind.json() == {
            "status": "unavailable",
            "database": "migrations pending",
            "pending_migrations": ["0001"],
        }
        assert http.head("/health").status_code == 503

        broken = http.get("/items")
        assert broken.status_code == 500 and "retry-after" not in broken.headers

        run([project / ".venv/bin/alembic", "upgrade", "head"], cwd=project, env=env)

        assert http.get("/health").status_code == 200
        assert http.head("/health").status_code == 200
        assert http.get("/items").json() == []
    output = "\n".join(log)
    # Production logs one JSON object a line: the messages, unescaped.
    messages = "\n".join(json.loads(line)["message"] for line in log if line.startswith("{"))
    assert MISSING_TABLE[variant] in messages, output
    assert "lacks migration(s) 0001: run `alembic upgrade head`" in messages, output


@pytest.mark.parametrize("variant", VARIANTS)
def test_bad_input_is_404_or_422_alike_on_every_backend(
    variant: str, service: Callable[[str], Path], fresh_database: Callable[[str, Path], str]
) -> None:
    project = service(variant)
    env = clean_env(ENVIRONMENT="production", DATABASE_URL=fresh_database(variant, project))
    run([project / ".venv/bin/alembic", "upgrade", "head"], cwd=project, env=env)
    with served(project, env) as url, httpx.Client(base_url=url, timeout=30) as http:
        for item_id in BAD_IDS:
            assert http.get(f"/items/{item_id}").status_code == 422, item_id
            assert http.delete(f"/items/{item_id}").status_code == 422, item_id
        assert http.get("/items/2147483647").status_code == 404
        for params in BAD_PAGES:
            assert http.get("/items", params=params).status_code == 422, params
        for body in BAD_BODIES:
            refused = http.post("/items", json=body)
            assert refused.status_code == 422, (body, refused.text)
        stored = http.post("/items", json={"name": "  widget  ", "description": "two\nlines"})
        assert stored.status_code == 201, stored.text
        assert stored.json()["name"] == "widget"
        assert http.get("/items").json() == [stored.json()]


def read_response(connection: socket.socket) -> bytes:
    """What the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("variant", VARIANTS)
def test_sigterm_drains_serves_what_is_in_flight_and_exits_0(
    variant: str, service: Callable[[str], Path], fresh_database: Callable[[str, Path], str]
) -> None:
    """The image's command (`python -m <package>.serve`): on SIGTERM /readyz answers 503 at
    once while new requests are still served; then it stops accepting, lets the request in
    flight finish, shuts down cleanly and exits 0."""
    project = service(variant)
    package = next(project.glob("src/*/main.py")).parent.name
    env = clean_env(
        ENVIRONMENT="production",
        DATABASE_URL=fresh_database(variant, project),
        DRAIN_SECONDS="10",
        SHUTDOWN_TIMEOUT="60",
    )
    run([project / ".venv/bin/alembic", "upgrade", "head"], cwd=project, env=env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve: list[str | Path] = [project / ".venv/bin/python", "-m", f"{package}.serve"]
    serve += ["--port", str(port)]
    log = ServerLog.start(serve, cwd=project, env=env)
    server = log.server
    try:
        log.wait_for("Uvicorn running on")
        assert httpx.get(f"{base}/readyz").status_code == 200

        # A request in flight: the app is reading its body (uvicorn says "100 Continue" when
        # the app first asks for it); the test sends the body only after the drain.
        body = b'{"name": "slow"}'
        slow = socket.create_connection(("127.0.0.1", port), timeout=60)
        slow.sendall(
            b"POST /items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        assert slow.recv(1024).startswith(b"HTTP/1.1 100 Continue")

        server.send_signal(signal.SIGTERM)
        log.wait_for("SIGTERM: draining")
        draining = httpx.get(f"{base}/readyz")  # a new connection, during the drain
        assert (draining.status_code, draining.json()["status"]) == (503, "draining")
        assert httpx.head(f"{base}/readyz").status_code == 503
        assert httpx.get(f"{base}/livez").status_code == 200
        arrived = httpx.post(f"{base}/items", json={"name": "during the drain"})
        assert arrived.status_code == 201, arrived.text

        log.wait_for("Shutting down")  # the drain is over: no new connection is served
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base}/livez", timeout=10)

        slow.sendall(body)
        finished = read_response(slow)
        slow.close()
        assert finished.startswith(b"HTTP/1.1 201 Created"), finished
        assert b'"name":"slow"' in finished
        server.wait(timeout=60)
    finally:
        stop_group(server)
        log.close()
    output = log.text()
    assert server.returncode == 0, output
    assert "Application shutdown complete." in output, output
    assert "Traceback" not in output and not COMPLAINTS.search(output), output
