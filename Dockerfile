# syntax=docker/dockerfile:1.7
# One Dockerfile, one image per service:  docker build --build-arg SERVICE=orders -t lastmile-orders .
# Why per service rather than one image with a command per service: the planner's OR-Tools and
# NumPy (~150 MB) stay out of the other three, each image holds only its own service's code (and
# so cannot import another's), and each service rolls out and is scanned on its own. All four are
# built from the same uv.lock, so one tag means the same event contracts everywhere.
ARG PYTHON_IMAGE=python:3.12.8-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# ---- build: resolve from the lockfile into /app/.venv (no dev tools, no other services) ----
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || (echo "--build-arg SERVICE=orders|planner|tracking|notifier" >&2; exit 1)
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# The workspace's manifests first, so dependency layers are cached until uv.lock changes.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/
COPY services/orders/pyproject.toml services/orders/
COPY services/planner/pyproject.toml services/planner/
COPY services/tracking/pyproject.toml services/tracking/
COPY services/notifier/pyproject.toml services/notifier/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "lastmile-${SERVICE}"
# Then the code: the shared library and this one service, installed as wheels (not editable).
COPY libs/common libs/common
COPY services/${SERVICE} services/${SERVICE}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "lastmile-${SERVICE}"
# The planner's compiled search, compiled ahead into the venv (a worker seeds its writable numba
# cache from it instead of compiling for a minute at start; planner/domain/compiled_cache.py).
RUN if [ "${SERVICE}" = planner ]; then \
      PLANNER_NUMBA_CACHE_DIR=/app/.venv/numba-cache /app/.venv/bin/python -c \
        "from planner.domain.ruin_recreate import warm_up; warm_up()"; \
    fi

# ---- runtime: the interpreter and the virtualenv, nothing else ----
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="lastmile-${SERVICE}"
RUN groupadd --system --gid 10001 lastmile \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin lastmile
# Owned by root and read-only for the service user: the pod runs with a read-only root filesystem.
COPY --from=build --chown=root:root /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    PLANNER_NUMBA_PREBUILT=/app/.venv/numba-cache \
    PLANNER_NUMBA_CACHE_DIR=/tmp/numba-cache \
    LASTMILE_SERVICE=${SERVICE}
WORKDIR /tmp
USER 10001:10001
EXPOSE 8001 8002 8003 8004
# `python -m <service>` serves; `python -m <service> migrate` applies the schema's migrations.
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"$LASTMILE_SERVICE\" \"$@\"", "--"]
CMD ["serve"]
