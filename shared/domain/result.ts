// Pure: the result of a normaliser. A normaliser never throws on user input; it returns
// a value or a typed failure that the caller turns into an Issue with file/row/column.
import type { IssueCode } from './errors.ts';

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Fail = { readonly ok: false; readonly code: IssueCode; readonly message: string };
export type Result<T> = Ok<T> | Fail;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const fail = (code: IssueCode, message: string): Fail => ({ ok: false, code, message });
