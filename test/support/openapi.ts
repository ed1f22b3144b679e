// Test helper: every API response a test receives is checked against infra/api/openapi.yaml
// with real validators: the spec dereferenced by @apidevtools/swagger-parser, JSON bodies
// by ajv (with the formats and the OpenAPI 3.0 `nullable` keyword). A status, media type or
// body the spec does not describe throws, naming the operation.
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { matchTemplate } from '../../shared/domain/routes.ts';

export const SPEC_FILE = fileURLToPath(new URL('../../infra/api/openapi.yaml', import.meta.url));

type Schema = Record<string, unknown>;
type MediaType = { schema?: Schema };
type ResponseObject = { description: string; content?: Record<string, MediaType> };
type Operation = { operationId?: string; responses: Record<string, ResponseObject> };
type Spec = { paths: Record<string, Record<string, Operation>> };

const ANY = 'x-yc-apigateway-any-method';

/** What a test received, whatever the transport: status, headers, the body as text. */
export type Received = { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string };

export type SpecChecker = {
  /** throws when the spec does not describe this response to `method path` */
  check(method: string, path: string, r: Received): void;
  /** how many responses were checked (a test can tell that checking happened) */
  readonly checked: number;
};

let loaded: Promise<SpecChecker> | undefined;

/** The checker over the dereferenced spec, built once per test file. */
export function specChecker(): Promise<SpecChecker> {
  return (loaded ??= build());
}

/** A greedy `{name+}` segment takes the rest of the path, as API Gateway matches it. */
function matches(template: string, path: string): boolean {
  if (template.endsWith('+}')) return path.startsWith(template.slice(0, template.lastIndexOf('{'))) && path.length > template.lastIndexOf('{');
  return matchTemplate(template, path) !== null;
}

async function build(): Promise<SpecChecker> {
  const spec = (await SwaggerParser.dereference(SPEC_FILE)) as unknown as Spec;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  // ajv-formats is CommonJS: its function is the default export's `default`
  (formats as unknown as { default: (a: Ajv) => void }).default(ajv);
  ajv.addKeyword('example');
  const compiled = new WeakMap<Schema, ValidateFunction>();
  // literal paths first, greedy ones last: the order a gateway picks in
  const paths = Object.keys(spec.paths).sort((a, b) => Number(a.includes('+}')) - Number(b.includes('+}')) || (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  let checked = 0;

  function operationOf(method: string, path: string): { name: string; op: Operation } {
    for (const template of paths) {
      if (!matches(template, path)) continue;
      const item = spec.paths[template]!;
      const op = item[method.toLowerCase()] ?? (method === 'HEAD' ? item['get'] : undefined) ?? item[ANY];
      if (op) return { name: `${method} ${template}`, op };
    }
    throw new Error(`the spec has no operation for ${method} ${path}`);
  }

  return {
    get checked() {
      return checked;
    },
    check(method, path, r) {
      const { name, op } = operationOf(method.toUpperCase(), path);
      const declared = op.responses[String(r.status)] ?? op.responses['default'];
      if (!declared) throw new Error(`${name}: status ${r.status} is not in the spec (${Object.keys(op.responses).join(', ')}); body ${r.body.slice(0, 200)}`);
      const contentType = Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1]?.split(';')[0]?.trim() ?? null;
      if (!declared.content) {
        if (r.body !== '') throw new Error(`${name} ${r.status}: the spec describes no body, got ${contentType} ${r.body.slice(0, 100)}`);
        checked++;
        return;
      }
      const media = contentType === null ? undefined : declared.content[contentType];
      if (!media?.schema) throw new Error(`${name} ${r.status}: media type ${contentType} is not in the spec (${Object.keys(declared.content).join(', ')})`);
      if (contentType === 'application/json') {
        let validate = compiled.get(media.schema);
        if (!validate) {
          validate = ajv.compile(media.schema);
          compiled.set(media.schema, validate);
        }
        if (!validate(JSON.parse(r.body))) {
          throw new Error(`${name} ${r.status}: the body does not match the spec: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
        }
      } else if (media.schema['type'] !== 'string') {
        throw new Error(`${name} ${r.status}: ${contentType} is described as ${JSON.stringify(media.schema)}, not a string`);
      }
      checked++;
    },
  };
}

/** The method and request path of an API Gateway event of payload 1.0 (`path`) or 0.1 (`url`). */
export function requestOf(event: unknown): { method: string; path: string } | null {
  const e = event as { httpMethod?: unknown; path?: unknown; url?: unknown; version?: unknown };
  if (typeof e?.httpMethod !== 'string') return null;
  const raw = e.version === '1.0' ? e.path : e.url;
  return typeof raw === 'string' ? { method: e.httpMethod, path: raw.split('?')[0]! } : null;
}

type FunctionResponse = { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };

/** Wraps a function handler so every answer to an HTTP event is checked against the spec. */
export function checkedHandler<R extends FunctionResponse>(spec: SpecChecker, handler: (event: unknown) => Promise<R>): (event: unknown) => Promise<R> {
  return async (event) => {
    const r = await handler(event);
    const req = requestOf(event);
    if (req) spec.check(req.method, req.path, { status: r.statusCode, headers: r.headers ?? {}, body: r.isBase64Encoded ? '<binary>' : (r.body ?? '') });
    return r;
  };
}

/** A fetch answer checked against the spec; its body is read here and handed back intact. */
export async function checkedFetch(spec: SpecChecker, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const bytes = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  const text = /json|text|csv/.test(headers['content-type'] ?? '') ? bytes.toString('utf8') : '<binary>';
  spec.check(init.method ?? 'GET', new URL(url).pathname, { status: res.status, headers, body: text });
  return new Response(res.status === 304 ? null : bytes, { status: res.status, headers: res.headers });
}

