export interface ReadOptions {
  /** Check every layer's diff_id against the config (on unless --no-verify). */
  verify: boolean
  /** `os/arch[/variant]` to pick from a multi-platform OCI index. */
  platform?: string
  onProgress?: (rawBytes: number) => void
}
