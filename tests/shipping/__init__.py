"""Readers and checks of a rendered service's shipping files (Dockerfile, compose.yaml, the
CI workflow), shared by the test modules of each."""

import pytest

# Their checks are plain asserts: rewritten like a test module's, a failure shows the values.
# Registered before they are imported, and each by name: this package is imported already.
pytest.register_assert_rewrite(
    *(f"{__name__}.{name}" for name in ("documents", "dockerfile", "workflow"))
)
