#!/usr/bin/env python3
"""Several ProviderGateway instances as one gateway, behind nginx, on this machine (README "Running several instances").

  tools/cluster/cluster.py up [--instances 3] [--dir DIR] [--detach] [--no-build]   start everything; Ctrl+C stops it
  tools/cluster/cluster.py restart DIR INDEX          SIGTERM one instance, wait for its drain and exit, start it again
  tools/cluster/cluster.py rolling-restart DIR        restart every instance, one at a time
  tools/cluster/cluster.py verify DIR                 verify every instance's journal (tools/journal/verify-journal.py)
  tools/cluster/cluster.py down DIR                   stop everything (SIGTERM, then SIGKILL after 40 s)

What `up` starts, all on 127.0.0.1 (free ports, written to DIR/cluster.json):
  - redis-server: the shared cache (L2 and backplane), the shared rate limits, the journal anchors;
  - PostgreSQL (Debian's postgresql, run as the postgres user when started as root): the submissions and the access
    history index of every instance (without PostgreSQL each instance keeps its own SQLite files, and says so);
  - the nine demo providers in one process of their own (ProviderGateway.DemoProviders.Standalone --all), shared;
  - N gateway instances, each with its own journal chain (DIR/gwN/journal.jsonl, Journal:InstanceId gwN), the same
    keys (cache, page tokens, journal, submissions) and two clients: `office` (no practical limit) and `limited-office`
    (--limited-rate calls a second, burst --limited-burst); the API keys are printed and in cluster.json;
  - nginx: gRPC (h2c) on one port, grpc_pass to every instance's gRPC endpoint, next upstream on connection errors;
    HTTP/1.1 on another, proxy_pass to every instance's HTTP endpoint (JSON, gRPC-Web, the /desk/ console),
    unbuffered both ways (streamed answers pass as they come). Each instance's management port stays its own.
"""
import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION = os.environ.get("PG_CONFIGURATION", "Release")
GATEWAY_DLL = ROOT / f"src/ProviderGateway/bin/{CONFIGURATION}/net10.0/ProviderGateway.dll"
PROVIDERS_DLL = ROOT / f"src/ProviderGateway.DemoProviders.Standalone/bin/{CONFIGURATION}/net10.0/ProviderGateway.DemoProviders.Standalone.dll"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the cluster")
    up.add_argument("--instances", type=int, default=3)
    up.add_argument("--dir", default=None, help="state folder (default: a new folder under /tmp)")
    up.add_argument("--detach", action="store_true", help="return once everything serves, leaving it running")
    up.add_argument("--no-build", action="store_true", help="use the existing Release build output")
    up.add_argument("--no-postgres", action="store_true", help="SQLite per instance instead of a shared PostgreSQL")
    up.add_argument("--limited-rate", type=int, default=50, help="limited-office's calls per second (default 50)")
    up.add_argument("--limited-burst", type=int, default=50, help="limited-office's burst (default 50)")
    up.add_argument("--not-ready-delay", default="00:00:01", help="Gateway:Shutdown:NotReadyDelay (default 1 s: nginx has no readiness checks)")
    up.add_argument("--provider-deadline", default=None, help="every demo provider's deadline (default: theirs, 2 s)")
    up.add_argument("--gateway-arg", action="append", default=[], metavar="KEY=VALUE",
                    help="more configuration for every instance, e.g. --gateway-arg Logging:LogLevel:Default=Debug (repeatable)")
    up.add_argument("--drain-timeout", default="00:00:30", help="Gateway:Shutdown:DrainTimeout (default 30 s)")
    for name in ("restart", "rolling-restart", "verify", "down"):
        sub = commands.add_parser(name)
        sub.add_argument("dir")
        if name == "restart":
            sub.add_argument("index", type=int)
    args = parser.parse_args()
    if args.command == "up":
        return cmd_up(args)
    state = load(Path(args.dir))
    if args.command == "restart":
        restart(state, args.index)
        return 0
    if args.command == "rolling-restart":
        for instance in state["instances"]:
            restart(state, instance["index"])
        return 0
    if args.command == "verify":
        return verify(state)
    down(state)
    return 0


# ---------------------------------------------------------------------------------------------------------------- up

