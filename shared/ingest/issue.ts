// Readers raise file-level problems as InputError carrying a full Issue.
import { InputError } from '../domain/errors.ts';

export function fileError(file: string, code: string, message: string, at: { sheet?: string | null; row?: number | null; column?: string | null } = {}): InputError {
  return new InputError({ code, message, file, sheet: at.sheet ?? null, row: at.row ?? null, column: at.column ?? null, value: null });
}
