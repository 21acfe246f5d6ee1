# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy \
    LIANXIN_ENV=production LIANXIN_VAR_DIR=/app/var
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz0b libharfbuzz-subset0 postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
ENV PATH="/app/.venv/bin:$PATH"
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# collectstatic needs settings that import; these placeholders never reach runtime.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
      python manage.py collectstatic --noinput -v0 \
 && SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
      python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0 \
 && useradd --system --home /app lianxin && mkdir -p /app/var /app/media && chown -R lianxin /app/var /app/media
USER lianxin
EXPOSE 8000
CMD ["gunicorn", "congress_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--preload", "--access-logfile", "-"]