def cmd_up(args):
    if args.instances < 1:
        sys.exit("cluster: --instances must be at least 1")
    for program in ("nginx", "redis-server", "openssl", "dotnet"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            sys.exit(f"cluster: {program} is required (tools/setup.sh installs it)")
    if args.dir:
        folder = Path(args.dir)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="providergateway-cluster-"))   # 0700, a name nobody could take first
    folder = folder.resolve()
    if not args.no_build:
        run(["dotnet", "build", str(ROOT / "src/ProviderGateway.DemoProviders.Standalone"), "-c", CONFIGURATION, "-v", "q", "-nologo"])
        run(["dotnet", "build", str(ROOT / "src/ProviderGateway"), "-c", CONFIGURATION, "-v", "q", "-nologo"])
    state = {"dir": str(folder), "instances": [], "processes": {}}
    save(state)
    # SIGTERM (a CI job cancelled, a test's deadline) stops what was started, as Ctrl+C does.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        start_everything(state, args)
    except BaseException:
        down(state)
        raise
    print_summary(state)
    if args.detach:
        return 0
    print("Ctrl+C stops the cluster.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    down(state)
    return 0


def interrupted(*_):
    raise KeyboardInterrupt


def start_everything(state, args):
    folder = Path(state["dir"])
    keys = make_keys(folder)
    state["keys"] = keys

    redis_port = free_port()
    state["redis"] = {"port": redis_port}
    state["processes"]["redis"] = spawn(folder, "redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                                                          "--save", "", "--appendonly", "no", "--protected-mode", "yes"])
    save(state)
    wait_for(lambda: redis_ping(redis_port), "redis-server answers PING", 20)

    pg_bin = postgres_bin()
    if not args.no_postgres and pg_bin is not None:
        state["postgres"] = start_postgres(folder, pg_bin, state)
    else:
        print("cluster: no PostgreSQL (--no-postgres or not installed): each instance keeps its own SQLite submissions", flush=True)
    save(state)

    provider_port = free_port_block(9)
    state["processes"]["providers"] = spawn(folder, "providers", ["dotnet", str(PROVIDERS_DLL), "--all", "--base-port", str(provider_port)])
    save(state)
    wait_for(lambda: "Press Ctrl+C to stop." in read(folder / "providers.log"), "the demo providers serve", 60)
    providers = parse_providers(read(folder / "providers.log"))

    clients = {
        "office": secrets.token_urlsafe(24),
        "limited-office": secrets.token_urlsafe(24),
    }
    state["clients"] = clients
    base = gateway_settings(state, providers, args)
    for index in range(args.instances):
        instance = {
            "index": index,
            "id": f"gw{index}",
            "grpc": free_port(),
            "http": free_port(),
            "management": free_port(),
            "journal": str(folder / f"gw{index}" / "journal.jsonl"),
            "starts": 0,
        }
        instance["arguments"] = base + [
            f"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{instance['grpc']}",
            f"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{instance['http']}",
            f"--Kestrel:Endpoints:Management:Url=http://127.0.0.1:{instance['management']}",
            f"--Gateway:Security:Journal:Path={instance['journal']}",
            f"--Gateway:Security:Journal:InstanceId={instance['id']}",
        ]
        if "postgres" not in state:
            instance["arguments"].append(f"--Gateway:Submissions:SqlitePath={folder / instance['id'] / 'submissions.db'}")
        state["instances"].append(instance)
        start_instance(state, instance)
    start_nginx(state)
    save(state)


def gateway_settings(state, providers, args):
    keys = state["keys"]
    clients = state["clients"]
    values = {
        "Gateway:Caching:Redis": f"127.0.0.1:{state['redis']['port']}",
        "Gateway:Security:Journal:SigningKey": keys["journal_signing_key"],
        "Gateway:Security:SharedRateLimits:Instances": str(args.instances),
        "Gateway:Shutdown:NotReadyDelay": args.not_ready_delay,
        "Gateway:Shutdown:DrainTimeout": args.drain_timeout,
    }
    if "postgres" in state:
        values["Gateway:Submissions:Store"] = "Postgres"
        values["Gateway:Submissions:ConnectionString"] = state["postgres"]["connection_string"]
    else:
        values["Gateway:Submissions:Store"] = "Sqlite"
    for n, (client_id, key) in enumerate(clients.items()):
        prefix = f"Gateway:Security:Clients:{n}"
        values[f"{prefix}:Id"] = client_id
        values[f"{prefix}:ApiKeySha256:0"] = hashlib.sha256(key.encode()).hexdigest()
        values[f"{prefix}:Permissions:0"] = "*"
        values[f"{prefix}:Districts:0"] = "*"
        limited = client_id == "limited-office"
        values[f"{prefix}:RateLimit:CallsPerSecond"] = str(args.limited_rate if limited else 1_000_000)
        values[f"{prefix}:RateLimit:Burst"] = str(args.limited_burst if limited else 1_000_000)
    for n, provider in enumerate(providers):
        prefix = f"Gateway:Providers:{n}"
        if args.provider_deadline:
            provider["deadline"] = args.provider_deadline
        for key, value in provider.items():
            if isinstance(value, list):
                for m, item in enumerate(value):
                    values[f"{prefix}:{key}:{m}"] = str(item)
            elif isinstance(value, dict):
                for sub, item in value.items():
                    values[f"{prefix}:{key}:{sub}"] = str(item)
            elif value is not None:
                values[f"{prefix}:{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    for extra in args.gateway_arg + os.environ.get("PG_CLUSTER_GATEWAY_ARGS", "").split():
        key, _, value = extra.partition("=")
        values[key] = value
    return [f"--{key}={value}" for key, value in values.items()]


def secret_environment(keys):
    """The keys, for the instances' environment (readable by their user only), not their command line (anyone's)."""
    return {
        "Gateway__Caching__KeySecret": keys["cache_key_secret"],
        "Gateway__Caching__EncryptionKey": keys["cache_encryption_key"],
        "Gateway__Security__PageTokens__Key": keys["page_token_key"],
        "Gateway__Security__Journal__SubjectKey": keys["journal_subject_key"],
        "Gateway__Security__Journal__ChainKey": keys["journal_chain_key"],
        "Gateway__Submissions__SealKey": keys["submission_seal_key"],
        "Gateway__Submissions__CitizenKey": keys["submission_citizen_key"],
    }


def make_keys(folder):
    keys_folder = folder / "keys"
    if not (keys_folder / "chain-key.base64").exists():
        run([str(ROOT / "tools/journal/new-journal-keys.sh"), str(keys_folder)], quiet=True)

    def key():
        return base64.b64encode(secrets.token_bytes(32)).decode()

    return {
        "cache_key_secret": key(),
        "cache_encryption_key": key(),
        "page_token_key": key(),
        "journal_subject_key": key(),
        "journal_chain_key": read(keys_folder / "chain-key.base64").strip(),
        "journal_chain_key_file": str(keys_folder / "chain-key.base64"),
        "journal_signing_key": str(keys_folder / "signing-key.pem"),
        "journal_public_key": str(keys_folder / "signing-key.pub.pem"),
        "submission_seal_key": key(),
        "submission_citizen_key": key(),
    }


def postgres_bin():
    root = Path("/usr/lib/postgresql")
    if not root.is_dir():
        return None
    found = sorted((d / "bin" for d in root.iterdir() if (d / "bin" / "initdb").exists()), reverse=True)
    return found[0] if found else None


def start_postgres(folder, pg_bin, state):
    data = folder / "postgres"
    port = free_port()
    as_postgres = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: its folder and process belong to the postgres user.
        as_postgres = ["setpriv", "--reuid", "postgres", "--regid", "postgres", "--init-groups", "--"]
        data.mkdir(exist_ok=True)
        shutil.chown(data, "postgres", "postgres")
        os.chmod(folder, 0o711)   # the postgres user passes through to its own folder; nothing else is readable
    if not (data / "PG_VERSION").exists():
        run(as_postgres + [str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"], quiet=True)
    state["processes"]["postgres"] = spawn(folder, "postgres", as_postgres + [
        str(pg_bin / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data),
        "-c", "listen_addresses=127.0.0.1", "-c", "logging_collector=off", "-c", "max_connections=200"])
    save(state)
    wait_for(lambda: "ready to accept connections" in read(folder / "postgres.log"), "PostgreSQL accepts connections", 60)
    return {"port": port, "connection_string": f"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres"}


def parse_providers(log):
    # The JSON array printed after the heading: from its own "[" line to its own "]" line (log lines may come around it).
    lines = log[log.index("Gateway:Providers configuration"):].splitlines()
    start = lines.index("[")
    return json.loads("\n".join(lines[start: lines.index("]", start) + 1]))


# ---------------------------------------------------------------------------------------------------------- instances

def start_instance(state, instance):
    folder = Path(state["dir"])
    (folder / instance["id"]).mkdir(exist_ok=True)
    instance["starts"] += 1
    exit_file = folder / f"{instance['id']}.exit"
    exit_file.unlink(missing_ok=True)
    # A shell waits for the gateway to record its exit code (the cluster command may have returned by then); signals go
    # to the gateway's own process, whose id the shell writes first.
    pid_file = folder / f"{instance['id']}.pid"
    pid_file.unlink(missing_ok=True)
    command = ["sh", "-c", 'dotnet "$@" & child=$!; echo $child > "$PG_PID_FILE"; wait $child; echo $? > "$PG_EXIT_FILE"',
               "gateway", str(GATEWAY_DLL)] + instance["arguments"]
    env = dict(os.environ, PG_PID_FILE=str(pid_file), PG_EXIT_FILE=str(exit_file), DOTNET_ENVIRONMENT="Production",
               **secret_environment(state["keys"]))
    spawn(folder, instance["id"], command, env=env, append=True)
    wait_for(lambda: pid_file.exists() and read(pid_file).strip(), f"{instance['id']} started", 10)
    instance["pid"] = identity(int(read(pid_file).strip()))
    save(state)
    wait_for(lambda: http_status(f"http://127.0.0.1:{instance['management']}/readyz") == 200 or exited(exit_file),
             f"{instance['id']} is ready (/readyz 200)", 90)
    if exited(exit_file):
        raise SystemExit(f"cluster: {instance['id']} exited ({read(exit_file).strip()}) during start-up; see {folder / (instance['id'] + '.log')}")


def restart(state, index):
    instance = next(i for i in state["instances"] if i["index"] == index)
    folder = Path(state["dir"])
    exit_file = folder / f"{instance['id']}.exit"
    began = time.monotonic()
    if not alive(instance["pid"]):
        raise SystemExit(f"cluster: {instance['id']} is not running")
    signal_process(instance["pid"], signal.SIGTERM)
    wait_for(lambda: exited(exit_file), f"{instance['id']} drained and exited", 120)
    code = read(exit_file).strip()
    stopped = time.monotonic() - began
    if code != "0":
        raise SystemExit(f"cluster: {instance['id']} exited {code} on SIGTERM; see {folder / (instance['id'] + '.log')}")
    start_instance(state, instance)
    print(f"{instance['id']}: SIGTERM -> exit 0 in {stopped:.1f} s, ready again after {time.monotonic() - began:.1f} s", flush=True)


def verify(state):
    keys = state["keys"]
    failed = 0
    for instance in state["instances"]:
        result = subprocess.run([sys.executable, str(ROOT / "tools/journal/verify-journal.py"), instance["journal"],
                                 "--chain-key-file", keys["journal_chain_key_file"], "--public-key", keys["journal_public_key"]],
                                capture_output=True, text=True)
        print(f"{instance['id']}: {'verified' if result.returncode == 0 else 'FAILED'}: {(result.stdout + result.stderr).strip()}", flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


# --------------------------------------------------------------------------------------------------------------- nginx

def start_nginx(state):
    folder = Path(state["dir"])
    nginx_dir = folder / "nginx"
    if os.geteuid() == 0:
        # nginx's workers run as nobody when its master runs as root: they pass through to their temporary folders.
        os.chmod(folder, 0o711)
        nginx_dir.mkdir(exist_ok=True)
        os.chmod(nginx_dir, 0o711)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (nginx_dir / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.geteuid() == 0 and sub != "logs":
            shutil.chown(nginx_dir / sub, "nobody")
    grpc_port, http_port = free_port(), free_port()
    state["nginx"] = {"grpc": grpc_port, "http": http_port}
    template = read(Path(__file__).with_name("nginx.conf.template"))
    grpc_servers = "\n".join(f"    server 127.0.0.1:{i['grpc']} max_fails=1 fail_timeout=2s;" for i in state["instances"])
    http_servers = "\n".join(f"    server 127.0.0.1:{i['http']} max_fails=1 fail_timeout=2s;" for i in state["instances"])
    config = (template.replace("@DIR@", str(nginx_dir)).replace("@GRPC_PORT@", str(grpc_port)).replace("@HTTP_PORT@", str(http_port))
              .replace("@GRPC_SERVERS@", grpc_servers).replace("@HTTP_SERVERS@", http_servers))
    (nginx_dir / "nginx.conf").write_text(config)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    run([nginx, "-t", "-q", "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")], quiet=True)
    state["processes"]["nginx"] = spawn(folder, "nginx", [nginx, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")])
    save(state)
    wait_for(lambda: port_open(grpc_port) and port_open(http_port), "nginx listens", 20)


# ----------------------------------------------------------------------------------------------------------------- down

def down(state):
    folder = Path(state["dir"])
    processes = state.get("processes", {})
    # The load balancer first, then the instances (drained, journals checkpointed), then what they use.
    groups = [
        [processes["nginx"]] if "nginx" in processes else [],
        [i["pid"] for i in state.get("instances", []) if "pid" in i],
        [processes[name] for name in ("providers", "postgres", "redis") if name in processes],
    ]
    for group in groups:
        for pid in group:
            signal_process(pid, signal.SIGTERM)
        deadline = time.monotonic() + 40
        while any(alive(pid) for pid in group) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in group:
            signal_process(pid, signal.SIGKILL)
    print(f"cluster in {folder} stopped", flush=True)


# -------------------------------------------------------------------------------------------------------------- helpers

def print_summary(state):
    nginx = state["nginx"]
    clients = state["clients"]
    lines = [
        f"ProviderGateway cluster of {len(state['instances'])} instances in {state['dir']} (state: cluster.json)",
        f"  gRPC (h2c) through nginx:      127.0.0.1:{nginx['grpc']}",
        f"  HTTP/1.1 through nginx:        http://127.0.0.1:{nginx['http']}/  (JSON, gRPC-Web, /desk/)",
        f"  API keys: office {clients['office']}   limited-office {clients['limited-office']}",
    ]
    for instance in state["instances"]:
        lines.append(f"  {instance['id']}: gRPC 127.0.0.1:{instance['grpc']}, management http://127.0.0.1:{instance['management']}/metrics, journal {instance['journal']}")
    lines.append(f"Try: GATEWAY_ADDR=127.0.0.1:{nginx['grpc']} PG_API_KEY={clients['office']} tools/grpcurl/overview.sh 791028302728")
    print("\n".join(lines), flush=True)


def spawn(folder, name, argv, env=None, append=False):
    log = open(folder / f"{name}.log", "ab" if append else "wb")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=folder,
                               env=env, start_new_session=True)
    return identity(process.pid)


def identity(pid):
    """A process as [pid, start time]: a pid alone may name another process once this one is gone."""
    return [pid, start_time(pid)]


def start_time(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(") ", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def run(argv, quiet=False):
    result = subprocess.run(argv, capture_output=quiet, text=True)
    if result.returncode != 0:
        raise SystemExit(f"cluster: {' '.join(argv[:3])} failed ({result.returncode}): {(result.stdout or '') + (result.stderr or '')}")


def wait_for(condition, what, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"cluster: not within {seconds} s: {what}")
        time.sleep(0.05)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_block(count):
    for _ in range(200):
        base = free_port()
        if base + count < 65535 and all(can_bind(base + n) for n in range(count)):
            return base
    raise SystemExit("cluster: no block of free ports")


def can_bind(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def redis_ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def exited(exit_file):
    return exit_file.exists() and read(exit_file).strip() != ""


def alive(process):
    pid, started = process
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(") ", 1)[1].split()
        return fields[0] not in ("Z", "X") and int(fields[19]) == started
    except (OSError, IndexError, ValueError):
        return False


def signal_process(process, sig):
    if alive(process):
        try:
            os.kill(process[0], sig)
        except OSError:
            pass


def read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def save(state):
    # Keys and API keys are in it: readable by this user only.
    path = Path(state["dir"], "cluster.json")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(state, indent=2))


def load(folder):
    return json.loads((folder / "cluster.json").read_text())


if __name__ == "__main__":
    sys.exit(main())
