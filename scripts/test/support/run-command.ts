// A command run as a learner runs it, in a child process: its exit code and everything it printed.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  /** Called with all of stdout so far after each chunk, and the command's stdin: to answer a prompt. */
  onOutput?: (stdout: string, stdin: Writable) => void;
}

export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: [options.onOutput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    if (child.stdin) options.onOutput?.(stdout, child.stdin);
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
