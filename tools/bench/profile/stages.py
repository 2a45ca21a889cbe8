#!/usr/bin/env python3
"""Per-stage CPU table of a gateway profile: reads `perf report --children` output (symbol, inclusive and self %) and
prints, for each stage of the call path, its share of the gateway's CPU and the microseconds per call that share is of
the measured CPU per call. Stages are frames of the call path, outermost first; a stage's inclusive figure holds the
stages under it, so the table also gives each stage's own part (inclusive less the next stage's).

usage: stages.py <children.txt> <gateway CPU us per call>
"""
import re
import sys

# (stage, regex on the symbol), outermost first along one call's synchronous path; then parts found anywhere.
PATH = [
    ("Kestrel, HTTP/2, thread pool, GC, kernel (what no stage below holds)", None),
    ("ASP.NET Core middleware: authentication feature, routing", r"AuthenticationMiddleware\+<Invoke>d__\d+::MoveNext"),
    ("gateway middleware: status details, client authentication, rate limit", r"FrameworkStatusMiddleware\+<>c__DisplayClass\d+_0::<UseFrameworkStatusDetails>b__\d+\(|ProviderGateway\.Security\.ClientAuthentication\+<>c__DisplayClass\d+_0::<UseClientAuthentication>|ClientAuthentication\+<>c::<UseClientAuthentication>"),
    ("gRPC dispatch: endpoint, message read, handler", r"RateLimitingMiddleware\+<InvokeInternal>d__\d+::MoveNext|Microsoft\.AspNetCore\.Routing\.EndpointMiddleware::Invoke"),
    ("gRPC handler: request parsed, response serialised and written", r"UnaryServerCallHandler`3\+<HandleCallAsyncCore>d__\d+\[.*::MoveNext"),
    ("interceptors: desk-call metric, failures, access control", r"ProviderGateway\.FrontDesk\.DeskCallMetricsInterceptor::UnaryServerHandler|ProviderGateway\.FrontDesk\.FrontDeskCallInterceptor::UnaryServerHandler"),
    ("journal on the call (admission, record, subject hash)", r"AccessJournaling\+<JournaledAsync>d__\d+`2\[.*::MoveNext"),
    ("front-desk service: validation, desk context, answer", r"FrontDeskGrpcService\+<GetUtilityAccountBalance>d__\d+::MoveNext"),
    ("pipeline: routing, deadline scope, district check", r"ProviderCallPipeline\+<CallOneAsync>d__\d+`2\[.*::MoveNext"),
]
PARTS = [
    ("district check (the account's listing, from the cache)", r"DistrictGuard\+<EnsureAccountVisibleAsync>d__\d+::MoveNext"),
    ("cache step (key, lookup, freshness)", r"ProviderAnswerCache\+<GetAsync>d__\d+`2\[.*::MoveNext"),
    ("  of which the cache key (HMAC-SHA256)", r"ProviderGateway\.Caching\.CacheKeys::ForRead"),
    ("  of which FusionCache", r"ZiggyCreatures\.Caching\.Fusion\.FusionCache::(GetOrSetAsync|TryGetAsync)\(|FusionCache\+<(GetOrSetAsync|TryGetAsync)>d__\d+`1\[System.__Canon\]::MoveNext"),
    ("provider call (resilience, gRPC client, HTTP/2 client)", r"ProviderInvoker\+<InvokeAsync>d__\d+`2\[.*::MoveNext"),
    ("  of which Polly", r"ProviderResilience\+<ExecuteAsync>d__\d+`1\[.*::MoveNext"),
    ("  of which Grpc.Net.Client's call", r"Grpc\.Net\.Client\.Internal\.GrpcCall`2\+<RunCall>d__\d+\[.*::MoveNext"),
    ("request validation", r"FrontDeskRequestValidator::Validate"),
    ("response serialisation", r"FrontDeskService::__Helper_SerializeMessage"),
    ("metrics (OpenTelemetry aggregation)", r"OpenTelemetry\.Metrics\.AggregatorStore::Update"),
    ("journal writer thread (JSON line, chain HMAC, file, checkpoints)", r"ProviderGateway\.Audit\.AccessJournal\+<ExecuteAsync>d__\d+::MoveNext"),
    ("OpenSSL (every HMAC, hash and cipher)", r"^lib:libcrypto"),
    ("kernel", r"^lib:kernel"),
    ("GC and runtime (libcoreclr)", r"^lib:libcoreclr"),
]

def read(path):
    rows = []
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"\s*([0-9.]+)%\s+([0-9.]+)%\s+(?:\S+\s+)?(\[[.k]\])\s+(.*)$", line)
        if m:
            rows.append((float(m.group(1)), float(m.group(2)), m.group(3), m.group(4).strip()))
    return rows

def inclusive(rows, pattern):
    # Several symbols may match one stage (a lambda and the state machine it starts, two alternatives): they are nested
    # or alternatives along one path, so the stage is the largest of them.
    rx = re.compile(pattern)
    return max((r[0] for r in rows if rx.search(r[3])), default=0.0)

def main():
    children, per_call = sys.argv[1], float(sys.argv[2])
    rows = read(children)
    libs = {}
    if len(sys.argv) > 3:
        for line in open(sys.argv[3], encoding="utf-8"):
            m = re.match(r"\s*([0-9.]+)%\s+(.*)$", line)
            if m:
                libs[m.group(2).strip()] = float(m.group(1))
    print("| stage | share of gateway CPU (inclusive) | own part | µs per call (own) |")
    print("|---|---|---|---|")
    values = [100.0] + [inclusive(rows, p) for _, p in PATH[1:]]
    for i, (name, _) in enumerate(PATH):
        own = values[i] - (values[i + 1] if i + 1 < len(values) else 0)
        print(f"| {name} | {values[i]:.1f}% | {own:.1f}% | {own * per_call / 100:.1f} |")
    for name, pattern in PARTS:
        if pattern.startswith("^lib:"):
            key = pattern[5:]
            share = sum(v for k, v in libs.items() if key in k)
        else:
            share = inclusive(rows, pattern)
        if share > 0:
            print(f"| {name} | {share:.1f}% | | {share * per_call / 100:.1f} |")

main()
