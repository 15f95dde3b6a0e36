"""Plain-Python rules of the customer archive.

Nothing in this package imports Odoo, so every rule here is tested by the root
pytest suite without a database; the models call these functions.
"""
