"""More than one machine, on one: worker hosts in network namespaces, behind nginx.

The route a city takes when one box is not enough (README, "More machines"): web workers on
several hosts, each with its own address, sharing one PostgreSQL and one Redis, behind nginx
with the production configuration (docker/nginx.conf). Here each host is a network namespace
(``ip netns``) joined to this machine by a veth pair: 10.77.N.2 is host N, 10.77.N.1 this
machine as that host sees it. PostgreSQL and Redis listen on this machine's loopback only, so
a ``socat`` relay on 10.77.N.1 carries each host's connections to them — the network hop a
second machine would have. Needs root (``ip netns``), Debian's ``nginx`` and ``socat``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import HOST, ROOT, Config
from bench.servers import Process, Stack, free_port, server_argv, spawn, wait_until_serving

NGINX_CONF = ROOT / "docker" / "nginx.conf"
SERVICES = {"postgres": 5432, "redis": 6379}


@dataclass(frozen=True)
class Host:
    number: int

    @property
    def name(self) -> str:
        return f"chamber-h{self.number}"

    @property
    def address(self) -> str:
        return f"10.77.{self.number}.2"

    @property
    def gateway(self) -> str:
        return f"10.77.{self.number}.1"

    @property
    def link(self) -> str:
        return f"veth-ch{self.number}"


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def require_tools() -> None:
    missing = [tool for tool in ("ip", "nginx", "socat") if not shutil.which(tool)]
    if missing:
        raise RuntimeError(
            f"--hosts needs {', '.join(missing)}: apt-get install iproute2 nginx-light socat"
        )


def hosts_up(count: int) -> list[Host]:
    """Create ``count`` namespaces with their links (removing leftovers of an earlier run)."""
    require_tools()
    hosts = [Host(n) for n in range(1, count + 1)]
    hosts_down(hosts)
    for host in hosts:
        _ip("netns", "add", host.name)
        _ip("link", "add", host.link, "type", "veth", "peer", "name", "eth0", "netns", host.name)
        _ip("addr", "add", f"{host.gateway}/24", "dev", host.link)
        _ip("link", "set", host.link, "up")
        inside = ("netns", "exec", host.name, "ip")
        _ip(*inside, "addr", "add", f"{host.address}/24", "dev", "eth0")
        _ip(*inside, "link", "set", "eth0", "up")
        _ip(*inside, "link", "set", "lo", "up")
        _ip(*inside, "route", "add", "default", "via", host.gateway)
    return hosts


def hosts_down(hosts: list[Host]) -> None:
    for host in hosts:
        subprocess.run(["ip", "netns", "del", host.name], capture_output=True)
        subprocess.run(["ip", "link", "del", host.link], capture_output=True)


def relay(stack: Stack, cfg: Config, host: Host) -> None:
    """socat on the host's gateway address, to PostgreSQL and Redis on this machine."""
    for service, port in SERVICES.items():
        listen = f"TCP-LISTEN:{port},bind={host.gateway},fork,reuseaddr,backlog=512"
        process = spawn(
            f"relay-{service}-{host.number}",
            [shutil.which("socat") or "socat", listen, f"TCP:{HOST}:{port}"],
            {},
            Path(cfg.run_dir) / f"relay-{service}-{host.number}.log",
            port,
        )
        stack.processes.append(process)


def start_host_workers(cfg: Config, stack: Stack, hosts: list[Host], deadline: float):
    """``cfg.workers`` workers spread over the hosts, each host's reaching the services
    through its own relay."""
    workers = []
    for i in range(cfg.workers):
        host = hosts[i % len(hosts)]
        relay_url = cfg.postgres_url.replace(HOST, host.gateway)
        env = cfg.server_env() | {
            "DATABASE_URL": f"{relay_url}/{cfg.db_name}",
            "REDIS_URL": cfg.redis_url.replace(HOST, host.gateway),
            "ALLOWED_HOSTS": f"{HOST},localhost,{host.address}",
        }
        port = 8001 + i // len(hosts)
        argv = ["ip", "netns", "exec", host.name, *server_argv(cfg, port, bind=host.address)]
        log = Path(cfg.run_dir) / f"{cfg.server}-{i}-{host.name}.log"
        process = spawn(f"{cfg.server}-{i}@{host.name}", argv, env, log, port)
        process.host = host.address
        stack.processes.append(process)
        workers.append(process)
    for process in workers:
        wait_until_serving(process, "/healthz", min(deadline, time.monotonic() + 60))
    return workers


def nginx_site(upstreams: list[str], port: int) -> str:
    """docker/nginx.conf with this run's upstream servers and port (no Docker resolver)."""
    text = NGINX_CONF.read_text()
    text = re.sub(r"^resolver .*?;\n", "", text, flags=re.M)
    servers = "".join(f"    server {address};\n" for address in upstreams)
    text = re.sub(
        r"(upstream chamber_web \{\n)(.*?)(    keepalive)",
        lambda m: m.group(1) + "    zone chamber_web 64k;\n" + servers + m.group(3),
        text,
        flags=re.S,
    )
    text = text.replace("listen 80 default_server;", f"listen {HOST}:{port} default_server;")
    text = text.replace("root /srv;", f"root {ROOT / 'var'};")
    return text.replace("alias /srv/media/;", f"alias {ROOT / 'var' / 'media'}/;")


def start_nginx(cfg: Config, stack: Stack, workers: list[Process], deadline: float) -> Process:
    port = free_port()
    prefix = Path(cfg.run_dir) / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(nginx_site([f"{w.host}:{w.port}" for w in workers], port))
    (prefix / "nginx.conf").write_text(
        f"""worker_processes 1;
worker_rlimit_nofile 65536;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 30000; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    include {prefix}/site.conf;
}}
"""
    )
    argv = [
        shutil.which("nginx") or "nginx",
        "-p",
        str(prefix),
        "-c",
        str(prefix / "nginx.conf"),
        "-g",
        "daemon off;",
    ]
    process = spawn("nginx", argv, {}, prefix / "stdout.log", port)
    stack.processes.append(process)
    wait_until_serving(process, "/healthz", min(deadline, time.monotonic() + 30))
    return process
