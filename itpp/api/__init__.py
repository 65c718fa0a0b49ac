"""What every endpoint of the REST API shares: authentication, permissions, paging,
validation, error format and the OpenAPI description.

The endpoints themselves live in each app's `api/` package; `itpp.api.urls` mounts
them at /api/v1/.
"""
