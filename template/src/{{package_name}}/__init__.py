"""The service package: settings, database, models and the FastAPI app."""
