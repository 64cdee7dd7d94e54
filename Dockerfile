# Stackbot: a small runtime image running `stackbot serve` as a non-root user, the guides baked in
# at /opt/stackbot/knowledge, the question log on the volume /var/lib/stackbot.
#   docker build -t stackbot .
#   podman build --format docker -t stackbot .   (podman's default OCI format drops HEALTHCHECK)
#   docker run -e DISCORD_TOKEN=… -v stackbot-data:/var/lib/stackbot stackbot
# .ci/image-contract runs the release binary exactly as this image does (same environment and
# paths, a non-root user); keep the two in step. .ci/container-smoke builds this file with podman
# and smoke-tests the image.

# Dependencies are cooked from a recipe (cargo-chef), so a source change does not rebuild them.
FROM rust:1.95-slim-trixie AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
# No debug info in the image's binary: the release profile's line tables are most of its size
# (153 MB against about 30 MB). Symbols stay, so a panic backtrace (RUST_BACKTRACE=1) still names
# the functions. Set before the cook so dependencies and binary are built with one profile.
ENV CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=debuginfo
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin stackbot
COPY . .
RUN cargo build --release --locked --bin stackbot

FROM debian:trixie-slim AS runtime
# ca-certificates: TLS to Discord. Versions follow the Debian release the image is built on.
# The user and its group are both 10001. The data folder is made with that owner and nothing in
# it (no home-directory skeleton), so a new volume starts empty.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 stackbot \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/stackbot \
        --shell /usr/sbin/nologin stackbot \
    && install -d -o 10001 -g 10001 -m 755 /var/lib/stackbot
COPY --from=builder /app/target/release/stackbot /usr/local/bin/stackbot
COPY knowledge /opt/stackbot/knowledge
ENV STACKBOT_KNOWLEDGE=/opt/stackbot/knowledge \
    STACKBOT_DATABASE=/var/lib/stackbot/stackbot.db \
    STACKBOT_METRICS_ADDR=0.0.0.0:9100 \
    RUST_LOG=info
VOLUME ["/var/lib/stackbot"]
# /metrics and /healthz: reachable only where the port is published.
EXPOSE 9100
USER 10001:10001
WORKDIR /var/lib/stackbot
STOPSIGNAL SIGTERM
# The binary asks its own /healthz (the image has no curl): ready = index, log and gateway.
# `stackbot health` gives up after 5 s itself; the timeout leaves room for its start.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/stackbot", "health"]
ENTRYPOINT ["/usr/local/bin/stackbot"]
CMD ["serve"]
