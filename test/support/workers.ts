// Worker processes, as an operator starts them (`npm run cli -- worker`), for tests that kill and
// replace them. Every worker started is SIGKILLed by killAllWorkers() if a test leaves one behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { tempDir } from './temp.ts';

const running = new Set<ChildProcess>();

export function startWorker(databaseUrl: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['src/cli/index.ts', 'worker'], {
    // A data folder of its own: otherwise startApp writes its generated secrets into ./.data.
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', MATCH_WORKERS: '2', BOSS_SUPERVISE_SECONDS: '1', DATA_DIR: tempDir('worker'), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export function killAllWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Polls until check() holds, for waiting on a run that worker processes finish. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
