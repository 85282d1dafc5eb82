#!/usr/bin/env node
// sentinel_writer.js - a Sentinel-aware Node client as an application uses it, driven by
// tests/integration/test_sentinel_clients.py. It connects through the sentinels to the
// primary `name`, INCRs a counter every INTERVAL ms, and prints one JSON object per line on
// stdout for what it sees, so the test can tell where the writes landed:
//
//   {"ev":"start","lib":..,"version":..,"node":..}
//   {"ev":"ready","addr":"ip:port"}          connected to a primary (ioredis: after its INFO
//                                            role check; node-redis: master client ready)
//   {"ev":"writing","addr":..,"value":n}     the first acknowledged INCR after the address
//                                            changed (or after errors)
//   {"ev":"error","msg":..}                  a failed INCR or a client error, once per
//                                            distinct message in a row
//   {"ev":"sentinels","list":["ip:port",..]} the client's sentinel list, when it changes
//                                            (ioredis: learnt with SENTINEL SENTINELS)
//   {"ev":"detector","channel":..,"msg":..}  ioredis's failoverDetector received a message
//                                            on one of its sentinel subscriptions
//   {"ev":"topology",...}                    node-redis topology-change events
//   {"ev":"end","ok":n,"failed":n,"last":v,"addr":..}
//
// It stops when stdin closes (the test closes it) or after MAX_MS, whichever is first.
//
//   node sentinel_writer.js LIB SENTINELS NAME KEY [INTERVAL_MS] [MAX_MS] [detector]
//   LIB: ioredis (6.x, RESP3), ioredis5 (5.x, RESP2), node-redis (createSentinel, RESP3)
//   SENTINELS: ip:port[,ip:port...]
//   detector: turn ioredis's failoverDetector on (off by default, as in ioredis). Beware:
//   a detector left from a lost connection that hears +switch-master while the client is
//   still resolving makes connect() fail for good (status "end", every command "Connection
//   is closed."): seen with Redis's own sentinel too, so not a Vigil matter.
"use strict";

const [lib, sentinelArg, name, key, intervalArg, maxArg, detectorArg] = process.argv.slice(2);
if (!lib || !sentinelArg || !name || !key) {
    process.stderr.write("usage: sentinel_writer.js LIB SENTINELS NAME KEY [INTERVAL_MS] " +
        "[MAX_MS] [detector]\n");
    process.exit(2);
}
const intervalMs = Number(intervalArg || 20);
const maxMs = Number(maxArg || 50000);
const sentinels = sentinelArg.split(",").map((s) => {
    const [host, port] = s.split(":");
    return { host, port: Number(port) };
});
const t0 = Date.now();

function out(obj) {
    obj.t = Date.now() - t0;
    process.stdout.write(JSON.stringify(obj) + "\n");
}

let lastErr = null;
function error(msg) {
    if (msg !== lastErr) out({ ev: "error", msg });
    lastErr = msg;
}

// ---- the clients: each returns {incr() -> Promise<number>, addr() -> "ip:port"|null,
//      sentinelList() -> [..]|null, close()} ----

function ioredisClient(pkg) {
    const Redis = require(pkg);
    // Report what the failoverDetector hears: wrap its subscribe so that every sentinel
    // subscription also logs the messages it receives (the detector reconnects on any).
    const fd = require(pkg + "/built/connectors/SentinelConnector/FailoverDetector");
    const subscribe = fd.FailoverDetector.prototype.subscribe;
    fd.FailoverDetector.prototype.subscribe = function () {
        for (const s of this.sentinels) {
            s.client.on("message", (channel, msg) => out({
                ev: "detector", channel, msg, sentinel: `${s.address.host}:${s.address.port}`,
            }));
        }
        return subscribe.call(this);
    };
    const version = require(pkg + "/package.json").version;
    out({ ev: "start", lib: pkg, version, node: process.version,
        detector: detectorArg === "detector" });
    const redis = new Redis({
        sentinels,
        name,
        failoverDetector: detectorArg === "detector",
        // an app that wants fast recovery: retry the sentinels quickly, never give up
        sentinelRetryStrategy: () => 100,
        retryStrategy: () => 100,
        maxRetriesPerRequest: 0,
        connectTimeout: 1000,
        commandTimeout: 1000,
    });
    const addr = () => (redis.stream && redis.stream.remotePort
        ? `${redis.stream.remoteAddress}:${redis.stream.remotePort}` : null);
    redis.on("ready", () => out({ ev: "ready", addr: addr() }));
    redis.on("error", (e) => error(`client: ${e.message}`));
    redis.on("sentinelError", (e) => error(`sentinel: ${e.message}`));
    return {
        incr: () => redis.incr(key),
        addr,
        sentinelList: () => redis.connector.sentinelIterator.sentinels
            .map((s) => `${s.host}:${s.port}`),
        close: () => redis.disconnect(),
    };
}

