/**
 * One measurement in a fresh child process (its own heap and peak RSS): the parent forks the
 * bench module itself with the job in an environment variable, the child sees the variable,
 * measures and sends the figure back. Shared by bench/kernel.ts and bench/scale.ts.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Parent side: fork `moduleUrl` with `job` in `envName`; resolves with what the child sent. */
export function runInChild<T>(moduleUrl: string, envName: string, job: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(moduleUrl), [], { env: { ...process.env, [envName]: JSON.stringify(job) } });
    let got: { value: T } | undefined;
    child.once('message', (m) => (got = { value: m as T }));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && got ? resolve(got.value) : reject(new Error(`bench: ${what} exited with ${code}`))));
  });
}

/** The job this process was forked for, or null when it is the parent. */
export function childJob<J>(envName: string): J | null {
  const text = process.env[envName];
  return text && process.send ? (JSON.parse(text) as J) : null;
}
