// Port: structured logging. One JSON object per line with `level` and `msg`; fields carry
// ids, keys, counts and error classes — never cell values, URLs with tokens or secrets.
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}
