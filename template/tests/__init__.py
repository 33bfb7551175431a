"""This service's tests.

ENVIRONMENT=test is set here, before any test module or fixture imports the service and
reads its settings.

Owned by the Loopsafe template: `copier update` keeps this file current.
"""

import os

os.environ["ENVIRONMENT"] = "test"
