/**
 * Archives written by other tools (../shared/fixtures/compat) against what skopeo, an independent
 * reader, said about each of them (skopeo-says.json). Where skopeo cannot read an archive, the
 * compat README says what imgdiff must do instead.
 */
import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {COMPAT_DIR, compat, expectOneLineError, runCached, runJson} from './helpers/cli.js'
import {SKOPEO_SAYS, skopeoSays} from './helpers/fixtures.js'

const says = skopeoSays()

/** skopeo prints Go values: an absent field and an empty list (omitempty) both come out null. */
const asSkopeo = (v: unknown): unknown => (v === undefined || (Array.isArray(v) && v.length === 0) ? null : v)

/** Archives skopeo cannot read, and what imgdiff does with each (compat README). */
const NOT_FOR_SKOPEO: Record<string, 'legacy' | 'export' | 'error'> = {
  'legacy-v1-emptyLayer.tar': 'legacy',
  'no_manifest.tar': 'legacy',
  'bare-layer-whiteouts.tar': 'export',
  'not-an-image.tar': 'export',
  'null_manifest.tar': 'error',
}

describe('compat archives', () => {
  it('the shared compat folder and skopeo-says.json are there', () => {
    expect(existsSync(COMPAT_DIR), `compat fixtures not found at ${COMPAT_DIR}: tests read them from ../shared/fixtures/compat`).toBe(true)
    expect(existsSync(SKOPEO_SAYS), `${SKOPEO_SAYS} is missing`).toBe(true)
    expect(Object.keys(says ?? {}).length).toBeGreaterThan(0)
  })

  it('every archive skopeo could not read has an expectation here', () => {
    const unread = Object.entries(says ?? {}).filter(([, s]) => s.images.length === 0).map(([f]) => f).sort()
    expect(unread).toEqual(Object.keys(NOT_FOR_SKOPEO).sort())
  })

  for (const [file, s] of Object.entries(says ?? {})) {
    if (s.images.length > 0) {
      describe(file, () => {
        const inspect = () => runJson<{images: any[]}>(['inspect', '--json', compat(file)])

        it('same images, diff_ids and history length as skopeo, in order', async () => {
          const {images} = await inspect()
          expect(images.length, 'number of images').toBe(s.images.length)
          for (const [i, want] of s.images.entries()) {
            expect(images[i].kind, `image ${i + 1} kind`).toBe('image')
            expect(images[i].layers.map((l: {diffId: string}) => l.diffId), `image ${i + 1} diff_ids`).toEqual(want.diffIds)
            expect(images[i].history.length, `image ${i + 1} history length`).toBe(want.history)
            expect(images[i].history.filter((h: {emptyLayer: boolean}) => !h.emptyLayer).length, `image ${i + 1} non-empty history`).toBe(want.historyNonEmpty)
          }
        })

        it('same Env, Cmd and Entrypoint as skopeo', async () => {
          const {images} = await inspect()
          for (const [i, want] of s.images.entries()) {
            const cfg = (images[i]?.config?.config ?? {}) as Record<string, unknown>
            expect({env: asSkopeo(cfg.Env), cmd: asSkopeo(cfg.Cmd), entrypoint: asSkopeo(cfg.Entrypoint)}, `image ${i + 1}`).toEqual({
              env: want.env,
              cmd: want.cmd,
              entrypoint: want.entrypoint,
            })
          }
        })
      })
    } else {
      const expected = NOT_FOR_SKOPEO[file]
      it(`${file}: skopeo cannot read it; imgdiff ${expected === 'error' ? 'fails with one clear line' : `reads it as ${expected}`}`, async () => {
        expect(expected, `no expectation written for ${file}`).toBeDefined()
        const args = ['inspect', '--json', compat(file)]
        if (expected === 'error') {
          const r = await runCached(args)
          const line = expectOneLineError(r, file)
          expect(line).toMatch(/manifest/i)
          return
        }
        const {images} = await runJson<{images: any[]}>(args)
        expect(images.length).toBeGreaterThanOrEqual(1)
        for (const img of images) {
          if (expected === 'legacy') {
            expect(img.kind).toBe('image')
            expect(img.format).toMatch(/legacy/)
            expect(img.layers.length).toBeGreaterThan(0)
          } else {
            expect(img.kind).toBe('export')
          }
        }
      })
    }
  }
})
