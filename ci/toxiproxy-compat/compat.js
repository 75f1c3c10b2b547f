// Drives a Toxiproxy API (TOXIPROXY_URL) through toxiproxy-node-client and
// checks every answer; exits non-zero on the first mismatch. Written for
// scimulate's built-in proxy, it should pass against a real Toxiproxy too.
"use strict";

const assert = require("node:assert/strict");
const net = require("node:net");
const { Toxiproxy } = require("toxiproxy-node-client");

const url = process.env.TOXIPROXY_URL;
if (!url) {
  console.error("TOXIPROXY_URL is not set");
  process.exit(2);
}

let passed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}`);
    throw e;
  }
}

// Every wait is bounded: a hung proxy fails the run instead of stalling CI.
function bounded(promise, what, ms = 10000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function echoServer() {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.pipe(socket));
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function parseListen(listen) {
  const i = listen.lastIndexOf(":");
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

// Sends `msg`, half-closes, and collects what comes back until the close.
function echo(listen, msg) {
  const { host, port } = parseListen(listen);
  return bounded(
    new Promise((resolve, reject) => {
      const chunks = [];
      const socket = net.connect(port, host, () => socket.end(msg));
      socket.on("data", (d) => chunks.push(d));
      socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
      socket.on("error", reject);
    }),
    `echo through ${listen}`,
  );
}

function connectError(listen) {
  const { host, port } = parseListen(listen);
  return bounded(
    new Promise((resolve) => {
      const socket = net.connect(port, host);
      socket.on("connect", () => {
        socket.destroy();
        resolve(null);
      });
      socket.on("error", (e) => resolve(e.code));
    }),
    `connect to ${listen}`,
  );
}

async function rejectsWith(promise, status) {
  await assert.rejects(promise, (e) => {
    assert.match(e.message, new RegExp(`status code ${status}`));
    return true;
  });
}

async function main() {
  const toxiproxy = new Toxiproxy(url);
  const upstream = await echoServer();
  const up = `127.0.0.1:${upstream.address().port}`;
  let proxy;

  await check("GET /version", async () => {
    const text = await toxiproxy.getVersion();
    assert.match(JSON.parse(text).version, /^\d+\.\d+/);
  });

  await check("create a proxy (listen port 0 resolved)", async () => {
    proxy = await toxiproxy.createProxy({ name: "compat", listen: "127.0.0.1:0", upstream: up });
    assert.equal(proxy.name, "compat");
    assert.equal(proxy.upstream, up);
    assert.equal(proxy.enabled, true);
    assert.notEqual(parseListen(proxy.listen).port, 0);
    assert.equal(await echo(proxy.listen, "hello"), "hello");
  });

  await check("creating it again is 409", async () => {
    await rejectsWith(toxiproxy.createProxy({ name: "compat", listen: "127.0.0.1:0", upstream: up }), 409);
  });

  await check("list and get proxies", async () => {
    const all = await toxiproxy.getAll();
    assert.ok(all.compat, `compat missing from ${Object.keys(all)}`);
    assert.equal(all.compat.listen, proxy.listen);
    const one = await toxiproxy.get("compat");
    assert.deepEqual(one.toJson(), proxy.toJson());
    await rejectsWith(toxiproxy.get("no-such-proxy"), 404);
  });

  await check("disable refuses connections, enable listens again", async () => {
    const off = await proxy.update({ enabled: false });
    assert.equal(off.enabled, false);
    assert.equal(off.listen, proxy.listen);
    assert.equal(await connectError(proxy.listen), "ECONNREFUSED");
    const on = await proxy.update({ enabled: true });
    assert.equal(on.enabled, true);
    assert.equal(await echo(proxy.listen, "back"), "back");
  });

  let latency;
  await check("add, get and update a toxic (attributes merged)", async () => {
    latency = await proxy.addToxic({
      name: "lat",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    assert.deepEqual(latency.toJson(), {
      attributes: { latency: 50, jitter: 0 },
      name: "lat",
      stream: "downstream",
      toxicity: 1,
      type: "latency",
    });
    const got = await proxy.getToxic("lat");
    assert.deepEqual(got.toJson(), latency.toJson());
    const updated = await latency.update({ attributes: { jitter: 5 } });
    assert.deepEqual(updated.attributes, { latency: 50, jitter: 5 });
    assert.equal(updated.toxicity, 1);
    await rejectsWith(proxy.addToxic({ name: "lat", type: "latency", stream: "downstream", toxicity: 1, attributes: {} }), 409);
    await rejectsWith(proxy.addToxic({ type: "no_such_toxic", attributes: {} }), 400);
    await rejectsWith(proxy.getToxic("no-such-toxic"), 404);
  });

  await check("a toxic acts on the traffic, and its defaults", async () => {
    const limit = await proxy.addToxic({ type: "limit_data", attributes: { bytes: 2 } });
    assert.equal(limit.name, "limit_data_downstream");
    assert.equal(limit.stream, "downstream");
    assert.equal(limit.toxicity, 1);
    assert.equal(await echo(proxy.listen, "hello"), "he");
    await limit.remove();
    assert.equal(await echo(proxy.listen, "hello"), "hello");
  });

  await check("remove a toxic", async () => {
    await latency.remove();
    await rejectsWith(proxy.getToxic("lat"), 404);
    await rejectsWith(latency.remove(), 404);
  });

  await check("populate", async () => {
    const made = await toxiproxy.populate([
      { name: "compat", listen: proxy.listen, upstream: up },
      { name: "compat-pop", listen: "127.0.0.1:0", upstream: up },
    ]);
    assert.deepEqual(Object.keys(made).sort(), ["compat", "compat-pop"]);
    assert.equal(made.compat.listen, proxy.listen, "an unchanged proxy is kept");
    const pop = await toxiproxy.get("compat-pop");
    assert.equal(pop.enabled, true);
    assert.equal(await echo(pop.listen, "pop"), "pop");
  });

  await check("reset re-enables proxies and removes toxics", async () => {
    await proxy.update({ enabled: false });
    await proxy.addToxic({ type: "timeout", stream: "upstream", attributes: { timeout: 0 } });
    await toxiproxy.reset();
    const after = await toxiproxy.getApi().get(`${url}/proxies/compat`);
    assert.equal(after.data.enabled, true);
    assert.deepEqual(after.data.toxics, []);
    assert.equal(await echo(proxy.listen, "reset"), "reset");
  });

  await check("delete proxies", async () => {
    await proxy.remove();
    await (await toxiproxy.get("compat-pop")).remove();
    await rejectsWith(toxiproxy.get("compat"), 404);
    await rejectsWith(proxy.remove(), 404);
    const all = await toxiproxy.getAll();
    assert.ok(!all.compat && !all["compat-pop"]);
  });

  upstream.close();
}

main().then(
  () => {
    console.log(`toxiproxy-node-client against ${url}: ${passed} passed, 0 failed`);
  },
  (e) => {
    console.error(e);
    console.log(`toxiproxy-node-client against ${url}: ${passed} passed, 1 failed`);
    process.exit(1);
  },
);
