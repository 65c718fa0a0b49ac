"""The progress cache's figures: a cold and a warm progress API request and dashboard.

    python bench/progress_cache.py postgres://postgres@127.0.0.1:5432/itpp_bench_run_1000000 \
        --redis redis://127.0.0.1:6379/1

Uses a bench database that `bench/run.py` built (it generates nothing) and starts gunicorn
as bench/run.py does, with Redis as the shared cache and the progress cache on. Cold: the
first request after the data version is dropped (as after a write). Warm: the median of
the repeats that follow. As the bench's Viewer. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import (
    BENCH_ROLE,
    BENCH_USER,
    SETUP_SNIPPET,
    api,
    django_env,
    gunicorn,
    manage,
    page,
    timed,
)

VERSION_KEY = "itpp:1:progress:version"  # KEY_PREFIX, cache version, progress.cache's key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--colds", type=int, default=3)
    args = parser.parse_args()

    env = django_env(args.database_url, secrets.token_urlsafe(50))
    env.update(REDIS_URL=args.redis, PROGRESS_CACHE_SECONDS="600")
    snippet = SETUP_SNIPPET.replace("{user}", BENCH_USER).replace("{role}", BENCH_ROLE)
    setup = json.loads(manage(env, "shell", "-c", snippet).strip().splitlines()[-1])
    token = manage(env, "create_api_token", BENCH_USER).strip().splitlines()[-1].strip()
    programme = setup["programme"]
    shared = redis.Redis.from_url(args.redis)
    figures: dict[str, dict[str, float]] = {}
    with gunicorn(env) as (port, _):
        calls = {
            "progress API": api(port, token, f"/api/v1/progress/?programme={programme}"),
            "progress API, year 2025": api(
                port, token, f"/api/v1/progress/?programme={programme}&year=2025"
            ),
            "dashboard": page(port, setup["session"], f"/?programme={programme}"),
        }
        for call in calls.values():  # connections, imports, the workers' first request
            call()
        # What any API request costs here (token, throttles, one small table), for scale.
        reference = api(port, token, f"/api/v1/programmes/{programme}/")
        reference()
        figures["reference: GET /api/v1/programmes/<id>/"] = {
            "warm_ms": round(statistics.median(timed(reference) for _ in range(args.repeats)), 1)
        }
        print(figures, flush=True)
        for name, call in calls.items():
            colds = []
            for _ in range(args.colds):
                shared.delete(VERSION_KEY)  # as a write would: every entry stale
                colds.append(timed(call))
                call()  # the other worker's first warm request fills nothing new
            warms = [timed(call) for _ in range(args.repeats)]
            figures[name] = {
                "cold_ms": round(statistics.median(colds), 1),
                "warm_ms": round(statistics.median(warms), 1),
                "warm_p95_ms": round(sorted(warms)[int(len(warms) * 0.95) - 1], 1),
            }
            print(name, figures[name], flush=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
