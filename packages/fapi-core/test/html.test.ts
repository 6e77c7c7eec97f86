import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml } from '../src/html.js';

describe('escapeHtml', () => {
  it('escapes the five markup characters and leaves other text alone', () => {
    expect(escapeHtml(`Ace <Plumbing> & "Co" 'Ltd'`)).toBe(
      'Ace &lt;Plumbing&gt; &amp; &quot;Co&quot; &#39;Ltd&#39;',
    );
    expect(escapeHtml('£12.34 café')).toBe('£12.34 café');
  });

  it('escapes an already escaped entity again (no double-decoding shortcut)', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('html', () => {
  it('escapes interpolated text, in content and in attribute values', () => {
    const name = `"><script>alert('x')</script>`;
    expect(html`<input value="${name}"><p>${name}</p>`.value).toBe(
      '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">' +
        '<p>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>',
    );
  });

  it('keeps nested html fragments as markup and escapes the values inside them', () => {
    const items = ['a & b', '<c>'].map((item) => html`<li>${item}</li>`);
    const list = html`<ul>${items}</ul>`;
    expect(list).toBeInstanceOf(SafeHtml);
    expect(html`<div>${list}</div>`.value).toBe('<div><ul><li>a &amp; b</li><li>&lt;c&gt;</li></ul></div>');
  });

  it('renders nothing for null, undefined and false, and numbers and true as text', () => {
    expect(html`[${null}|${undefined}|${false}|${true}|${0}|${12.5}]`.value).toBe('[|||true|0|12.5]');
  });

  it('does not trust a plain string that looks like markup', () => {
    const fragment = html`<b>bold</b>`;
    expect(html`${fragment.value}`.value).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(html`${fragment}`.toString()).toBe('<b>bold</b>');
  });
});
