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
    ("request start: arrival stamp, routing (and ASP.NET Core's authentication middleware, where it runs)",
     r"AuthenticationMiddleware\+<Invoke>d__\d+::MoveNext|Microsoft\.AspNetCore\.Routing\.EndpointRoutingMiddleware::Invoke"),
    ("gateway middleware: status details, client authentication (with the rate limit, where it is a step of it)",
     r"FrameworkStatusMiddleware\+<>c__DisplayClass\d+_0::<UseFrameworkStatusDetails>b__\d+\(|ClientAuthentication\+<>c__DisplayClass\d+_0::<UseClientAuthentication>|ClientAuthentication\+<>c::<UseClientAuthentication>"),
    ("gRPC dispatch: ASP.NET Core's rate limiter where it runs, the endpoint, the call's context",
     r"RateLimitingMiddleware\+<InvokeInternal>d__\d+::MoveNext|Microsoft\.AspNetCore\.Routing\.EndpointMiddleware::Invoke"),
    ("gRPC handler: request parsed, response serialised and written",
     r"UnaryServerCallHandler`3\+<HandleCallAsyncCore>d__\d+\[.*::MoveNext"),
    ("around the method: desk-call count, access control, journal admission and line, failures (interceptors, or the guard)",
     r"ProviderGateway\.FrontDesk\.DeskCallMetricsInterceptor::UnaryServerHandler|ProviderGateway\.FrontDesk\.FrontDeskCallGuard::Run"),
    ("front-desk service: validation, desk context, district check, answer",
     r"FrontDeskGrpcService\+<GetUtilityAccountBalance(Core)?>d__\d+::MoveNext"),
    ("pipeline: routing, cache step (the balance)", r"ProviderCallPipeline\+<CallOneAsync>d__\d+`2\[.*::MoveNext"),
]
PARTS = [
    ("district check (the account's listing, from the cache)", r"DistrictGuard\+<EnsureAccountVisibleAsync>d__\d+::MoveNext"),
    ("the journal's record on the call (subject HMAC, sources)", r"ProviderGateway\.Security\.AccessJournaling::(Record|Answered)\("),
    ("cache keys (HMAC-SHA256), every read", r"ProviderGateway\.Caching\.CacheKeys::ForRead"),
    ("FusionCache, every read", r"ZiggyCreatures\.Caching\.Fusion\.FusionCache::(GetOrSetAsync|TryGetAsync|TryGet)\(|FusionCache\+<(GetOrSetAsync|TryGetAsync)>d__\d+`1\[System.__Canon\]::MoveNext"),
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
    # A stage whose frame this profile does not hold (inlined, or not reached) is left out: its work is in the stage above.
    found = [(PATH[0][0], 100.0)] + [(name, value) for name, value in ((n, inclusive(rows, p)) for n, p in PATH[1:]) if value > 0]
    for i, (name, value) in enumerate(found):
        own = value - (found[i + 1][1] if i + 1 < len(found) else 0)
        print(f"| {name} | {value:.1f}% | {own:.1f}% | {own * per_call / 100:.1f} |")
    for name, pattern in PARTS:
        if pattern.startswith("^lib:"):
            key = pattern[5:]
            share = sum(v for k, v in libs.items() if key in k)
        else:
            share = inclusive(rows, pattern)
        if share >= 0.05:
            print(f"| {name} | {share:.1f}% | | {share * per_call / 100:.1f} |")

main()
