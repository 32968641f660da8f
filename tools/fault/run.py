#!/usr/bin/env python3
"""Faults under load: the service is killed with SIGKILL and its PostgreSQL stopped while clients write.

Builds the service, starts it on loopback with its embedded PostgreSQL in a throwaway folder, and runs
`--clients` writers registering batches for `--seconds`. Each registration carries its own Idempotency-Key
and externalRef, and a writer retries it (same key) until the service acknowledges it with 201, as a careful
client does. Mid-load the service is killed (kill -9) and started again; later its PostgreSQL is stopped
(the service's supervisor starts it again). At the end every acknowledged externalRef is looked up:

  acknowledged  registrations answered 201
  lost          acknowledged, but not stored
  duplicated    stored more than once
  503 / 500     answers while the database was away (503 is right, 500 a bug)
  recovery      seconds from each fault until /health/ready answers 200 again

Usage: python3 tools/fault/run.py [--clients 8] [--seconds 40]
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request, uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PORT, PG_PORT = 5099, 54399
BASE = f"http://127.0.0.1:{PORT}"
ADMIN = "fault-run-admin-" + uuid.uuid4().hex


def call(method, path, key=None, body=None, headers=None, timeout=10):
    request = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            # /health/ready answers plain text; the API answers JSON.
            return response.status, json.loads(text) if response.headers.get_content_type().endswith("json") and text else None
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None, None


def wait_ready(limit=120):
    started = time.time()
    while time.time() - started < limit:
        if call("GET", "/health/ready", timeout=2)[0] == 200:
            return time.time() - started
        time.sleep(0.1)
    raise SystemExit("the service did not become ready")


def start(data):
    env = dict(os.environ, TRACEABILITY_DATA_DIR=data, TRACEABILITY_ADMIN_KEY=ADMIN, Traceability__EmbeddedPort=str(PG_PORT))
    dll = os.path.join(ROOT, "src/Traceability.Api/bin/Release/net10.0/Traceability.Api.dll")
    log = open(os.path.join(data, "service.log"), "ab")
    return subprocess.Popen(["dotnet", dll, "--urls", BASE], cwd=os.path.dirname(dll), env=env, stdout=log, stderr=log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=40)
    args = parser.parse_args()
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", os.path.join(ROOT, "src/Traceability.Api")], check=True, stdout=subprocess.DEVNULL)
    data = tempfile.mkdtemp(prefix="traceability-fault-")
    os.chmod(data, 0o755)  # run as root, the server runs as postgres and must reach its folder
    service = start(data)
    try:
        wait_ready()
        generator = "91320200MA1AAAA01Y"
        call("POST", "/api/enterprises", ADMIN, {"id": generator, "name": "Fault run", "city": "320200", "roles": ["generator"]})
        key = call("POST", "/api/api-keys", ADMIN, {"role": "enterprise", "enterpriseId": generator})[1]["key"]
        regulator = call("POST", "/api/api-keys", ADMIN, {"role": "regulator"})[1]["key"]

        acknowledged, statuses, lock = [], {}, threading.Lock()
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                ref, idem = uuid.uuid4().hex[:20], str(uuid.uuid4())
                body = {"category": "construction-waste", "massKg": 10, "occurredAt": "2026-11-20T08:00:00Z", "externalRef": ref}
                while not stop.is_set():
                    status, _ = call("POST", "/api/batches", key, body, {"Idempotency-Key": idem})
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                    if status == 201:
                        with lock:
                            acknowledged.append(ref)
                        break
                    time.sleep(0.05)

        threads = [threading.Thread(target=writer) for _ in range(args.clients)]
        for t in threads:
            t.start()
        recoveries = {}
        time.sleep(args.seconds / 4)
        service.send_signal(signal.SIGKILL)
        service.wait()
        killed = time.time()
        service = start(data)
        wait_ready()
        recoveries["service killed with SIGKILL, started again"] = time.time() - killed
        time.sleep(args.seconds / 4)
        pg_ctl = shutil.which("pg_ctl") or "/usr/lib/postgresql/15/bin/pg_ctl"
        stopper = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        stopped = time.time()
        subprocess.run(stopper + [pg_ctl, "stop", "-D", os.path.join(data, "postgres", "pgdata"), "-m", "immediate"], check=True, stdout=subprocess.DEVNULL)
        wait_ready()
        recoveries["PostgreSQL stopped, started again by the supervisor"] = time.time() - stopped
        time.sleep(args.seconds / 2)
        stop.set()
        for t in threads:
            t.join()

        stored, cursor = {}, None
        while True:
            status, page = call("GET", "/api/batches?limit=500" + (f"&cursor={cursor}" if cursor else ""), regulator, timeout=60)
            assert status == 200, status
            for item in page["items"]:
                stored[item["externalRef"]] = stored.get(item["externalRef"], 0) + 1
            cursor = page["nextCursor"]
            if not cursor:
                break
        lost = [ref for ref in acknowledged if ref not in stored]
        duplicated = [ref for ref, count in stored.items() if count > 1]
        print(f"clients {args.clients}, {args.seconds} s")
        print(f"acknowledged {len(acknowledged)}, stored {sum(stored.values())}, lost {len(lost)}, duplicated {len(duplicated)}")
        print("answers: " + ", ".join(f"{s if s else 'no answer'}: {n}" for s, n in sorted(statuses.items(), key=lambda x: (x[0] is None, x[0] or 0))))
        for fault, seconds in recoveries.items():
            print(f"{fault}: ready again after {seconds:.1f} s")
        return 1 if lost or duplicated or statuses.get(500) else 0
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
        if os.environ.get("KEEP_FAULT_DATA"): print("data kept in", data)
        else: shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
