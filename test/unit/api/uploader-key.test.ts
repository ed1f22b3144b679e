import { describe, expect, test } from 'vitest';
import { ApiKeyList, authenticate, hashApiKey } from '../../../shared/api/auth.ts';
import { scopeIssue, scopeOfKey, uploadKeyFor, safeFileName } from '../../../shared/domain/upload-scope.ts';

const H = hashApiKey('k');

describe('uploader keys in API_KEYS', () => {
  test('carry a region, or a region and one municipality', () => {
    const keys = ApiKeyList.parse(`ministry:uploader@26:${H},izob:uploader@26/izobilnensky:${H.toUpperCase()},bi:dashboard:${H}`);
    expect(keys.map((k) => [k.name, k.role, k.scope ?? null])).toEqual([
      ['ministry', 'uploader', { region: '26', municipality: null }],
      ['izob', 'uploader', { region: '26', municipality: 'izobilnensky' }],
      ['bi', 'dashboard', null],
    ]);
    expect(authenticate({ 'x-api-key': 'k' }, keys.slice(1))).toEqual({ kind: 'key', name: 'izob', role: 'uploader', scope: { region: '26', municipality: 'izobilnensky' } });
  });

  test('an uploader without a scope, a scope on another role, or a bad scope is refused without echoing the entry', () => {
    for (const entry of [`u:uploader:${H}`, `r:reader@26:${H}`, `u:uploader@2:${H}`, `u:uploader@26/Изобильный:${H}`]) {
      const r = ApiKeyList.safeParse(entry);
      expect(r.success, entry).toBe(false);
      expect(JSON.stringify(r.error?.issues)).not.toContain(H);
    }
  });
});

describe('upload scope in the object key', () => {
  const at = new Date('2023-03-13T09:00:00.123Z');

  test('round-trips through the key the upload form fixes', () => {
    const muni = uploadKeyFor('uploads/', { region: '26', municipality: 'izobilnensky' }, 'C:\\Users\\a\\Сферум 06.03-10.03.2023.xlsx', at, 'ab12');
    expect(muni).toBe('uploads/26/municipality=izobilnensky/2023-03-13T09-00-00Z-ab12/Сферум 06.03-10.03.2023.xlsx');
    expect(scopeOfKey('uploads/', muni)).toEqual({ region: '26', municipality: 'izobilnensky' });
    const region = uploadKeyFor('uploads/', { region: '26', municipality: null }, 'x.csv', at, 'ab12');
    expect(scopeOfKey('uploads/', region)).toEqual({ region: '26', municipality: null });
  });

  test('keys the upload page did not make carry no scope', () => {
    for (const k of ['uploads/26/2023-03-06_2023-03-10.xlsx', 'uploads/x.csv', 'uploads/26/municipality=a/b.csv', 'reports/uploads/26/x.json']) expect(scopeOfKey('uploads/', k), k).toBeNull();
  });

  test('file names keep letters and digits and lose path and markup characters', () => {
    expect(safeFileName('../../etc/<b>"x".csv')).toBe('_b__x_.csv');
    expect(safeFileName('')).toBe('upload');
  });

  test('a row of another municipality or region is rejected with its column and value', () => {
    const where = { file: 'f', sheet: null, row: 7, headerOf: (f: string) => (f === 'region' ? 'Регион' : 'МОУО') };
    const scope = { region: '26', municipality: 'izobilnensky' };
    expect(scopeIssue(scope, { region: '26', municipality_id: 'izobilnensky' }, where)).toBeNull();
    expect(scopeIssue(null, { region: '05', municipality_id: 'x' }, where)).toBeNull();
    expect(scopeIssue(scope, { region: '26', municipality_id: 'aleksandrovsky' }, where)).toMatchObject({ code: 'row.outside_upload_scope', row: 7, column: 'МОУО', value: 'aleksandrovsky' });
    expect(scopeIssue({ region: '26', municipality: null }, { region: '05', municipality_id: 'x' }, where)).toMatchObject({ column: 'Регион', value: '05' });
  });
});
