"""Each variant's CI workflow (.github/workflows/ci.yml) validates against the GitHub
workflow schema and runs the service's checks on every supported Python."""

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, supported_pythons
from .shipping.workflow import assert_workflow


@pytest.mark.parametrize("variant", VARIANTS)
def test_ci_workflow_is_valid_and_runs_the_checks(
    variant: str, service: Callable[[str], Path]
) -> None:
    assert_workflow(service(variant), variant, supported_pythons())
