// Unit: the Russian reasons of upload issues. Every code of errors.ts has a phrase (a code
// added without one would show an English message to an admin); fields are named by the
// contract's headers, never by our ids; the value is quoted as the file writes it; the key's
// municipality is named when the page knows it.
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../shared/domain/errors.ts';
import { fieldHeader, hasIssueText, issueText, missingColumns } from '../../../shared/domain/issue-text.ts';

const issue = (code: string, over: Partial<{ column: string | null; value: string | null; file: string; sheet: string | null }> = {}) => ({
  code,
  message: 'english text',
  file: over.file ?? 'uploads/26/export.csv',
  sheet: over.sheet ?? null,
  row: 2,
  column: over.column ?? null,
  value: over.value ?? null,
});

describe('issueText', () => {
  test('every issue code has a Russian phrase, and none falls back to the English message', () => {
    const codes = [...Object.values(IssueCode), 'warn.shrinking_replacement', 'warn.duplicate_upload'];
    expect(codes.filter((c) => !hasIssueText(c))).toEqual([]);
    for (const c of codes) {
      const text = issueText(issue(c, { column: 'Педагогов всего', value: '12' }));
      expect(text, c).not.toContain('english');
      expect(text, c).toMatch(/[а-яё]/i);
    }
  });

  test('a missing column is named by the contract header, beside the headers the file has', () => {
    const text = issueText(issue('file.missing_column', { column: 'teachers_total, students_total', value: 'МОУО; ОО; ИНН; Учителей' }));
    expect(text).toBe('нет обязательных столбцов «Педагогов всего», «Обучающихся всего». В файле найдены заголовки: «МОУО», «ОО», «ИНН», «Учителей».');
    expect(text).not.toMatch(/teachers_total|students_total/);
    expect(fieldHeader('school_inn')).toBe('ИНН');
  });

  test('a row outside the key: the municipality as written, and the key’s municipality by name', () => {
    const text = issueText(issue('row.outside_upload_scope', { column: 'МОУО', value: 'Александровский МО' }), { keyMunicipality: 'Изобильненский муниципальный округ' });
    expect(text).toBe('строка муниципалитета «Александровский МО», а ваш ключ загрузки — только для «Изобильненский муниципальный округ»: такие строки загружает их МОУО');
  });

  test('a file named .xlsx that is not a workbook is called damaged; another file an unsupported format', () => {
    expect(issueText(issue('file.unsupported_format', { file: 'uploads/26/сферум.xlsx' }))).toMatch(/^файл повреждён/);
    expect(issueText(issue('file.unsupported_format', { file: 'uploads/26/сферум.pdf' }))).toMatch(/^формат не поддерживается/);
    expect(issueText(issue('file.corrupt_archive', { file: 'uploads/26/x.xlsx' }))).toMatch(/^файл повреждён/);
  });

  test('a reader’s own Russian message is kept (it names the cell), its field ids read as the contract’s headers', () => {
    const i = { ...issue('warn.header_combined', { column: 'Педагогов, создавших ≥1 чат' }), message: 'заголовок столбца K распознан только вместе с заголовком группы над ним: «…» прочитан как teachers_chat_creators' };
    expect(issueText(i)).toBe('заголовок столбца K распознан только вместе с заголовком группы над ним: «…» прочитан как «Педагогов, создавших ≥1 чат»');
  });

  test('an unknown code keeps the report’s message rather than inventing one', () => {
    expect(issueText(issue('warn.something_new'))).toBe('english text');
  });
});

describe('missingColumns', () => {
  test('the missing fields by their contract headers, the found headers as the file has them; null for any other code', () => {
    expect(missingColumns(issue('file.missing_column', { column: 'school_inn,teachers_total', value: 'МОУО; ОО' }))).toEqual({ missing: ['ИНН', 'Педагогов всего'], found: ['МОУО', 'ОО'] });
    expect(missingColumns(issue('file.no_period'))).toBeNull();
  });
});
