"""The service package: settings, database, models and the FastAPI app.

Owned by the Loopsafe template: `copier update` keeps this file current.
"""
