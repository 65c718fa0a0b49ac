"""There is no Docker engine on the CI machines, so the compose file's structure is
checked here: it must start the database, migrate once, then serve behind a healthcheck."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_database_is_postgresql_16_with_volume_and_healthcheck():
    db = load_compose()["services"]["db"]
    assert db["image"] == "postgres:16"
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata" in load_compose()["volumes"]


def test_migrations_run_once_after_the_database_is_healthy():
    migrate = load_compose()["services"]["migrate"]
    assert migrate["command"][-2:] == ["migrate", "--noinput"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"


def test_web_starts_after_healthy_database_and_successful_migrations():
    services = load_compose()["services"]
    web = services["web"]
    assert web["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert web["image"] == services["migrate"]["image"]
    assert "/healthz/" in " ".join(web["healthcheck"]["test"])
    assert web["env_file"] == ".env"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")


def test_image_serves_with_gunicorn_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "itpp.wsgi"]' in dockerfile
    assert (ROOT / "gunicorn.conf.py").is_file()
    assert "collectstatic" in dockerfile


def test_env_example_names_every_required_variable():
    example = (ROOT / ".env.example").read_text()
    for name in ["DJANGO_SECRET_KEY=", "DJANGO_ALLOWED_HOSTS=", "POSTGRES_PASSWORD="]:
        assert name in example
    # No value is filled in for secrets: each operator makes their own.
    assert "DJANGO_SECRET_KEY=\n" in example and "POSTGRES_PASSWORD=\n" in example
