"""The table of the database cache (settings.CACHES without REDIS_URL), made by `migrate`.

Made whatever the cache is configured to now, so that a site can drop REDIS_URL later (or
the quick start, which never sets it) without a separate `createcachetable` step.
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor) -> None:
    command = CreateCacheTable()
    command.verbosity = 0
    # Does nothing when the table is already there (made by hand with createcachetable).
    command.create_table(schema_editor.connection.alias, settings.CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor) -> None:
    table = schema_editor.connection.ops.quote_name(settings.CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
