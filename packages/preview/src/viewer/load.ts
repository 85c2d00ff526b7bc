// The page's data: the base64 text of the <script id="a2f-data"> element page.ts writes, decoded to
// the binary blob (docs/preview.md, "Why one file").
import { type PreviewBlob, readBlob } from '../data.js';

/** Decodes the inline blob; throws an Error the page shows when it is missing or damaged. */
export function loadBlob(doc: Document = document): PreviewBlob {
  const node = doc.getElementById('a2f-data');
  const text = node?.textContent?.trim();
  if (!text) {
    throw new Error('this page carries no preview data (no <script id="a2f-data">): write it again with a2f preview <layer.usda>');
  }
  return readBlob(decodeBase64(text));
}

function decodeBase64(text: string): Uint8Array {
  // Uint8Array.fromBase64 decodes natively where the browser has it (no 2-byte-per-char string copy);
  // atob is the fallback everywhere else.
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native) return native(text);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
