"""Machinery shared by the apps, with no domain in it.

Nothing here imports a project app (import-linter keeps it so): forms that call a service,
optimistic locking, attributing history to the acting user, spreadsheet safety, PDF rendering.
"""
