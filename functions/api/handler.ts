// Function `api`: the HTTP function behind API Gateway (payload 1.0 or 0.1) — the read API
// for downstream systems and the dashboard page. The event is parsed with its zod envelope
// and turned into a transport-neutral request; shared/api does the routing, the key check
// and the one snapshot read; the reply is the function response the gateway expects.
import type { ApiDeps } from '../../shared/api/app.ts';
import { handleApiRequest } from '../../shared/api/app.ts';
import type { ApiResponse } from '../../shared/api/http.ts';
import { apiError } from '../../shared/api/responses.ts';
import { entryPoint } from '../../shared/runtime/entry.ts';
import { apiDeps } from '../../shared/runtime/wiring.ts';
import { apiRequestOf, HttpEvent, type FunctionContext } from '../../shared/runtime/yandex-events.ts';

/** The un-wrapped handler: tests and the local runtime call it with their own deps. */
export async function apiHandler(event: unknown, context: FunctionContext, deps: ApiDeps): Promise<ApiResponse> {
  const parsed = HttpEvent.safeParse(event);
  if (!parsed.success) {
    // Not an HTTP event (a wiring mistake or a direct call with a made-up body).
    deps.log.warn('api.invalid_event', { issues: parsed.error.issues.length, request_id: context.requestId });
    return apiError(400, 'bad_request', 'not an HTTP request event of API Gateway (payload format 0.1 or 1.0)');
  }
  return handleApiRequest(apiRequestOf(parsed.data, context.requestId), deps);
}

/** Entry point of the deployed function (`dist/api/index.handler`). */
export const handler = entryPoint('api', apiDeps, apiHandler);
