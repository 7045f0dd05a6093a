import { Runner, type RunnerOptions } from '../../src/main/core/runner/runner';
import { TOOLS } from '../../src/main/core/runner/tools';
import type { SessionInfo } from '../../src/shared/api';

/** The app's allowlist plus `sh`, which only tests may run. */
export const TEST_TOOLS = { ...TOOLS, sh: { name: 'sh', kubeFacing: false, install: 'sh is part of every POSIX system.' } };

export interface Recorded {
  runner: Runner;
  started: SessionInfo[];
  exits: SessionInfo[];
  chunks: Map<string, Uint8Array[]>;
  bytes: Map<string, number>;
  lastOffset: Map<string, number>;
  keepData: boolean;
}

/** A runner whose events are recorded; `keepData: false` counts output without keeping it. */
export function recordingRunner(opts: RunnerOptions = {}, keepData = true): Recorded {
  const rec: Omit<Recorded, 'runner'> = { started: [], exits: [], chunks: new Map(), bytes: new Map(), lastOffset: new Map(), keepData };
  const runner = new Runner(
    {
      started: (i) => rec.started.push(i),
      data: (id, data, offset) => {
        if (keepData) rec.chunks.set(id, [...(rec.chunks.get(id) ?? []), data]);
        rec.bytes.set(id, (rec.bytes.get(id) ?? 0) + data.length);
        rec.lastOffset.set(id, offset);
      },
      exit: (i) => rec.exits.push(i),
    },
    { tools: TEST_TOOLS, ...opts },
  );
  return { runner, ...rec };
}

export const output = (r: Recorded, id: string) => Buffer.concat(r.chunks.get(id) ?? []).toString('utf8');
