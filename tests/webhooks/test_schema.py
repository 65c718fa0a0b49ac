"""The webhooks are described in the OpenAPI schema, the secret only in the registration."""

from tests.api.conftest import token_client


def test_the_schema_describes_the_webhooks_and_their_deliveries(manager):
    schema = token_client(manager).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/webhooks/"]) == {"get", "post"}
    assert set(paths["/api/v1/webhooks/{id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/webhooks/{id}/deliveries/"]) == {"get"}
    created = paths["/api/v1/webhooks/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("RegisteredWebhook")
    components = schema["components"]["schemas"]
    assert "secret" in components["RegisteredWebhook"]["properties"]
    assert "secret" not in components["Webhook"]["properties"]
    events = components["Webhook"]["properties"]["events"]["items"]["$ref"].rsplit("/", 1)[1]
    assert events == "WebhookEventEnum"
    assert set(components[events]["enum"]) == {
        "activity.created",
        "activity.updated",
        "activity.deleted",
        "activity.approved",
        "stocktake.closed",
    }
    assert "attempts" in components["Delivery"]["properties"]
