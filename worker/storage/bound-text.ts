/**
 * Cuts text to a byte bound, on a character boundary, ending with a marker that says how
 * much was cut: "… [truncated 1234 bytes]". Pure; used wherever text from outside is stored.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const marker = (cut: number): string => `… [truncated ${cut} bytes]`;

/** The UTF-8 length of a string. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** `text` itself when it fits in `maxBytes` of UTF-8; otherwise its head and the marker, within `maxBytes`. */
export function boundText(text: string, maxBytes: number): string {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most text needs no encoding to know it fits.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  // The marker's count has at most as many digits as the whole length.
  let keep = Math.max(0, maxBytes - encoder.encode(marker(bytes.length)).length);
  // Never split a character: step back over UTF-8 continuation bytes (10xxxxxx).
  while (keep > 0 && ((bytes[keep] ?? 0) & 0xc0) === 0x80) keep -= 1;
  return decoder.decode(bytes.subarray(0, keep)) + marker(bytes.length - keep);
}
