// HTTP load on 127.0.0.1: `node bench/load.mjs <url> <maxRequests> <maxSeconds> <connections> [<header>]`
// where the optional <header> is `Name: value`, sent with every request (an API key).
// Keeps <connections> requests in flight on keep-alive sockets until either bound is hit;
// prints requests/s and latency percentiles (ms) as one JSON line.
import http from 'node:http';
const [url, maxReq = '20000', maxSec = '10', conns = '50', header = ''] = process.argv.slice(2);
const colon = header.indexOf(':');
const headers = colon > 0 ? { [header.slice(0, colon).trim()]: header.slice(colon + 1).trim() } : {};
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conns) });
const lat = [];
let sent = 0, errors = 0, bytes = 0;
const deadline = performance.now() + Number(maxSec) * 1000;
function one() {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = http.get(url, { agent, headers }, (res) => {
      res.on('data', (d) => (bytes += d.length));
      res.on('end', () => { if (res.statusCode === 200) lat.push(performance.now() - t); else errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
  });
}
async function worker() {
  while (sent < Number(maxReq) && performance.now() < deadline) { sent++; await one(); }
}
// warm-up: 200 requests, not counted
for (let i = 0; i < 200; i += 50) await Promise.all(Array.from({ length: 50 }, one));
lat.length = 0; bytes = 0; errors = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(conns) }, worker));
const s = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
agent.destroy();
console.log(JSON.stringify({ requests: lat.length, errors, seconds: s, rps: lat.length / s, p50: q(0.5), p99: q(0.99), bodyBytes: lat.length ? bytes / lat.length : 0 }));
