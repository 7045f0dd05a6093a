/**
 * Browser-mode wire format for events. Most events are JSON text frames
 * `{event, payload}`. Events carrying bytes (terminal output) are binary
 * frames so output never goes through JSON escaping and parsing:
 *   uint32 (big-endian) header length | header JSON (UTF-8) | raw bytes
 * where the header is `{event, payload}` without the `data` field.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent(event: string, payload: unknown): string | Uint8Array {
  const p = payload as { data?: unknown } | null;
  if (p && typeof p === 'object' && p.data instanceof Uint8Array) {
    const { data, ...rest } = p as { data: Uint8Array };
    const header = encoder.encode(JSON.stringify({ event, payload: rest }));
    const frame = new Uint8Array(4 + header.length + data.length);
    new DataView(frame.buffer).setUint32(0, header.length);
    frame.set(header, 4);
    frame.set(data, 4 + header.length);
    return frame;
  }
  return JSON.stringify({ event, payload });
}

/** Decodes a binary event frame; the data is a view into the frame, not a copy. */
export function decodeBinaryEvent(frame: ArrayBuffer | Uint8Array): { event: string; payload: Record<string, unknown> } {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength))) as { event: string; payload: Record<string, unknown> };
  return { event: header.event, payload: { ...header.payload, data: bytes.subarray(4 + headerLength) } };
}
