"""This service's tests.

ENVIRONMENT=test is set here, before any test module or fixture imports the service and
reads its settings.
"""

import os

os.environ["ENVIRONMENT"] = "test"
