// Readers' one way to raise a file-level problem: an InputError carrying a complete Issue
// (code, message, file, sheet, row, column, value), so the use case reports it verbatim.
import { InputError, type IssueCode } from '../domain/errors.ts';

export type Where = { readonly sheet?: string | null; readonly row?: number | null; readonly column?: string | null; readonly value?: string | null };

export function inputError(file: string, code: IssueCode, message: string, where: Where = {}, cause?: unknown): InputError {
  return new InputError(
    { code, message, file, sheet: where.sheet ?? null, row: where.row ?? null, column: where.column ?? null, value: where.value ?? null },
    cause === undefined ? undefined : { cause },
  );
}

/** `64 KiB`, `200 MiB`: limits are named in the unit an admin thinks in, with the exact bytes. */
export function bytesLabel(n: number): string {
  const units: [number, string][] = [
    [1024 * 1024 * 1024, 'GiB'],
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}
