# nnplay for a class: one container; saved models live on the /data volume.
#   docker build -t nnplay .
#   docker run -p 8000:8000 -v nnplay-data:/data nnplay
# With Ray, for runs on a Ray cluster (NNPLAY_ENGINE; README, "A school or district
# on several machines"):
#   docker build --build-arg NNPLAY_EXTRAS=cluster -t nnplay-cluster .

# build: the nnplay wheel (the package, its pages and their files)
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY engine ./engine
COPY static ./static
COPY templates ./templates
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# run: the wheel installed, a user without privileges, the data folder a volume
FROM python:3.11-slim
# the package's optional extras to install with it, e.g. "cluster" (Ray); none by default
ARG NNPLAY_EXTRAS=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NNPLAY_HOST=0.0.0.0 \
    NNPLAY_PORT=8000 \
    NNPLAY_DATA_DIR=/data
COPY --from=build /wheels /wheels
# the one wheel, with [NNPLAY_EXTRAS] after its path when some are asked for
RUN set -- /wheels/*.whl \
    && pip install --no-cache-dir "/wheels/${1##*/}${NNPLAY_EXTRAS:+[$NNPLAY_EXTRAS]}" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home nnplay \
    && mkdir -p /data \
    && chown 10001 /data
WORKDIR /srv
USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['NNPLAY_PORT'] + '/healthz', timeout=4)"]
CMD ["nnplay", "serve"]
