/**
 * Length of the longest prefix of `buf` that ends on a UTF-8 character
 * boundary. Output is cut there so every batch is whole UTF-8 on its own, even
 * when stdout and stderr interleave; the rest waits for the stream's next read.
 */
export function completeUtf8Length(buf: Uint8Array): number {
  const n = buf.length;
  // Walk back over at most 3 continuation bytes to the last lead byte.
  for (let i = n - 1, seen = 0; i >= 0 && seen < 4; i--, seen++) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
    return i + need <= n ? n : i;
  }
  return n; // no lead byte nearby: not UTF-8 we can fix, pass it through
}
