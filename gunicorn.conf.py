"""gunicorn settings, read from the working directory by every `gunicorn` started here
(the Docker image, `make serve`, the benchmark)."""

import ipaddress
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads keep a worker's heartbeat going while one of them streams a long CSV export;
# a sync worker would be killed by the timeout half-way through a large export.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
# Gunicorn's default format, but with the path instead of the whole request line: query
# strings carry secrets (the calendar feed's token, docs/calendar.md), and a log is read
# by more people than the data. No referrer either, for the same reason. %(p)s is the
# worker's pid, which says which worker of several answered.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(p)s'

# The network edge, the same rule as in itpp/settings.py (docs/security.md): with
# DJANGO_PROXY_COUNT=0 (the default) nobody may tell gunicorn the scheme with
# X-Forwarded-Proto; with N > 0, only the proxies at DJANGO_TRUSTED_PROXY_IPS
# (comma-separated addresses or networks) may.
_proxy_count = int(os.environ.get("DJANGO_PROXY_COUNT", "0") or "0")
forwarded_allow_ips = (
    os.environ.get("DJANGO_TRUSTED_PROXY_IPS", "127.0.0.1,::1") if _proxy_count > 0 else ""
)

# Forwarded headers from anyone but those proxies are dropped before the app sees them, so
# that a client reaching gunicorn directly can tell neither gunicorn nor the app (DRF's
# throttles, django-axes, SECURE_PROXY_SSL_HEADER) a false address or scheme.
_FORWARDED_HEADERS = {
    "FORWARDED",
    "X-FORWARDED-FOR",
    "X-FORWARDED-HOST",
    "X-FORWARDED-PORT",
    "X-FORWARDED-PROTO",
    "X-FORWARDED-PROTOCOL",
    "X-FORWARDED-SSL",
    "X-REAL-IP",
}
_trusted_proxies = [
    ipaddress.ip_network(address.strip())
    for address in forwarded_allow_ips.split(",")
    if address.strip() and address.strip() != "*"
]
_trust_everyone = "*" in [address.strip() for address in forwarded_allow_ips.split(",")]


def _from_trusted_proxy(peer) -> bool:
    if not isinstance(peer, tuple):
        return True  # a UNIX socket, which only the local proxy can reach (as gunicorn holds)
    if _trust_everyone:
        return True
    try:
        address = ipaddress.ip_address(peer[0])
    except ValueError:
        return False
    # Bound to [::], an IPv4 proxy connects as ::ffff:a.b.c.d.
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in _trusted_proxies)


def pre_request(worker, req) -> None:
    worker.log.debug("%s %s", req.method, req.path)  # what gunicorn's own hook does
    if not _from_trusted_proxy(req.peer_addr):
        req.headers = [
            (name, value) for name, value in req.headers if name.upper() not in _FORWARDED_HEADERS
        ]