function nodeRedisClient() {
    const { createSentinel } = require("redis");
    const version = require("redis/package.json").version;
    out({ ev: "start", lib: "node-redis", version, node: process.version });
    const client = createSentinel({
        name,
        sentinelRootNodes: sentinels,
        nodeClientOptions: { socket: { connectTimeout: 1000 } },
        sentinelClientOptions: { socket: { connectTimeout: 1000 } },
    });
    client.on("error", (e) => error(`client: ${e && e.message ? e.message : e}`));
    client.on("topology-change", (e) => out({ ev: "topology", ...e }));
    client.on("ready", () => {
        const m = client.getMasterNode();
        out({ ev: "ready", addr: m ? `${m.host}:${m.port}` : null });
    });
    let connected = null;
    return {
        incr: async () => {
            if (!connected) {
                connected = client.connect().catch((e) => {
                    connected = null; // the next INCR tries again
                    throw e;
                });
            }
            await connected;
            return client.incr(key);
        },
        addr: () => {
            const m = client.getMasterNode();
            return m ? `${m.host}:${m.port}` : null;
        },
        sentinelList: () => null, // only the topology events show it
        close: () => client.destroy(),
    };
}

const c = lib === "node-redis" ? nodeRedisClient()
    : lib === "ioredis" || lib === "ioredis5" ? ioredisClient(lib)
        : (process.stderr.write(`unknown LIB ${lib}\n`), process.exit(2));

let ok = 0;
let failed = 0;
let last = null;
let lastAddr = null;
let lastList = "";
let stopping = false;

let inflight = null; // the INCR being waited for: stop() lets it finish first

async function tick() {
    if (stopping) return;
    const started = Date.now();
    try {
        inflight = c.incr();
        const v = await inflight;
        const a = c.addr();
        ok++;
        last = v;
        if (a !== lastAddr || lastErr !== null) out({ ev: "writing", addr: a, value: v });
        lastAddr = a;
        lastErr = null;
    } catch (e) {
        failed++;
        error(e && e.message ? e.message : String(e));
    } finally {
        inflight = null;
    }
    const list = c.sentinelList();
    if (list && list.join(",") !== lastList) {
        lastList = list.join(",");
        out({ ev: "sentinels", list });
    }
    if (!stopping) setTimeout(tick, Math.max(0, intervalMs - (Date.now() - started)));
}

// The end line must hold the last acknowledged value: an INCR still in flight would land on
// the server after it, so it is awaited (bounded by the clients' 1 s timeouts) before.
async function stop(why) {
    if (stopping) return;
    stopping = true;
    const pending = inflight;
    if (pending) {
        await Promise.race([pending.catch(() => {}),
            new Promise((resolve) => setTimeout(resolve, 3000))]);
    }
    out({ ev: "end", why, ok, failed, last, addr: lastAddr });
    try {
        c.close();
    } catch (e) { /* closing is best effort; the process exits anyway */ }
    setTimeout(() => process.exit(0), 100);
}

process.stdin.on("end", () => stop("stdin closed"));
process.stdin.on("error", () => stop("stdin error"));
process.stdin.resume();
setTimeout(() => stop("max time"), maxMs);
process.on("SIGTERM", () => stop("SIGTERM"));
tick();
