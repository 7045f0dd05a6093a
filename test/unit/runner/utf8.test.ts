import { describe, expect, it } from 'vitest';
import { completeUtf8Length } from '../../../src/main/core/runner/utf8';
import { encodeEvent, decodeBinaryEvent } from '../../../src/shared/wire';

describe('UTF-8 batch boundaries', () => {
  const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
  const smile = Buffer.from('😀', 'utf8'); // f0 9f 98 80
  it.each([
    ['ascii', Buffer.from('abc'), 3],
    ['whole 3-byte char', euro, 4],
    ['cut after lead byte', euro.subarray(0, 2), 1],
    ['cut inside 3-byte char', euro.subarray(0, 3), 1],
    ['whole 4-byte char', smile, 4],
    ['cut inside 4-byte char', smile.subarray(0, 3), 0],
    ['empty', Buffer.alloc(0), 0],
    ['stray continuation bytes pass through', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80]), 5],
  ])('%s', (_name, buf, expected) => {
    expect(completeUtf8Length(buf)).toBe(expected);
  });
});

describe('browser-mode wire format', () => {
  it('sends terminal output as a binary frame and decodes it back', () => {
    const data = Buffer.from('\x1b[32mok\x1b[0m €\n');
    const frame = encodeEvent('terminal.data', { sessionId: 's1', data, offset: 42 });
    expect(frame).toBeInstanceOf(Uint8Array);
    const back = decodeBinaryEvent(frame as Uint8Array);
    expect(back.event).toBe('terminal.data');
    expect(back.payload.sessionId).toBe('s1');
    expect(back.payload.offset).toBe(42);
    expect(Buffer.from(back.payload.data as Uint8Array).equals(data)).toBe(true);
  });
  it('sends other events as JSON text', () => {
    expect(encodeEvent('settings.changed', { toolPaths: {}, selectedTargetId: null })).toBe('{"event":"settings.changed","payload":{"toolPaths":{},"selectedTargetId":null}}');
  });
});
