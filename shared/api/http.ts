// Pure: the API's view of an HTTP exchange, independent of how it arrived (API Gateway
// payload 1.0 or 0.1, direct invoke, the local node:http adapter). The runtime turns a
// Yandex event into an ApiRequest; the reply is already the function response shape the
// gateway expects (research yandex-cloud §1.4): a string body, base64 for binary files.

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

export type ApiResponse = {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
};
