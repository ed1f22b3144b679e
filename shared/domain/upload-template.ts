// Pure: the template an admin starts an export from — each table of the contract with its
// headers as the contract (and the seed's export) names them, in the contract's order, and
// one example row that ingest accepts as it stands. The upload page and the API's
// `template.csv` / `template.xlsx` serve it; a test uploads the template back through
// ingest and expects exactly its example rows accepted, without a warning.
import { fieldHeader } from './issue-text.ts';
import { MUNICIPALITY_TABLE_FIELDS, SCHOOL_TABLE_FIELDS, type FieldName, type Period, type TableKind } from './schemas.ts';

export type TemplateCell = string | number;
export type TemplateTable = {
  readonly kind: TableKind;
  /** the sheet's name in the workbook (the CSV holds the schools table alone) */
  readonly sheet: string;
  readonly fields: readonly FieldName[];
  readonly headers: readonly string[];
  readonly example: readonly TemplateCell[];
};


/** `2023-04-03..2023-04-07` → `03.04-07.04.2023`, the form the seed's exports write a week in. */
export function templatePeriod(p: Period): string {
  const [sy, sm, sd] = p.start.split('-');
  const [ey, em, ed] = p.end.split('-');
  return sy === ey ? `${sd}.${sm}-${ed}.${em}.${ey}` : `${sd}.${sm}.${sy}-${ed}.${em}.${ey}`;
}

/**
 * The two tables of a template for a region. `municipality` is a name from the region's
 * reference; `inn` a checksum-valid INN of the region (the example must be accepted).
 */
export function uploadTemplate(input: { readonly period: Period; readonly municipality: string; readonly inn: string }): readonly TemplateTable[] {
  const week = templatePeriod(input.period);
  const school: Readonly<Record<string, TemplateCell>> = {
    period: week,
    municipality: input.municipality,
    school_name: 'МБОУ СОШ № 1',
    school_inn: input.inn,
    school_kpp: `${input.inn.slice(0, 4)}01001`,
    in_sferum: 'да',
    admin_active: 'да',
    teachers_total: 52,
    teachers_in_sferum: 50,
    students_total: 610,
    students_in_sferum: 598,
    teachers_chat_creators: 21,
    teachers_msg3: 17,
    teachers_msg10: 9,
    teachers_calls: 4,
  };
  const mouo: Readonly<Record<string, TemplateCell>> = { period: week, municipality: input.municipality, in_sferum: 'да', admin_active: 'да' };
  return [
    { kind: 'schools', sheet: 'ОО', fields: SCHOOL_TABLE_FIELDS, headers: SCHOOL_TABLE_FIELDS.map(fieldHeader), example: SCHOOL_TABLE_FIELDS.map((f) => school[f]!) },
    { kind: 'municipalities', sheet: 'МОУО', fields: MUNICIPALITY_TABLE_FIELDS, headers: MUNICIPALITY_TABLE_FIELDS.map(fieldHeader), example: MUNICIPALITY_TABLE_FIELDS.map((f) => mouo[f]!) },
  ];
}

/** A checksum-valid INN of a legal entity registered in `region` (FNS weights), for the example row. */
export function exampleInn(region: string): string {
  const base = `${region}34123${'45'}`.slice(0, 9);
  const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const sum = [...base].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return `${base}${(sum % 11) % 10}`;
}
