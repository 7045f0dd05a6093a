import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { delimiter } from 'node:path';
import { LabError } from '../../../shared/errors';
import type { SessionInfo, ToolStatus } from '../../../shared/api';
import { BoundedTranscript } from './transcript';
import { groupAlive, killGroup } from './process-group';
import { TOOLS, missingToolMessage, resolveTool, type ToolSpec } from './tools';
import { completeUtf8Length } from './utf8';

/** Where a kube-facing command must point: always explicit, never the current-context. */
export interface KubeTarget {
  /** One file when it holds the whole context, else the KUBECONFIG list kubectl merges. */
  kubeconfigs: string[];
  context: string;
}

export interface RunSpec {
  tool: string;
  args: string[];
  /** Required for kube-facing tools unless the subcommand is offline. */
  kube?: KubeTarget;
  targetId?: string;
  title?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
}

export interface RunnerOptions {
  /** The allowlist; defaults to TOOLS. Tests add `sh`. */
  tools?: Record<string, ToolSpec>;
  toolPaths?: () => Record<string, string>;
  pathEnv?: () => string | undefined;
  /** Output is sent at most this often… */
  flushIntervalMs?: number;
  /** …or as soon as this many bytes are waiting. */
  flushBytes?: number;
  transcriptHead?: number;
  transcriptTail?: number;
  /** Pause reading a command when a client is this many bytes behind; resume below lowWater. */
  highWater?: number;
  lowWater?: number;
  killGraceMs?: number;
  defaultTimeoutMs?: number;
  /** Ended sessions kept for listing and transcripts. */
  keepEnded?: number;
}

export interface RunnerEvents {
  started(info: SessionInfo): void;
  /** A batch of output: whole UTF-8, `offset` = bytes sent in this session so far. */
  data(sessionId: string, data: Uint8Array, offset: number): void;
  exit(info: SessionInfo): void;
}

interface Session {
  info: SessionInfo;
  child: ChildProcess | null;
  transcript: BoundedTranscript;
  pending: Buffer[];
  pendingBytes: number;
  /** Per stream, the tail of an incomplete UTF-8 character waiting for its next read. */
  carry: { stdout: Buffer | null; stderr: Buffer | null };
  flushTimer: NodeJS.Timeout | null;
  timeout: NodeJS.Timeout | null;
  /** Bytes sent to clients (the offset clients ack). */
  sent: number;
  /** Per flow-controlled client, the offset it has written. */
  acked: Map<string, number>;
  paused: boolean;
  ending: Promise<void> | null;
  done: Promise<SessionInfo>;
  resolveDone: (info: SessionInfo) => void;
}

const KUBE_FLAGS = ['--kubeconfig', '--context', '--kube-context', '--server', '-s', '--token', '--user', '--cluster'];

/**
 * Runs allowlisted tools as argv (never a shell), in their own process group,
 * streaming batched output and keeping a bounded transcript per session.
 */
export class Runner {
  private readonly sessions = new Map<string, Session>();
  private readonly flowClients = new Set<string>();
  private readonly opts: Required<Omit<RunnerOptions, 'toolPaths' | 'pathEnv'>> & Pick<RunnerOptions, 'toolPaths' | 'pathEnv'>;

