// Unit: the HTML shells of the dashboard and the upload page, and their CSP.
import { describe, expect, test } from 'vitest';
import { escapeHtml, pageCsp, renderPage, renderUploadPage } from '../../../shared/api/pages/html.ts';

const hostile = { region: '26"><script>alert(1)</script>', regionName: '<b>край</b> & "Ко"', assetVersion: 'v"1' };

describe.each([
  ['dashboard', renderPage, 'app'],
  ['upload page', renderUploadPage, 'upload'],
] as const)('%s shell', (_name, render, bundle) => {
  test('every inserted value is escaped', () => {
    const html = render(hostile);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b&gt;край&lt;/b&gt; &amp; &quot;Ко&quot;');
    expect(html).toContain(`assets/${bundle}.js?v=v%221`);
    expect(html).toContain(`assets/${bundle}.css?v=v%221`);
  });

  test('the shell has no inline script or style', () => {
    const html = render({ region: '26', regionName: 'Ставропольский край', assetVersion: 'abc' });
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/<style|style=/);
  });
});

describe('escapeHtml and the CSP', () => {
  test('all five markup characters are escaped', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('nothing inline runs; only the upload page may also reach Object Storage', () => {
    expect(pageCsp()).toContain("script-src 'self';");
    expect(pageCsp()).toContain("connect-src 'self';");
    expect(pageCsp(['https://storage.yandexcloud.net'])).toContain("connect-src 'self' https://storage.yandexcloud.net;");
    expect(pageCsp()).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});
