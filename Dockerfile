# The one image of web, worker, beat and init (docker-compose.yml); each runs a `make` target.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHON=python3.11
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md Makefile Procfile manage.py ./
COPY wuzhong_tracker wuzhong_tracker
COPY targets targets
COPY progress progress
COPY templates templates
# The project without its test tools.
RUN make install EXTRAS=
# The admin's CSS and scripts, served by gunicorn through WhiteNoise.
RUN DEBUG=true .venv/bin/python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --home-dir /app --shell /usr/sbin/nologin wuzhong \
    && mkdir -p var/media var/static \
    && chown -R wuzhong:wuzhong var
USER wuzhong

EXPOSE 8000
CMD ["make", "web"]
