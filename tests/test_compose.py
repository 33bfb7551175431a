"""Each variant's compose.yaml validates against the Compose specification's schema and runs
the migrations, from the app's image, before the app starts."""

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import POSTGRES_VARIANTS, VARIANTS, clean_env, run
from .shipping.documents import check_schema, load_yaml
from .shipping.workflow import postgres_majors


@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_file_is_valid_and_migrates_before_the_app_starts(
    variant: str, service: Callable[[str], Path]
) -> None:
    project = service(variant)
    check_schema(project / "compose.yaml", "compose-spec")
    compose = load_yaml(project / "compose.yaml")
    services = compose["services"]
    app, migrate = services["app"], services["migrate"]
    slug, package = f"{variant}-service", f"{variant}_service"

    for one in (app, migrate):  # one image, one configuration
        assert one["build"] == "."
        assert one["image"] == f"{slug}:latest"
        assert one["environment"]["ENVIRONMENT"] == "production"
    assert app["environment"] == migrate["environment"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["healthcheck"] == {"disable": True}
    assert app["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert app["ports"] == ["8000:8000"]
    url = app["environment"]["DATABASE_URL"]

    if variant in POSTGRES_VARIANTS:
        postgres = services["postgres"]
        assert postgres["image"] == f"postgres:{postgres_majors()[-1]}"
        assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
        for one in (app, migrate):
            assert one["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert url == f"postgresql://postgres:postgres@postgres:5432/{package}"
        assert postgres["environment"]["POSTGRES_DB"] == package
        # The postgres:18 image refuses a volume at .../data (its data lives a level down).
        assert postgres["volumes"] == ["postgres-data:/var/lib/postgresql"]
        assert list(compose["volumes"]) == ["postgres-data"]
        expected_driver = f"postgresql+{variant}"
    else:
        assert set(services) == {"app", "migrate"}
        assert url == f"sqlite+aiosqlite:////data/{slug}.db"
        for one in (app, migrate):
            assert one["volumes"] == ["data:/data"]
        assert list(compose["volumes"]) == ["data"]
        expected_driver = "sqlite+aiosqlite"

    # The service's own settings accept the URL in production and pick its driver.
    code = f"from {package}.settings import load_settings; print(load_settings().url.drivername)"
    settings = run(
        [project / ".venv/bin/python", "-c", code],
        cwd=project,
        env=clean_env(ENVIRONMENT="production", DATABASE_URL=url),
    )
    assert settings.stdout.strip() == expected_driver
