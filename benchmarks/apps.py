from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark's data generator (`manage.py generate_scale_data`); no models."""

    name = "benchmarks"
    verbose_name = "基准测试"
