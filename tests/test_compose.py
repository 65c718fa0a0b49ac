"""There is no Docker engine on the CI machines, so the compose file's structure is
checked here: it must start the database and Redis, migrate once, then serve any number of
identical web instances behind one TLS-terminating proxy, with a worker and beat, each
service with a healthcheck. (`docker compose config` checks the syntax where Docker is.)"""

import ipaddress
import re
import shutil
import subprocess
from pathlib import Path

import pytest
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
        "redis": {"condition": "service_healthy"},
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


SERVICES = {"proxy", "web", "worker", "beat", "redis", "db"}


def test_the_stack_has_its_services_each_with_a_healthcheck():
    services = load_compose()["services"]
    assert set(services) >= SERVICES
    for name in SERVICES:
        assert services[name]["healthcheck"]["test"], name


def test_web_scales_no_fixed_name_or_host_port():
    """`docker compose up -d --scale web=3` needs web without container_name or ports."""
    web = load_compose()["services"]["web"]
    assert "container_name" not in web
    assert "ports" not in web
    assert web["expose"] == ["8000"]
    # Only the proxy is reachable from outside.
    published = {name for name, s in load_compose()["services"].items() if s.get("ports")}
    assert published == {"proxy"}


def test_every_process_of_the_app_shares_the_database_redis_and_proxy_settings():
    services = load_compose()["services"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = load_compose()["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["image"] == services["web"]["image"] == "itpp-tracker:latest"
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        # One proxy in front, believed only from its own address.
        assert environment["DJANGO_PROXY_COUNT"] == "1"
        assert environment["DJANGO_TRUSTED_PROXY_IPS"] == proxy_address


def test_the_worker_and_beat_run_celery_and_beat_is_not_scaled():
    services = load_compose()["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "itpp", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "itpp", "beat"]
    assert "ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "deploy" not in services["beat"]  # no replicas: two beats would send twice


def test_the_proxy_terminates_tls_and_balances_over_every_web_instance():
    proxy = load_compose()["services"]["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert {p.split(":")[-1] for p in proxy["ports"]} == {"80", "443"}
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    # Dynamic upstreams: every address `web` resolves to, so scaling needs no edit.
    assert re.search(r"dynamic a \{\s*name web\s*port 8000", caddyfile)
    assert re.search(r"^\{\$ITPP_HOST:localhost\} \{\s*tls ", caddyfile, re.MULTILINE)
    assert "/healthz/" in " ".join(proxy["healthcheck"]["test"])


def test_redis_keeps_its_queues_and_evicts_only_what_expires():
    redis = load_compose()["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "volatile-lru"
    assert any(v.startswith("redisdata:") for v in redis["volumes"])


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_accepts_the_file(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    # A copy beside an .env of its own: the services read .env, which is never committed.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("DJANGO_SECRET_KEY=x\nPOSTGRES_PASSWORD=x\n")
    result = subprocess.run(
        [*command, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_web_and_worker_share_the_files_volume():
    """A report the worker writes is downloaded through whichever instance is picked."""
    services = load_compose()["services"]
    for name in ("web", "worker"):
        assert "media:/app/media" in services[name]["volumes"]
        assert services[name]["environment"]["DJANGO_MEDIA_ROOT"] == "/app/media"
    assert "media" in load_compose()["volumes"]
