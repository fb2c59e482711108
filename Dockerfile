# Kurul: slim image, non-root, data on a volume, catalogs compiled at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_DB_PATH=/data/kurul.db

WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY locales ./locales
RUN pip install . \
    && pybabel compile --domain=bot --directory=locales --use-fuzzy \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin kurul \
    && mkdir -p /data \
    && chown kurul /data

USER kurul
VOLUME ["/data"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
