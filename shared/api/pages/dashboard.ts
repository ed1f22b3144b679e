// Pure: the dashboard's HTML shell. It carries no data and no inline script or style (the
// page's CSP forbids both); the region to show is a meta tag, escaped like every value
// that enters the markup. The page's script builds everything else with DOM calls. The
// empty icon keeps browsers from asking for a /favicon.ico the API does not serve.
export type PageInput = { readonly region: string; readonly regionName: string; readonly assetVersion: string };

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function renderPage(p: PageInput): string {
  const v = encodeURIComponent(p.assetVersion);
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="sp-region" content="${escapeHtml(p.region)}">
<meta name="sp-region-name" content="${escapeHtml(p.regionName)}">
<title>Сферум: активность — ${escapeHtml(p.regionName)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/app.css?v=${v}">
<script src="assets/app.js?v=${v}" defer></script>
</head>
<body>
<header class="top"><h1>Активность в «Сферуме»</h1><p class="region">${escapeHtml(p.regionName)}</p></header>
<main id="app"><p class="muted">Загрузка…</p></main>
<noscript>Для работы панели нужен JavaScript.</noscript>
</body>
</html>
`;
}
