import { parseArgs } from 'node:util';
import { APP_VERSION } from '../core/version';
import { serve } from './serve';
import { POLICY_HELP, runPolicyCommand } from './policy';
import { runCheckCommand, runSnapshotCommand } from './check';
import { runReportCommand } from './report';
import { runRecommendCommand } from './recommend';

const HELP = `datapath-lab ${APP_VERSION} — a lab for Kubernetes networking with an eBPF (Cilium) dataplane

Usage:
  datapath-lab check (--host | --context NAME [--kubeconfig FILE] | --snapshot FILE)
                    [--only ID,…] [--cilium-version V] [--format text|json|junit|sarif] [--output FILE]
                                    run the guided checks (check --help)
  datapath-lab snapshot (--host | --context NAME [--kubeconfig FILE]) -o FILE
                                    save the facts the checks read, secrets removed
  datapath-lab report (--host | --context NAME [--kubeconfig FILE] | --snapshot FILE) --format md|html|json -o FILE
                                    a shareable report, secrets removed (report --help)
  datapath-lab recommend (--host | --context NAME | --snapshot FILE) [--audit] [--multi-cloud]
                    [--latency-sensitive] [--egress-by-dns] [--json]
                                    which CNI and data plane to start from, and why
  datapath-lab serve [--port N]     start browser mode on 127.0.0.1 and print the URL to open
  datapath-lab policy connlist|trace|lint|diff …
                                    analyze NetworkPolicy and Cilium policies (policy --help)
  datapath-lab --help               this help
  datapath-lab --version            the version

Exit codes: 0 success, 1 a check failed, 2 usage or connection error.`;

export class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(APP_VERSION);
    return 0;
  }
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, reason: { type: 'string' } }, strict: true });
        let port: number | undefined;
        if (values.port !== undefined) {
          port = Number(values.port);
          if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) throw new UsageError(`--port must be a number from 1 to 65535, not ${values.port}`);
        }
        await serve({ port, reason: values.reason });
        return typeof process.exitCode === 'number' ? process.exitCode : 0;
      }
      case 'check':
        return await runCheckCommand(rest);
      case 'snapshot':
        return await runSnapshotCommand(rest);
      case 'report':
        return await runReportCommand(rest);
      case 'recommend':
        return await runRecommendCommand(rest);
      case 'policy':
        if (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h') {
          console.log(POLICY_HELP);
          return rest.length === 0 ? 2 : 0;
        }
        return await runPolicyCommand(rest);
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`datapath-lab: ${(err as Error).message}\nRun \`datapath-lab --help\` for usage.`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`datapath-lab: ${(err as Error).message}`);
    process.exit(2);
  },
);
