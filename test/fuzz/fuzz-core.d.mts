// Types for the plain-ESM fuzz engine, so the vitest suite can import it from TypeScript.
export interface Seed {
  name: string
  bytes: Buffer
}
export interface Rng {
  next(): number
  int(n: number): number
  pick<T>(xs: T[]): T
}
export declare const root: string
export declare function rng(seed: number): Rng
export declare function seeds(maxBytes?: number): Seed[]
export declare function untar(buf: Buffer): Promise<Array<{header: Record<string, unknown>; data: Buffer}>>
export declare function retar(entries: Array<{header: Record<string, unknown>; data: Buffer}>): Promise<Buffer>
export declare const MUTATIONS: Record<string, (seed: Seed, r: Rng) => Promise<Buffer>>
export declare function truncations(seed: Seed): Buffer[]
export declare function tempDir(): string
export declare function runOne(bytes: Buffer, dir: string, options?: {timeoutMs?: number; rssLimitMb?: number}): Promise<{failure: string | null; read: boolean}>
export declare function runCase(bytes: Buffer, dir: string, options?: {timeoutMs?: number; rssLimitMb?: number}): Promise<string | null>
export declare function fuzz(options?: {seed?: number; count?: number; onCase?: (i: number) => void}): Promise<{failures: Array<Record<string, unknown>>; counts: Record<string, number>; reads: Record<string, {cases: number; read: number}>}>
