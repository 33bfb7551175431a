"""HTTP routes.

Owned by the Loopsafe template: `copier update` keeps this file current.
"""
