// Unit: infra/api/openapi.yaml describes exactly the router's routes, each integrated with
// the api function through payload 1.0, with the key scheme on every non-public route.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { matchPath } from '../../../infra/local/events.ts';
import { specRoutes } from '../../../infra/local/http-gateway.ts';
import { ROUTES } from '../../../shared/domain/routes.ts';
import { openApiSchemas } from '../../../shared/api/views.ts';
import { METRIC_IDS } from '../../../shared/domain/metric-catalog.ts';

type Response = { $ref?: string; description?: string; content?: Record<string, { schema?: unknown }> };
type Operation = {
  operationId?: string;
  responses?: Record<string, Response>;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  'x-yc-apigateway-integration'?: Record<string, unknown>;
};
const spec = parse(readFileSync(new URL('../../../infra/api/openapi.yaml', import.meta.url), 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { enum?: string[] }>; responses: Record<string, Response>; securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }> };
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([m]) => METHODS.includes(m))
    .map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, path, op })),
);

describe('openapi.yaml', () => {
  test('is OpenAPI 3.0', () => {
    expect(spec.openapi).toMatch(/^3\.0\./);
  });

  test("the MetricId enum is the metric catalog's ids, in its order", () => {
    expect(spec.components.schemas['MetricId']?.enum).toEqual([...METRIC_IDS]);
  });

  test('every spec operation is a router route', () => {
    const routes = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    expect(operations.map((o) => o.key).filter((k) => !routes.has(k))).toEqual([]);
  });

  test('every router route is a spec operation', () => {
    const ops = new Set(operations.map((o) => o.key));
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !ops.has(k))).toEqual([]);
  });

  test('each operation calls the api function with payload format 1.0 and a service account', () => {
    for (const { key, op } of operations) {
      expect(op['x-yc-apigateway-integration'], key).toEqual({
        type: 'cloud_functions',
        function_id: '${API_FUNCTION_ID}',
        payload_format_version: '1.0',
        service_account_id: '${API_GATEWAY_SA_ID}',
      });
    }
  });

  test('operation ids are the route names', () => {
    const byKey = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r.name]));
    for (const { key, op } of operations) expect(op.operationId, key).toBe(byKey.get(key));
  });

  test('the key scheme is X-API-Key or Bearer; public routes need none, the others require one', () => {
    expect(spec.components.securitySchemes['apiKey']).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(spec.components.securitySchemes['bearer']).toEqual({ type: 'http', scheme: 'bearer' });
    for (const r of ROUTES) {
      const op = spec.paths[r.path]![r.method.toLowerCase()]!;
      expect(op.security, r.name).toEqual(r.access === 'public' ? [] : [{ apiKey: [] }, { bearer: [] }]);
    }
  });

  test('each path parameter of a template is declared, required, in path', () => {
    for (const { key, path, op } of operations) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), key).toEqual(inTemplate);
      expect(declared.every((p) => p.required === true), key).toBe(true);
    }
  });

  test('components.schemas are the API\'s zod schemas (regenerate: npx tsx scripts/openapi-schemas.ts)', () => {
    expect(spec.components.schemas).toEqual(openApiSchemas());
  });

  test('every response with a body has a schema; only 304 has none', () => {
    const resolve = (r: Response) => (r.$ref ? spec.components.responses[r.$ref.replace('#/components/responses/', '')]! : r);
    const anyOps = Object.entries(spec.paths).flatMap(([path, item]) => (item['x-yc-apigateway-any-method'] ? [{ key: `ANY ${path}`, op: item['x-yc-apigateway-any-method'] }] : []));
    for (const { key, op } of [...operations, ...anyOps]) {
      for (const [status, raw] of Object.entries(op.responses ?? {})) {
        const r = resolve(raw);
        if (status === '304') {
          expect(r.content, `${key} ${status}`).toBeUndefined();
          continue;
        }
        expect(Object.keys(r.content ?? {}).length, `${key} ${status}`).toBeGreaterThan(0);
        for (const [media, m] of Object.entries(r.content!)) expect(m.schema, `${key} ${status} ${media}`).toBeDefined();
        if (/^[45]/.test(status)) expect(r.content!['application/json']?.schema, `${key} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
  });

  test('any other path or method goes to the api function too, so it answers 404/405 as an Error', () => {
    const any = spec.paths['/{path+}']?.['x-yc-apigateway-any-method'];
    expect(any?.['x-yc-apigateway-integration']).toEqual({
      type: 'cloud_functions',
      function_id: '${API_FUNCTION_ID}',
      payload_format_version: '1.0',
      service_account_id: '${API_GATEWAY_SA_ID}',
    });
    expect(Object.keys(any?.responses ?? {}).sort()).toEqual(['404', '405']);
    // the local gateway reads the same spec: an unknown path reaches the function there too
    const local = specRoutes(spec, ['api']).find((r) => r.method === 'any');
    expect(local).toMatchObject({ path: '/{path+}', fn: 'api', payloadVersion: '1.0' });
    expect(matchPath(local!.path, '/v1/nothing/at/all')).toEqual({ path: 'v1/nothing/at/all' });
  });
});
