# One image for all four services (the default, last stage); docker-compose.yml and deploy/ choose the service by its command.
# Swagger UI's assets from npm (package-lock.json), served by the services at /docs (no CDN).
FROM node:20-slim AS npm
WORKDIR /npm
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.9 && useradd --system --uid 10001 nir
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
COPY --from=npm /npm/node_modules/swagger-ui-dist ./node_modules/swagger-ui-dist
# Designsystemet's CSS and theme, served by the web application at /designsystemet
COPY --from=npm /npm/node_modules/@digdir ./node_modules/@digdir
RUN uv sync --frozen --no-dev
USER nir
ENV HTTP_HOST=0.0.0.0
# Overridden per service: python -m services.<name>
CMD ["python", "-m", "services.registrering"]

# Development and test doubles (simulators/): their own image, never in the production one above.
# docker build --target simulators .
FROM base AS simulators
USER root
COPY simulators ./simulators
USER nir
CMD ["python", "-m", "simulators.folkeregister", "--host", "0.0.0.0", "--port", "8090"]

# The production image (the default target): the services only.
FROM base AS services