  constructor(
    private readonly events: RunnerEvents,
    options: RunnerOptions = {},
  ) {
    this.opts = {
      tools: TOOLS,
      flushIntervalMs: 16,
      flushBytes: 64 * 1024,
      transcriptHead: 64 * 1024,
      transcriptTail: 1024 * 1024,
      highWater: 16 * 1024 * 1024,
      lowWater: 8 * 1024 * 1024,
      killGraceMs: 3000,
      defaultTimeoutMs: 30 * 60 * 1000,
      keepEnded: 50,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
  }

  resolve(tool: string): ToolStatus {
    return resolveTool(tool, { toolPaths: this.opts.toolPaths?.() ?? {}, pathEnv: this.opts.pathEnv?.() }, this.opts.tools[tool]);
  }

  /** True when the tool talks to a cluster and so needs a target's kubeconfig and context. */
  isKubeFacing(tool: string): boolean {
    return this.opts.tools[tool]?.kubeFacing ?? false;
  }

  toolStatuses(): ToolStatus[] {
    return Object.keys(this.opts.tools).map((t) => this.resolve(t));
  }

  /** The arguments and environment that will run, target flags included. Throws LabError when not allowed. */
  composeArgv(spec: RunSpec): { argv: string[]; env: NodeJS.ProcessEnv } {
    const tool = this.opts.tools[spec.tool];
    if (!tool) throw new LabError('TOOL_NOT_ALLOWED', `${spec.tool} is not a tool the lab runs`, `Allowed: ${Object.keys(this.opts.tools).join(', ')}`);
    const env: NodeJS.ProcessEnv = { ...process.env, ...spec.env };
    let argv = [...spec.args];
    if (tool.kubeFacing) {
      const clash = argv.find((a) => KUBE_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
      if (clash) {
        throw new LabError('INVALID_REQUEST', `${spec.tool}: ${clash.split('=')[0]} is set by the selected target, not by arguments`, 'Pick the target instead; the lab passes its kubeconfig and context explicitly.');
      }
      if (spec.kube) {
        // A single file goes in the flag; a merged list can only be given as KUBECONFIG (as kubectl reads it).
        const flags = spec.kube.kubeconfigs.length === 1 ? [`${tool.kubeconfigFlag}=${spec.kube.kubeconfigs[0]}`] : [];
        argv = [...argv, ...flags, `${tool.contextFlag}=${spec.kube.context}`];
        env.KUBECONFIG = spec.kube.kubeconfigs.join(delimiter);
      } else {
        const line = argv.join(' ');
        const offline = tool.offlineSubcommands?.some((s) => line === s || line.startsWith(`${s} `));
        if (!offline) {
          throw new LabError('INVALID_REQUEST', `${spec.tool} ${argv[0] ?? ''} needs a cluster target`, 'Select a cluster target first; commands never fall back to the current-context.');
        }
        // Belt and braces: an offline command cannot reach the user's current-context either.
        env.KUBECONFIG = '/nonexistent/datapath-lab-no-target';
      }
    }
    return { argv, env };
  }

  start(spec: RunSpec): SessionInfo {
    const { argv, env } = this.composeArgv(spec);
    const status = this.resolve(spec.tool);
    if (!status.path) throw new LabError('TOOL_NOT_FOUND', missingToolMessage(status), status.install);
    const path = status.path;
    const sessionId = randomUUID();
    let resolveDone!: (info: SessionInfo) => void;
    const done = new Promise<SessionInfo>((r) => (resolveDone = r));
    const s: Session = {
      info: {
        sessionId,
        title: spec.title ?? [spec.tool, ...spec.args].join(' ').slice(0, 200),
        tool: spec.tool,
        argv: [spec.tool, ...argv],
        targetId: spec.targetId ?? null,
        state: 'running',
        exitCode: null,
        signal: null,
        startedAt: new Date().toISOString(),
        endedAt: null,
        bytes: 0,
        reason: null,
      },
      child: null,
      transcript: new BoundedTranscript(this.opts.transcriptHead, this.opts.transcriptTail),
      pending: [],
      pendingBytes: 0,
      carry: { stdout: null, stderr: null },
      flushTimer: null,
      timeout: null,
      sent: 0,
      acked: new Map(),
      paused: false,
      ending: null,
      done,
      resolveDone,
    };
    this.sessions.set(sessionId, s);
    this.trimEnded();
    s.transcript.append(`$ ${s.info.argv.join(' ')}\n`);

    let child: ChildProcess;
    try {
      // detached: its own process group, so cancel reaches grandchildren too.
      child = spawn(path, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env, cwd: spec.cwd, shell: false });
    } catch (err) {
      this.finish(s, 'failed', null, null, `could not start ${spec.tool}: ${(err as Error).message}`);
      return { ...s.info };
    }
    s.child = child;
    this.events.started({ ...s.info });

    child.stdout!.on('data', (b: Buffer) => this.onStream(s, 'stdout', b));
    child.stderr!.on('data', (b: Buffer) => this.onStream(s, 'stderr', b));
    child.on('error', (err) => {
      this.finish(s, 'failed', null, null, `could not start ${spec.tool}: ${err.message}`);
    });
    let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      // Leftover background processes of the group would hold the pipes open: end them.
      setTimeout(() => {
        if (s.info.state === 'running' && child.pid && groupAlive(child.pid)) void killGroup(child.pid, this.opts.killGraceMs);
      }, 500).unref();
    });
    child.on('close', (code, signal) => {
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = s.carry[stream];
        s.carry[stream] = null;
        if (rest) this.onOutput(s, rest);
      }
      const c = exitInfo?.code ?? code;
      const sig = exitInfo?.signal ?? signal;
      if (s.info.state === 'running') this.finish(s, 'exited', c, sig, null);
      else this.finish(s, s.info.state, c, sig, s.info.reason);
    });

    const timeoutMs = spec.timeoutMs ?? this.opts.defaultTimeoutMs;
    s.timeout = setTimeout(() => {
      if (s.info.state !== 'running') return;
      s.info.state = 'timed-out';
      s.info.reason = `stopped after the ${Math.round(timeoutMs / 1000)} s timeout`;
      this.note(s, s.info.reason);
      if (child.pid) s.ending = killGroup(child.pid, this.opts.killGraceMs);
    }, timeoutMs);
    s.timeout.unref();
    return { ...s.info };
  }

  /** Runs to completion; resolves with the final info. */
  async run(spec: RunSpec): Promise<SessionInfo> {
    const info = this.start(spec);
    return this.wait(info.sessionId);
  }

  wait(sessionId: string): Promise<SessionInfo> {
    return this.get(sessionId).done;
  }

  async cancel(sessionId: string): Promise<SessionInfo> {
    const s = this.get(sessionId);
    if (s.info.state === 'running' && s.child?.pid) {
      s.info.state = 'cancelled';
      s.info.reason = 'cancelled by the user';
      this.note(s, 'cancelled');
      this.resumeIfPaused(s);
      s.ending = killGroup(s.child.pid, this.opts.killGraceMs);
      await s.ending;
      await Promise.race([s.done, new Promise((r) => setTimeout(r, 2000))]);
    }
    return { ...s.info };
  }

  /** A client says it has written output up to `offset`; it is flow-controlled from now on. */
  ack(clientId: string, sessionId: string, offset: number): void {
    const s = this.sessions.get(sessionId);
    this.flowClients.add(clientId);
    if (!s) return;
    s.acked.set(clientId, Math.min(offset, s.sent));
    this.resumeIfPaused(s);
  }

  /** A client went away: it no longer holds anything back. */
  detachClient(clientId: string): void {
    this.flowClients.delete(clientId);
    for (const s of this.sessions.values()) {
      s.acked.delete(clientId);
      this.resumeIfPaused(s);
    }
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ ...s.info }));
  }

  info(sessionId: string): SessionInfo {
    return { ...this.get(sessionId).info };
  }

  transcript(sessionId: string): { text: string; omittedBytes: number } {
    const s = this.get(sessionId);
    return { text: s.transcript.toString(), omittedBytes: s.transcript.omittedChars };
  }

  /** Kills every running session (app quit). */
  async dispose(): Promise<void> {
    await Promise.all(
      [...this.sessions.values()].filter((s) => s.info.state === 'running').map((s) => this.cancel(s.info.sessionId)),
    );
  }

  private get(sessionId: string): Session {
    const s = this.sessions.get(sessionId);
    if (!s) throw new LabError('NOT_FOUND', `no terminal session ${sessionId}`, 'It may have been cleaned up; run the command again.');
    return s;
  }

  private onStream(s: Session, stream: 'stdout' | 'stderr', b: Buffer): void {
    s.info.bytes += b.length;
    const held = s.carry[stream];
    const buf = held ? Buffer.concat([held, b]) : b;
    const cut = completeUtf8Length(buf);
    s.carry[stream] = cut < buf.length ? buf.subarray(cut) : null;
    if (cut > 0) this.onOutput(s, cut < buf.length ? buf.subarray(0, cut) : buf);
  }

  /** The lab's own line in a session's output (not counted as the command's bytes). */
  private note(s: Session, text: string): void {
    this.onOutput(s, Buffer.from(`\n[datapath-lab] ${text}\n`));
  }

  private onOutput(s: Session, buf: Buffer): void {
    s.transcript.append(buf.toString('utf8'));
    s.pending.push(buf);
    s.pendingBytes += buf.length;
    if (s.pendingBytes >= this.opts.flushBytes) this.flush(s);
    else if (!s.flushTimer) s.flushTimer = setTimeout(() => this.flush(s), this.opts.flushIntervalMs);
  }

  private flush(s: Session): void {
    if (s.flushTimer) clearTimeout(s.flushTimer);
    s.flushTimer = null;
    if (!s.pendingBytes) return;
    const data = s.pending.length === 1 ? s.pending[0]! : Buffer.concat(s.pending, s.pendingBytes);
    s.pending = [];
    s.pendingBytes = 0;
    s.sent += data.length;
    this.events.data(s.info.sessionId, data, s.sent);
    this.pauseIfBehind(s);
  }

  private slowestAck(s: Session): number | null {
    let min: number | null = null;
    for (const client of this.flowClients) {
      const a = s.acked.get(client) ?? 0;
      if (min === null || a < min) min = a;
    }
    return min;
  }

  private pauseIfBehind(s: Session): void {
    const slowest = this.slowestAck(s);
    if (slowest === null || s.paused || !s.child || s.info.state !== 'running') return;
    if (s.sent - slowest > this.opts.highWater) {
      s.paused = true;
      s.child.stdout?.pause();
      s.child.stderr?.pause();
    }
  }

  private resumeIfPaused(s: Session): void {
    if (!s.paused || !s.child) return;
    const slowest = this.slowestAck(s);
    if (slowest === null || s.sent - slowest <= this.opts.lowWater || s.info.state !== 'running') {
      s.paused = false;
      s.child.stdout?.resume();
      s.child.stderr?.resume();
    }
  }

  private finish(s: Session, state: SessionInfo['state'], code: number | null, signal: NodeJS.Signals | null, reason: string | null): void {
    if (s.info.endedAt) return;
    if (reason && state === 'failed') this.note(s, reason);
    this.flush(s);
    if (s.timeout) clearTimeout(s.timeout);
    s.info.state = state;
    s.info.exitCode = code;
    s.info.signal = signal;
    s.info.reason = reason;
    s.info.endedAt = new Date().toISOString();
    const info = { ...s.info };
    this.events.exit(info);
    s.resolveDone(info);
  }

  private trimEnded(): void {
    const ended = [...this.sessions.values()].filter((s) => s.info.endedAt);
    for (const s of ended.slice(0, Math.max(0, ended.length - this.opts.keepEnded))) this.sessions.delete(s.info.sessionId);
  }
}
