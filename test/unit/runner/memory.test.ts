import { describe, expect, it } from 'vitest';
import { BoundedTranscript } from '../../../src/main/core/runner/transcript';
import { waitFor } from '../../helpers/proc';
import { recordingRunner } from '../../helpers/runner';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

describe('bounded transcript', () => {
  it('keeps the head and the tail and counts what it dropped', () => {
    const t = new BoundedTranscript(10, 20);
    t.append('0123456789HEAD-OVER');
    for (let i = 0; i < 10; i++) t.append(`chunk${i}|`);
    expect(t.heldChars).toBe(30);
    const text = t.toString();
    expect(text.startsWith('0123456789')).toBe(true);
    expect(text.endsWith('7|chunk8|chunk9|')).toBe(true);
    expect(t.omittedChars).toBe(9 + 70 - 20);
    expect(text).toContain(`${t.omittedChars} characters omitted`);
  });

  it('is exact when nothing was dropped', () => {
    const t = new BoundedTranscript(4, 8);
    t.append('ab');
    t.append('cdef');
    expect(t.toString()).toBe('abcdef');
    expect(t.omittedChars).toBe(0);
  });
});

describe('runner: 100 MB of output', () => {
  it('does not grow memory past the transcript bound', async () => {
    expect(gc, 'run with --expose-gc').toBeTypeOf('function');
    const r = recordingRunner({ transcriptHead: 64 * 1024, transcriptTail: MB }, false);
    gc!();
    const before = process.memoryUsage();
    let peakHeap = 0;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
    // 100 MiB of text from a real process.
    const info = await r.runner.run({ tool: 'sh', args: ['-c', 'yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c 104857600'] });
    clearInterval(sampler);
    expect(info.state).toBe('exited');
    expect(info.bytes).toBe(100 * MB);
    expect(r.bytes.get(info.sessionId)).toBe(100 * MB);
    const t = r.runner.transcript(info.sessionId);
    expect(t.omittedBytes).toBeGreaterThan(98 * MB);
    expect(t.text.length).toBeLessThan(MB + 64 * 1024 + 512);
    gc!();
    const after = process.memoryUsage();
    // Retained: the transcript (≈1.1 M UTF-16 chars) and nothing of the 100 MB.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(12 * MB);
    // In flight: batches are bounded, so even the peak stays far below the output size.
    expect(peakHeap - before.heapUsed).toBeLessThan(64 * MB);
  });
});

describe('runner: flow control', () => {
  it('pauses a command while a client is behind, and resumes on ack', async () => {
    const highWater = 256 * 1024;
    const r = recordingRunner({ highWater, lowWater: 64 * 1024, flushBytes: 16 * 1024 }, false);
    const info = r.runner.start({ tool: 'sh', args: ['-c', 'yes abcdefghijklmnopqrstuvwxyz | head -c 8388608'] });
    // A client that acked once at 0 is flow-controlled from then on.
    r.runner.ack('client-a', info.sessionId, 0);
    await waitFor(() => (r.lastOffset.get(info.sessionId) ?? 0) > highWater);
    await new Promise((res) => setTimeout(res, 300));
    const stalled = r.lastOffset.get(info.sessionId)!;
    // Paused: no more than one batch and a pipe's worth beyond the high-water mark.
    expect(stalled).toBeLessThan(highWater + 16 * 1024 + 256 * 1024);
    expect(r.runner.info(info.sessionId).state).toBe('running');
    // Acking everything it gets lets the command finish.
    const pump = setInterval(() => r.runner.ack('client-a', info.sessionId, r.lastOffset.get(info.sessionId) ?? 0), 5);
    const done = await r.runner.wait(info.sessionId);
    clearInterval(pump);
    expect(done.state).toBe('exited');
    expect(r.bytes.get(info.sessionId)).toBe(8 * MB);
  });

  it('a client that goes away no longer holds output back', async () => {
    const r = recordingRunner({ highWater: 64 * 1024, lowWater: 16 * 1024 }, false);
    const info = r.runner.start({ tool: 'sh', args: ['-c', 'yes | head -c 2097152'] });
    r.runner.ack('client-b', info.sessionId, 0);
    await waitFor(() => (r.lastOffset.get(info.sessionId) ?? 0) > 64 * 1024);
    r.runner.detachClient('client-b');
    expect((await r.runner.wait(info.sessionId)).state).toBe('exited');
    expect(r.bytes.get(info.sessionId)).toBe(2 * MB);
  });
});
