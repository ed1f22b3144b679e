// Pure: the HTML shells of the two pages the api function serves, the dashboard (`/`) and
// the admins' upload page (`/upload`), and their Content-Security-Policy. A shell carries no
// data and no inline script or style (the CSP forbids both, so an injected string can never
// run); the region is a meta tag, escaped like every value that enters the markup, and the
// page's script builds everything else with DOM calls. The empty icon keeps browsers from
// asking for a /favicon.ico the API does not serve.
export type PageInput = { readonly region: string; readonly regionName: string; readonly assetVersion: string };

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Shell = {
  /** the bundle under /assets/: `<bundle>.js` and `<bundle>.css` */
  readonly bundle: 'app' | 'upload';
  readonly title: string;
  readonly heading: string;
  readonly mainId: string;
  readonly noscript: string;
};

function shell(p: PageInput, s: Shell): string {
  const v = encodeURIComponent(p.assetVersion);
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="sp-region" content="${escapeHtml(p.region)}">
<meta name="sp-region-name" content="${escapeHtml(p.regionName)}">
<title>${escapeHtml(s.title)} — ${escapeHtml(p.regionName)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/${s.bundle}.css?v=${v}">
<script src="assets/${s.bundle}.js?v=${v}" defer></script>
</head>
<body>
<header class="top"><h1>${escapeHtml(s.heading)}</h1><p class="region">${escapeHtml(p.regionName)}</p></header>
<main id="${s.mainId}"><p class="muted">Загрузка…</p></main>
<noscript>${escapeHtml(s.noscript)}</noscript>
</body>
</html>
`;
}

export function renderPage(p: PageInput): string {
  return shell(p, { bundle: 'app', title: 'Сферум: активность', heading: 'Активность в «Сферуме»', mainId: 'app', noscript: 'Для работы панели нужен JavaScript.' });
}

export function renderUploadPage(p: PageInput): string {
  return shell(p, {
    bundle: 'upload',
    title: 'Загрузка выгрузки «Сферума»',
    heading: 'Загрузка выгрузки «Сферума»',
    mainId: 'upload',
    noscript: 'Для загрузки нужен JavaScript.',
  });
}

/**
 * Scripts and styles only from this origin, data only from this API (and, for the upload
 * page, from the Object Storage origin the browser posts the file to), no framing.
 */
export function pageCsp(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ['connect-src', "'self'", ...connectOrigins].join(' '),
    "img-src 'self' data: blob:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
