/** Run a program and collect its output; never throws on a non-zero exit (the code is returned). */
import {execFile} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

/** Run a program; never throws on a non-zero exit. */
export function exec(cmd: string, args: string[], opts: {env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string} = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {env: opts.env ?? process.env, cwd: opts.cwd ?? ROOT, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'},
      (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code !== 'number' && !(error as {killed?: boolean}).killed) {
          reject(error)
          return
        }
        const code = error ? ((error as {killed?: boolean}).killed ? -1 : ((error as unknown as {code: number}).code ?? -1)) : 0
        resolve({code, stdout, stderr})
      },
    )
  })
}

