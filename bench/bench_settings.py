"""Production settings plus one bench-only URL: the bare view the delivery API is measured against."""

from workbench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
