# ProviderGateway's container image (deploy/kubernetes/README.md, "The image").
#   docker build -t providergateway:1.0.0 .
#   docker run --read-only --tmpfs /tmp -v providergateway-data:/var/lib/providergateway \
#     -p 127.0.0.1:5080-5082:5080-5082 providergateway:1.0.0
# Without configuration that is the embedded default (demo providers, the development API key): configure it with
# environment variables (Gateway__...), as deploy/kubernetes/configmap.yaml does.

# Build: the same publish as tools/publish.sh (Release, linux-x64, framework-dependent, ReadyToRun). Only the .NET SDK
# is needed: the front-desk console (src/ProviderGateway.Desk, Blazor WebAssembly) is built by it too, without npm.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# What the gateway's projects read: the SDK pin, the shared build properties, the central package versions, the
# contracts (linked from protos/ by src/ProviderGateway.Contracts) and the projects themselves.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY src/ src/
RUN dotnet publish src/ProviderGateway/ProviderGateway.csproj -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o /app -nologo

# Run: ASP.NET Core's runtime image, as its non-root user `app` (UID 1654, $APP_UID), on a read-only root file system.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The volume: the access journal, its anchor and rotated files and, in the embedded default, its keys and the SQLite
# files beside it. Made before VOLUME (changes after it are discarded) and owned by the app user, so a new named
# volume starts with that owner. Nothing else is written: /tmp (the runtime's diagnostics socket, SQLite's temporary
# files) should be a tmpfs or emptyDir; without one the gateway still runs, without `dotnet-trace` and the like.
RUN mkdir -p /var/lib/providergateway && chown "$APP_UID:$APP_UID" /var/lib/providergateway
VOLUME ["/var/lib/providergateway"]
# The three endpoints on every interface of the container (README "Configuration"): gRPC (HTTP/2 cleartext, h2c),
# HTTP/1.1 (JSON, gRPC-Web and the /desk/ console), management (/healthz /readyz /health /metrics: publish it only
# where operators and monitoring reach it). The image's default ASPNETCORE_HTTP_PORTS=8080 is cleared: the endpoints
# above replace it, and Kestrel would warn that it overrides it. ASP.NET Core's data protection (registered with the
# client-certificate authentication; the gateway protects nothing with it) finds no writable home and keeps its keys in
# memory: its three start-up warnings about that are silenced, its errors are not.
ENV Kestrel__Endpoints__Grpc__Url=http://0.0.0.0:5080 \
    Kestrel__Endpoints__Grpc__Protocols=Http2 \
    Kestrel__Endpoints__Http__Url=http://0.0.0.0:5081 \
    Kestrel__Endpoints__Http__Protocols=Http1 \
    Kestrel__Endpoints__Management__Url=http://0.0.0.0:5082 \
    Kestrel__Endpoints__Management__Protocols=Http1 \
    ASPNETCORE_HTTP_PORTS="" \
    Gateway__Security__Journal__Path=/var/lib/providergateway/journal.jsonl \
    Logging__LogLevel__Microsoft.AspNetCore.DataProtection=Error
EXPOSE 5080 5081 5082
USER $APP_UID
# On SIGTERM the gateway reports not ready, keeps serving for Gateway:Shutdown:NotReadyDelay, drains its calls for up
# to Gateway:Shutdown:DrainTimeout, checkpoints the journal and exits 0: give `docker stop` that long (-t).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "ProviderGateway.dll"]
