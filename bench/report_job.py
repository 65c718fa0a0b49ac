"""Time a report job's work on a bench database: what `reports.tasks.make_report_file` does
(build the report with the requester's visibility, then its PDF or workbook), minus the
job row's few updates, so it runs on a read-only connection and never writes to the bench
database.

    DATABASE_URL=postgres://…/itpp_bench_run_100000 \
        python bench/report_job.py --format xlsx --query "year=2025" [--user bench-viewer]

Prints one JSON line: seconds to build the report's data and to make the file (written to
a temporary file, as the worker does), the file's size, and the process's peak memory
(after the data, and at the end); with --tracemalloc, also the peak of what Python
allocates while the file is made (slower). A measurement tool, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itpp.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
os.environ.setdefault("DJANGO_DEBUG", "false")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
    parser.add_argument("--query", default="", help="the report's parameters, e.g. year=2025")
    parser.add_argument("--user", default="bench-viewer")
    parser.add_argument("--programme", type=int, default=None)
    parser.add_argument("--tracemalloc", action="store_true", help="trace the file's making")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.http import QueryDict

    from activities.models import Activity
    from goals.models import Programme
    from reports.render import report_for, report_parameters, write_report_file

    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    user = User.objects.get(username=args.user)
    programme = (
        Programme.objects.get(pk=args.programme) if args.programme else Programme.objects.first()
    )
    params = report_parameters(QueryDict(args.query))
    started = time.perf_counter()
    report = report_for(params, user=user, programme=programme)
    built = time.perf_counter()
    rss_after_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if args.tracemalloc:
        tracemalloc.start()
    with tempfile.TemporaryFile() as out:
        write_report_file(report, args.format, out)
        size = out.tell()
    traced = tracemalloc.get_traced_memory()[1] // 2**20 if args.tracemalloc else None
    tracemalloc.stop()
    done = time.perf_counter()
    # Counted after the timing: reading the goals' lists would load every activity.
    activities = report.activities.order_by()
    listed = Activity.goals.through.objects.filter(
        activity__in=activities, partnershipgoal__programme=programme
    ).count()
    print(
        json.dumps(
            {
                "database": connection.settings_dict["NAME"],
                "format": args.format,
                "query": args.query,
                "user": args.user,
                "activities": report.totals["total"],
                "activities_listed": activities.count(),
                "rows_listed": listed,
                "data_seconds": round(built - started, 1),
                "file_seconds": round(done - built, 1),
                "total_seconds": round(done - started, 1),
                "bytes": size,
                "peak_rss_after_data_mb": rss_after_data,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "file_traced_peak_mb": traced,
            }
        )
    )


if __name__ == "__main__":
    main()
