# Attend: build a release binary with the Swift toolchain, fetch MiniLM, run on a slim Debian with OpenBLAS.
# The build steps live in scripts/docker-build-steps, which CI also runs without Docker.
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# hadolint ignore=DL3008
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends \
        libopenblas-dev libssl-dev zlib1g-dev pkg-config python3 python3-pip \
    && rm -rf /var/lib/apt/lists/*
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY config ./config
COPY scripts ./scripts
ENV OUT=/out
RUN scripts/docker-build-steps build model

FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends libopenblas0 libssl3 zlib1g ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin attend
COPY --from=build /out/attend /usr/local/bin/attend
COPY --from=build /out/models /opt/attend/models
COPY config/docker.json /etc/attend/config.json
ENV ATTEND_CONFIG=/etc/attend/config.json \
    HOST=0.0.0.0 \
    PORT=8080 \
    ATTEND_LOG_FORMAT=json
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/attend"]
CMD ["serve"]
