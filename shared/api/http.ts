// Pure: the API's view of an HTTP exchange, independent of how it arrived (API Gateway
// payload 1.0 or 0.1, direct invoke, the local node:http adapter). The runtime turns a
// Yandex event into an ApiRequest; the reply is already the function response shape the
// gateway expects: a string body, base64 for binary files.
import { z } from 'zod';

export type ApiRequest = {
  readonly method: string;
  /** the request path as sent (percent-encoded segments), without the query string */
  readonly path: string;
  /** query parameters; the last value wins, as the gateway's `queryStringParameters` */
  readonly query: Readonly<Record<string, string>>;
  /** header names in lower case */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string | null;
  /** the request body as text (POST routes), absent when there is none */
  readonly body?: string;
};

const HeaderValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A function's HTTP response as API Gateway accepts it (anything else is its 502). The
 * local gateway and the node:http adapter parse what a function returns with it.
 */
export const FunctionHttpResponse = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), HeaderValue).optional(),
  /** a header named in both maps takes these values */
  multiValueHeaders: z.record(z.string(), z.array(HeaderValue)).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});
export type FunctionHttpResponse = z.infer<typeof FunctionHttpResponse>;

/** What the API answers, a narrower FunctionHttpResponse: one value per header, always a body and its encoding. */
export type ApiResponse = Readonly<Required<Pick<FunctionHttpResponse, 'statusCode' | 'body' | 'isBase64Encoded'>>> & {
  readonly headers: Readonly<Record<string, string>>;
};
