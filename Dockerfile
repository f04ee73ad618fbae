# syntax=docker/dockerfile:1
#
# Charter: a static, CGO-free binary in a distroless image.
#
#   docker build --build-arg VERSION=v0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) -t charter .
#   docker run -p 8081:8081 -v charter-data:/data charter
#
# CI has no Docker engine; .ci/run builds the same binary with the same go
# build command to keep this file's Go half honest.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so the module download is cached across source edits.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/charter ./cmd/charter \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/charter /charter
# SQLite lives on a volume. /data is created owned by nonroot (65532) so a
# named volume, initialised from the image, is writable; a bind-mounted host
# directory must be writable by uid 65532 too.
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot
VOLUME /data
ENV CHARTER_STORE=sqlite:///data/charter.db \
    CHARTER_ADDR=:8081
EXPOSE 8081
# distroless has no shell or curl, so the image declares no HEALTHCHECK;
# orchestrators should probe GET / (answers {}) over HTTP.
ENTRYPOINT ["/charter"]
CMD ["serve"]
