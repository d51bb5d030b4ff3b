"""The OpenAPI schema generates for every mounted endpoint, without errors or warnings.

drf-spectacular's own ``check --deploy`` hook is off (settings): schema quality is a
test-suite matter, checked here, not a deployment-security one.

drf-spectacular reports problems through its own warning collector; a broken
serializer would make /api/schema/ fail for API clients and schemathesis.
"""

from __future__ import annotations

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_schema_generates_without_errors_or_warnings(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in (dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache))
        # Enum component names that collide are resolved with a hash suffix: a cosmetic
        # naming matter for generated clients, not a wrong schema.
        if "enum naming encountered" not in message
    ]
    assert not problems, "\n".join(problems)
    assert "/api/territory/areas/" in schema["paths"]
    assert "/api/work-orders/" in "".join(schema["paths"])


def test_schema_endpoint_serves_openapi(client_for):
    response = client_for("system_admin").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
