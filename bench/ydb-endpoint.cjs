// The cold-start variants' stand-in for YDB's endpoint (`node bench/ydb-endpoint.cjs`): an
// HTTP/2 server on 127.0.0.1 that accepts connections and answers no call. A cloud-configured
// instance connects its driver before its first statement (driver.ts: `driver.ready`), so a
// start measured against this endpoint includes that connection (without TLS) and nothing of
// YDB's own latency. It prints its port, then serves until its parent closes its stdin.
'use strict';
const http2 = require('node:http2');
const server = http2.createServer();
server.on('stream', (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true }));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
