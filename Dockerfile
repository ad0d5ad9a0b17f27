# Build: docker build -t folio .
# Run:   docker run -p 8080:8080 folio
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY benches benches
RUN cargo build --release --locked --bin folio

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home /srv/folio folio \
    && mkdir -p /srv/folio/index && chown folio /srv/folio/index
COPY --from=build /src/target/release/folio /usr/local/bin/folio
COPY content /srv/folio/content
WORKDIR /srv/folio
USER folio
# The index is derived from content: build it into the image so replicas start at once.
RUN folio index
ENV FOLIO_ADDR=0.0.0.0:8080 FOLIO_WATCH=off
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
CMD ["folio", "serve", "--read-only"]
