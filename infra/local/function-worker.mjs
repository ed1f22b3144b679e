// Local runtime: one function instance. The host starts this file in a worker thread per
// function, with the function's environment as process.env (as a Cloud Functions instance
// has its own), loads the CommonJS bundle once (a cold start) and then serves one
// invocation at a time: handler(event, context) with a Yandex-like context. Plain JS so
// it runs under any loader (vitest, tsx, plain node).
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import querystring from 'node:querystring';

const { bundle, functionName, memoryMb } = workerData;
let loaded;
try {
  const mod = createRequire(bundle)(bundle);
  if (typeof mod.handler !== 'function') throw new TypeError(`${bundle} does not export a function "handler"`);
  loaded = { handler: mod.handler };
} catch (err) {
  loaded = { error: err };
}

const errorOf = (e) =>
  e instanceof Error ? { name: e.name, message: e.message, stack: e.stack ?? '' } : { name: 'Error', message: String(e), stack: '' };

function contextFor(msg, event) {
  return {
    requestId: msg.requestId,
    functionName,
    functionVersion: '$latest',
    memoryLimitInMB: memoryMb,
    token: undefined,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
    // research §1.5: parses an HTTP body by its content type
    getPayload: () => {
      const body = event && typeof event === 'object' ? event.body : undefined;
      if (typeof body !== 'string') return body;
      const text = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      const type = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
      if (type.startsWith('application/json')) return JSON.parse(text);
      if (type.startsWith('application/x-www-form-urlencoded')) return querystring.parse(text);
      return text;
    },
  };
}

parentPort.on('message', async (msg) => {
  if (loaded.error) {
    parentPort.postMessage({ id: msg.id, ok: false, error: errorOf(loaded.error) });
    return;
  }
  try {
    const value = await loaded.handler(msg.event, contextFor(msg, msg.event));
    // what crosses back is what the platform would serialise: JSON
    parentPort.postMessage({ id: msg.id, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: errorOf(err) });
  }
});
