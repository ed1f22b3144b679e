// Browser: «откуда эти данные» — the provenance of the week's figures, opened from any card
// or table cell (issue 20). For the region: per municipality and table, the upload in force
// (file, when, by which key, rows) and the uploads it replaced. For one municipality, also
// each of its school rows with the upload and the row number it came from, so an official
// can hold a cell against the files behind it.
import type { PeriodView, SourcesBody, UploadRef } from '../../shared/api/views.ts';
import { metricInfo } from '../../shared/domain/metric-catalog.ts';
import type { MetricId } from '../../shared/domain/schemas.ts';
import { h, on } from '../dom.ts';
import { api, ApiFailure } from './api.ts';
import { formatCount } from './format.ts';
import { TABLE_RU } from './labels.ts';
import { formatMoment } from './uploads.ts';

const fileOf = (key: string) => key.replace(/^.*\//, '');

function upload(u: UploadRef | null): HTMLElement | string {
  if (!u) return 'нет выгрузки';
  return h(
    'span',
    { class: 'upload-ref', 'data-upload': u.upload_id },
    h('b', {}, fileOf(u.object_key)),
    ` · ${formatMoment(u.uploaded_at)} · ${u.uploader ? `ключ «${u.uploader}»` : 'загружен в хранилище напрямую'} · строк в файле: ${formatCount(u.rows)}`,
  );
}

export async function showSources(
  s: HTMLElement,
  input: { readonly region: string; readonly week: PeriodView; readonly scope: string | null; readonly scopeName: string; readonly metric: MetricId | null },
  failure: (err: unknown) => HTMLElement,
): Promise<void> {
  const close = h('button', { type: 'button', class: 'link' }, 'закрыть');
  on(close, 'click', () => {
    s.hidden = true;
    s.replaceChildren();
  });
  const head = [
    h('h2', {}, 'Откуда эти данные'),
    h('p', { class: 'week' }, `Неделя ${input.week.label} · ${input.scopeName}${input.metric ? ` · ${metricInfo(input.metric).label}` : ''} · `, close),
  ];
  s.hidden = false;
  s.dataset['scope'] = input.scope ?? 'region';
  s.replaceChildren(...head, h('p', { class: 'muted' }, 'Загрузка…'));
  s.scrollIntoView({ block: 'start' });
  let body: SourcesBody;
  try {
    body = await api.sources(input.region, input.week.key, input.scope);
  } catch (err) {
    // a server without the provenance route yet answers the catch-all 404
    const missing = err instanceof ApiFailure && err.status === 404 && err.code === 'not_found';
    s.replaceChildren(...head, missing ? h('p', { class: 'notice' }, 'Этот сервер пока не сообщает, из каких загрузок взяты цифры.') : failure(err));
    return;
  }
  const munis = input.scope ? body.municipalities.filter((m) => m.municipality_id === input.scope) : body.municipalities;
  const rows = munis.flatMap((m) =>
    m.tables.map((t) =>
      h(
        'tr',
        { 'data-scope': m.municipality_id, 'data-kind': t.kind },
        h('td', {}, m.name),
        h('td', {}, TABLE_RU[t.kind] ?? t.kind),
        h('td', {}, upload(t.in_force)),
        h('td', {}, ...(t.replaced.length ? t.replaced.flatMap((r, i) => [i ? h('br') : '', upload(r)]) : ['—'])),
      ),
    ),
  );
  const tables = h(
    'table',
    { class: 'sources' },
    h('caption', {}, 'Загрузки, из которых взяты цифры недели'),
    h('thead', {}, h('tr', {}, ...['МОУО', 'Таблица', 'Действующая загрузка', 'Заменённые загрузки'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows),
  );
  const schools = body.schools.length
    ? h(
        'table',
        { class: 'source-rows' },
        h('caption', {}, `Строки школ: ${formatCount(body.schools.length)}`),
        h('thead', {}, h('tr', {}, ...['Школа', 'ИНН', 'КПП', 'Файл', 'Лист', 'Строка'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          ...body.schools.map((x) => {
            const ref = munis.flatMap((m) => m.tables.map((t) => t.in_force)).find((u) => u?.upload_id === x.upload_id);
            return h(
              'tr',
              {},
              h('td', {}, x.school_name),
              h('td', { class: 'inn' }, x.school_inn),
              h('td', { class: 'inn' }, x.school_kpp ?? ''),
              h('td', {}, ref ? fileOf(ref.object_key) : x.upload_id),
              h('td', {}, x.sheet ?? ''),
              h('td', { class: 'num' }, String(x.row)),
            );
          }),
        ),
      )
    : null;
  s.replaceChildren(...head, h('div', { class: 'uploads-holder' }, tables), ...(schools ? [h('div', { class: 'uploads-holder' }, schools)] : []));
}
