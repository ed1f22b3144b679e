// Pure: the upload page's HTML shell (GET /upload). Like the dashboard's, it carries no
// inline script or style; the region is a meta tag and the script builds the rest. Its CSP
// also lets the page talk to Object Storage, where the file goes straight from the browser.
import { escapeHtml } from './dashboard.ts';

export type UploadPageInput = { readonly region: string; readonly regionName: string; readonly assetVersion: string };

export function renderUploadPage(p: UploadPageInput): string {
  const v = encodeURIComponent(p.assetVersion);
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="sp-region" content="${escapeHtml(p.region)}">
<title>Загрузка выгрузки «Сферума» — ${escapeHtml(p.regionName)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/upload.css?v=${v}">
<script src="assets/upload.js?v=${v}" defer></script>
</head>
<body>
<header class="top"><h1>Загрузка выгрузки «Сферума»</h1><p class="region">${escapeHtml(p.regionName)}</p></header>
<main id="upload"><p class="muted">Загрузка…</p></main>
<noscript>Для загрузки нужен JavaScript.</noscript>
</body>
</html>
`;
}

/** The page's CSP: the dashboard's, with Object Storage (`storageOrigin`) allowed for fetch. */
export function uploadPageCsp(storageOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${storageOrigin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
