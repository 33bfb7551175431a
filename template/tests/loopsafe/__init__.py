"""The template's own tests of this service: the database module, the harness, settings,
migrations, readiness and wiring.

Owned by the Loopsafe template: `copier update` keeps this folder current. Put your tests in
tests/ (beside this folder), not here.
"""
