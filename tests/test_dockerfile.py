"""Each variant's Dockerfile lints clean with hadolint and describes the production image.

There is no Docker engine on our machines, so no image is built here; test_image_steps.py
replays the Dockerfile's steps outside Docker instead.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, supported_pythons
from .shipping.dockerfile import (
    assert_dockerfile,
    context_copies,
    dockerignore,
    hadolint,
    ignored,
    stages,
)


@pytest.mark.parametrize("variant", VARIANTS)
def test_dockerfile_lints_clean_and_describes_the_production_image(
    variant: str, service: Callable[[str], Path]
) -> None:
    project = service(variant)
    hadolint(project / "Dockerfile")
    assert_dockerfile(
        project, f"{variant}_service", supported_pythons()[0], VARIANTS[variant]["database"]
    )

    # Everything the build copies from the context exists and is not in .dockerignore.
    patterns = dockerignore(project)
    for pattern in (".git", ".venv", ".env", "tests", "**/*.db"):
        assert pattern in patterns
    for stage in stages(project / "Dockerfile"):
        for sources, _ in context_copies(stage):
            for source in sources:
                assert (project / source).exists(), source
                assert not ignored(source, patterns), source
