// A TCP proxy between one simulated phone and the server that fails the way a phone's
// network does. It forwards bytes (HTTP and WebSocket alike) and can be:
//
//   cut()       stop listening (new connections are refused: ECONNREFUSED) and destroy every
//               open connection, WebSockets included: a real cut, not a cancelled request;
//   restore()   listen again on the same port;
//   flaky(opts) while connected, misbehave at random:
//                 refuse      share of new connections reset at once (connection refused/reset)
//                 loseReply   share of HTTP requests whose reply is dropped: the request reached
//                             the server and it answered (so a push was applied), but the
//                             phone's connection is destroyed before any byte of the answer
//                 cutStream   share of WebSocket server-to-phone chunks cut mid-message: half
//                             of the chunk is forwarded, then the connection is destroyed
//               atLeastOnce (default true): the first chance of each fault is taken for sure
//   steady()    stop misbehaving.
//
// Counters (stats) say how many faults were really injected, so a test can prove it was flaky.
//
// Usage: const proxy = await startFaultProxy({ target: 'http://127.0.0.1:8000' });
//        proxy.url / proxy.wsUrl ... await proxy.cut(); await proxy.restore(); await proxy.close();

import net from 'node:net';

export async function startFaultProxy({ target, seed = 1, log = () => {} }) {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set();
  let listening = false;
  let server;
  let port = 0;
  let faults = { refuse: 0, loseReply: 0, cutStream: 0 };
  // With atLeastOnce, the first chance of each fault after flaky() is taken for sure, so
  // a short run still proves every kind of fault happened.
  let owed = { refuse: false, loseReply: false, cutStream: false };
  const roll = (kind) => {
    if (faults[kind] <= 0) return false;
    if (owed[kind]) {
      owed[kind] = false;
      return true;
    }
    return random() < faults[kind];
  };
  let random = mulberry32(seed);
  const stats = {
    connections: 0,
    refused: 0,
    repliesLost: 0,
    streamsCut: 0,
    cuts: 0,
    httpRequests: 0,
    wsConnections: 0,
  };

  function destroy(sock) {
    if (!sock.destroyed) sock.resetAndDestroy ? sock.resetAndDestroy() : sock.destroy();
  }

  function onConnection(client) {
    stats.connections += 1;
    if (roll('refuse')) {
      stats.refused += 1;
      client.on('error', () => {});
      destroy(client);
      return;
    }
    const upstream = net.connect({ host: hostname, port: Number(targetPort) });
    const pair = { client, upstream };
    sockets.add(pair);
    let kind = null; // 'http' | 'ws'
    let awaitingReply = false; // an HTTP request went up, its reply has not started
    let doomed = false; // this request's reply will be lost
    const close = () => {
      sockets.delete(pair);
      destroy(client);
      destroy(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.on('data', (chunk) => {
      if (kind === null) {
        const head = chunk.toString('latin1', 0, Math.min(chunk.length, 4096)).toLowerCase();
        kind = head.includes('upgrade: websocket') ? 'ws' : 'http';
        if (kind === 'ws') stats.wsConnections += 1;
      }
      if (kind === 'http' && !awaitingReply && /^[A-Z]+ \S+ HTTP\/1\.[01]/.test(chunk.toString('latin1', 0, 32))) {
        stats.httpRequests += 1;
        awaitingReply = true;
        doomed = roll('loseReply');
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (kind === 'http') {
        if (awaitingReply && doomed) {
          // The server has answered, so it has applied the request: the phone never hears.
          stats.repliesLost += 1;
          log('reply lost');
          close();
          return;
        }
        awaitingReply = false;
        client.write(chunk);
        return;
      }
      if (kind === 'ws' && chunk.length > 1 && roll('cutStream')) {
        stats.streamsCut += 1;
        log('stream cut mid-message');
        client.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => close());
        return;
      }
      client.write(chunk);
    });
  }

  function listen() {
    return new Promise((resolve, reject) => {
      server = net.createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = server.address().port;
        listening = true;
        resolve();
      });
    });
  }

  await listen();

  const proxy = {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}/graphql`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}/graphql`;
    },
    get online() {
      return listening;
    },
    stats,
    async cut() {
      stats.cuts += 1;
      if (listening) {
        listening = false;
        const closed = new Promise((resolve) => server.close(resolve));
        for (const { client, upstream } of sockets) {
          destroy(client);
          destroy(upstream);
        }
        sockets.clear();
        await closed;
      }
    },
    async restore() {
      if (!listening) await listen();
    },
    flaky({ refuse = 0.2, loseReply = 0.2, cutStream = 0.2, seed: s, atLeastOnce = true } = {}) {
      faults = { refuse, loseReply, cutStream };
      owed = { refuse: atLeastOnce, loseReply: atLeastOnce, cutStream: atLeastOnce };
      if (s !== undefined) random = mulberry32(s);
    },
    steady() {
      faults = { refuse: 0, loseReply: 0, cutStream: 0 };
      owed = { refuse: false, loseReply: false, cutStream: false };
    },
    /** Break every open connection once (e.g. a stream) without going offline. */
    dropConnections() {
      for (const { client, upstream } of sockets) {
        destroy(client);
        destroy(upstream);
      }
      sockets.clear();
    },
    async close() {
      await proxy.cut();
    },
  };
  return proxy;
}

/** A small seeded PRNG, so a flaky run can be replayed. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
