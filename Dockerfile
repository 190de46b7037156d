# eulod serve in a container: a non-root user, behind a reverse proxy (docs/deployment.md).
#
#   docker build -t eulod --build-arg EULOD_BASE_IRI=https://data.example.org/ .
#   docker run --rm -p 127.0.0.1:8080:8080 eulod
#
# The first stage builds eulod's wheel from this source tree (the SPARQL editor is installed from
# the npm registry there, and the git commit recorded); the second installs only the wheel. The
# image serves the sample records, built at image build time; to serve your own build, mount its
# folder over /srv/eulod/build (built with the same base IRI).

FROM python:3.12-slim AS wheel
RUN apt-get update \
 && apt-get install -y --no-install-recommends git nodejs npm \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN python -m pip install --no-cache-dir build \
 && python -m build --wheel --outdir /dist /src

FROM python:3.12-slim
COPY --from=wheel /dist/ /tmp/dist/
RUN python -m pip install --no-cache-dir /tmp/dist/eulod-*.whl \
 && rm -rf /tmp/dist \
 && useradd --system --create-home --home-dir /srv/eulod --uid 10001 eulod

# The public address the proxy serves the data at: every IRI of the build starts with it.
ARG EULOD_BASE_IRI=http://127.0.0.1:8080/
# One proxy in front, appending X-Forwarded-For: admission then counts queries per real client.
ENV EULOD_BASE_IRI=${EULOD_BASE_IRI} \
    EULOD_HOST=0.0.0.0 \
    EULOD_PORT=8080 \
    EULOD_PROXY_HOPS=1 \
    EULOD_BUILD_DIR=/srv/eulod/build

USER eulod
WORKDIR /srv/eulod
RUN eulod build --sample --quiet

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/sparql?query=ASK%7B%7D', timeout=4)"]
CMD ["eulod", "serve"]
